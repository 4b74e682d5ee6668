"""Resumable checkpoints, and the final `best_model_lora.pth` in the exporter's layout.

A checkpoint holds only what training changes: the trainable tensors (LoRA adapters and head),
the optimizer, scheduler and gradient scaler, early-stopping state, the metric history, the
random number generators, and the run's signature (the settings a resumed run must share). The
frozen base weights come from the same sources again, so a checkpoint of a ViT-L/14 run is tens
of MB, not GB. Everything in it loads with `torch.load(weights_only=True)`.
"""

import os
from pathlib import Path

import torch
from torch import nn

from exporter.model import CHECKPOINT_STATE_KEY

CHECKPOINT_FORMAT = 1


class CheckpointError(ValueError):
    """A checkpoint that this run cannot resume from."""


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """CPU copies of the parameters training updates, by name."""
    return {
        name: parameter.detach().to("cpu", copy=True)
        for name, parameter in model.named_parameters()
        if parameter.requires_grad
    }


def load_trainable_state(model: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Loads `trainable_state` output back; every trainable parameter must be in it."""
    expected = {name for name, parameter in model.named_parameters() if parameter.requires_grad}
    missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or unexpected:
        raise CheckpointError(
            f"trainable parameters do not match: missing {missing[:3]}, unexpected {unexpected[:3]}"
        )
    model.load_state_dict(state, strict=False)


def rng_state() -> dict:
    """The torch CPU and CUDA generator states (dropout and LoRA dropout draw from them)."""
    cuda = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else []
    return {"torch": torch.get_rng_state(), "cuda": cuda}


def set_rng_state(state: dict) -> None:
    """Restores `rng_state` output (CUDA states only where CUDA is present)."""
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def save_checkpoint(path: Path, checkpoint: dict) -> None:
    """Writes atomically: a crash while saving leaves the previous checkpoint intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    torch.save({"format": CHECKPOINT_FORMAT, **checkpoint}, partial)
    os.replace(partial, path)


def load_checkpoint(path: Path, signature: dict) -> dict:
    """Reads a checkpoint and checks it was written by a run with the same `signature`."""
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint")
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: checkpoint format {checkpoint.get('format')}, expected {CHECKPOINT_FORMAT}"
        )
    differences = [
        f"{key}: checkpoint {checkpoint['signature'].get(key)!r}, this run {value!r}"
        for key, value in signature.items()
        if checkpoint["signature"].get(key) != value
    ]
    if differences:
        raise CheckpointError(
            f"{path} was written by a run with other settings: " + "; ".join(differences)
        )
    return checkpoint


def save_best_model(model: nn.Module, best: dict[str, torch.Tensor], path: Path, **info) -> None:
    """Writes `best_model_lora.pth`: the full state dict with the best trainable tensors.

    The layout is the one `exporter.model.load_trained_state` reads (the LoRA-wrapped
    regressor's `state_dict()` under `"model_state_dict"`, plus plain `info` such as the epoch).
    """
    load_trainable_state(model, best)
    state = {name: tensor.detach().to("cpu") for name, tensor in model.state_dict().items()}
    torch.save({CHECKPOINT_STATE_KEY: state, **info}, path)
