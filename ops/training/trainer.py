"""The fine-tuning loop: AdamW on LoRA adapters and head, MSE loss, early stopping, AMP.

The learning rate warms up linearly over `warmup_steps` optimizer steps and then stays constant:
the schedule does not depend on the number of epochs, so a finished run can be resumed with more
epochs and gives what one longer run would have (early stopping ends training instead of a
decay). Each epoch's shuffle comes from a generator seeded by (seed, epoch) and dropout from the
global generator, whose state the checkpoint keeps: a resumed run repeats an uninterrupted one.
"""

import math
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field

import torch
from torch import nn
from torch.nn import functional
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from .checkpoint import load_trainable_state, rng_state, set_rng_state, trainable_state
from .metrics import regression_metrics

PRECISIONS = ("auto", "fp32", "bf16", "fp16")
_AUTOCAST_TYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}
_SHUFFLE_SEED_STRIDE = 1_000_003  # keeps (seed, epoch) pairs apart


@dataclass(frozen=True)
class TrainSettings:
    """Optimisation settings; all but epochs, patience and min_delta are fixed for a run."""

    epochs: int = 10
    batch_size: int = 16
    grad_accum: int = 1
    lr: float = 1e-4
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_steps: int = 0
    max_grad_norm: float = 1.0
    patience: int = 3
    min_delta: float = 0.0
    seed: int = 0
    workers: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        positive = ("epochs", "batch_size", "grad_accum", "patience")
        for name in positive:
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.lr <= 0 or self.head_lr <= 0:
            raise ValueError(f"learning rates must be positive, got {self.lr}, {self.head_lr}")

    def signature(self) -> dict:
        """The settings a resumed run must share with the checkpoint's run."""
        changeable = {"epochs", "patience", "min_delta", "workers", "progress"}
        return {key: value for key, value in asdict(self).items() if key not in changeable}


def resolve_precision(requested: str, device: torch.device) -> str:
    """`auto` is bf16 on a GPU that has it, else fp16 on a GPU, and fp32 on the CPU."""
    if requested not in PRECISIONS:
        raise ValueError(f"precision {requested!r}, expected one of {PRECISIONS}")
    if requested != "auto":
        return requested
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


@dataclass
class EarlyStopping:
    """Stops after `patience` epochs without a validation loss below best - `min_delta`."""

    patience: int
    min_delta: float
    best_loss: float = math.inf
    best_epoch: int = 0
    stale_epochs: int = 0

    def update(self, epoch: int, loss: float) -> bool:
        """Records an epoch's validation loss; True when it is the new best."""
        if loss < self.best_loss - self.min_delta:
            self.best_loss, self.best_epoch, self.stale_epochs = loss, epoch, 0
            return True
        self.stale_epochs += 1
        return False

    @property
    def should_stop(self) -> bool:
        """Whether patience has run out."""
        return self.stale_epochs >= self.patience

    def state_dict(self) -> dict:
        """What a checkpoint keeps."""
        return {
            "best_loss": self.best_loss,
            "best_epoch": self.best_epoch,
            "stale": self.stale_epochs,
        }

    def load_state_dict(self, state: dict) -> None:
        """Restores `state_dict` output."""
        self.best_loss, self.best_epoch = state["best_loss"], state["best_epoch"]
        self.stale_epochs = state["stale"]


@dataclass(eq=False)
class Trainer:
    """Trains the LoRA-wrapped regressor on `(pixels, ids, mask, sentiment, target)` items."""

    model: nn.Module
    train_set: Dataset
    validation_set: Dataset
    settings: TrainSettings
    device: torch.device
    precision: str
    epoch: int = 0
    history: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.model.to(self.device)
        self.optimizer = torch.optim.AdamW(
            self._parameter_groups(), weight_decay=self.settings.weight_decay
        )
        warmup = self.settings.warmup_steps
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: min(1.0, (step + 1) / warmup) if warmup else 1.0
        )
        self.scaler = torch.amp.GradScaler(self.device.type, enabled=self.precision == "fp16")
        self.stopping = EarlyStopping(self.settings.patience, self.settings.min_delta)
        self.best_state = trainable_state(self.model)
        self._shuffle = torch.Generator()
        self._train_loader = self._loader(self.train_set, shuffle=True)
        self._validation_loader = self._loader(self.validation_set, shuffle=False)

    @property
    def finished(self) -> bool:
        """Whether every epoch ran or early stopping ended training."""
        return self.epoch >= self.settings.epochs or self.stopping.should_stop

    def fit(self, on_epoch: Callable[[dict], None]) -> None:
        """Runs the remaining epochs; `on_epoch` gets each epoch's metrics after it ends."""
        while not self.finished:
            started = time.monotonic()
            epoch = self.epoch + 1
            train_loss = self._train_epoch(epoch)
            validation = self.evaluate()
            if self.stopping.update(epoch, validation["loss"]):
                self.best_state = trainable_state(self.model)
            self.epoch = epoch
            record = {
                "epoch": epoch,
                "train_loss": train_loss,
                **{f"val_{name}": value for name, value in validation.items()},
                "lr": self.scheduler.get_last_lr()[0],
                "epoch_seconds": time.monotonic() - started,
            }
            self.history.append(record)
            on_epoch(record)

    def evaluate(self) -> dict[str, float]:
        """MSE loss, MAE and Spearman of the model's scores on the validation set."""
        self.model.eval()
        predictions, targets = [], []
        with torch.no_grad():
            for batch in self._validation_loader:
                *inputs, target = self._to_device(batch)
                with self._autocast():
                    predictions.append(self.model(*inputs).float().cpu())
                targets.append(target.cpu())
        return regression_metrics(torch.cat(predictions).numpy(), torch.cat(targets).numpy())

    def state_dict(self) -> dict:
        """Everything a checkpoint needs to continue this run exactly."""
        return {
            "epoch": self.epoch,
            "model": trainable_state(self.model),
            "best_model": self.best_state,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "early_stopping": self.stopping.state_dict(),
            "history": self.history,
            "rng": rng_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Restores `state_dict` output (settings that may change, like epochs, stay this run's)."""
        load_trainable_state(self.model, state["model"])
        self.best_state = state["best_model"]
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        self.stopping.load_state_dict(state["early_stopping"])
        self.history = list(state["history"])
        self.epoch = state["epoch"]
        set_rng_state(state["rng"])

    def _parameter_groups(self) -> list[dict]:
        """LoRA adapters at `lr`, the head at `head_lr`."""
        trainable = [(n, p) for n, p in self.model.named_parameters() if p.requires_grad]
        head = [p for n, p in trainable if n.startswith("head.")]
        adapters = [p for n, p in trainable if not n.startswith("head.")]
        return [
            {"params": adapters, "lr": self.settings.lr},
            {"params": head, "lr": self.settings.head_lr},
        ]

    def _loader(self, dataset: Dataset, shuffle: bool) -> DataLoader:
        """A loader over `dataset`; the training one shuffles with `self._shuffle`."""
        workers = self.settings.workers
        return DataLoader(
            dataset,
            batch_size=self.settings.batch_size,
            shuffle=shuffle,
            generator=self._shuffle if shuffle else None,
            num_workers=workers,
            persistent_workers=workers > 0,
            pin_memory=self.device.type == "cuda",
        )

    def _train_epoch(self, epoch: int) -> float:
        """One pass over the training set; returns its mean training loss."""
        self.model.train()
        self._shuffle.manual_seed(self.settings.seed * _SHUFFLE_SEED_STRIDE + epoch)
        accumulate = self.settings.grad_accum
        steps = len(self._train_loader)
        total, count = 0.0, 0
        bar = tqdm(
            self._train_loader,
            desc=f"epoch {epoch}/{self.settings.epochs}",
            unit="batch",
            leave=False,
            disable=not self.settings.progress,
        )
        for step, batch in enumerate(bar):
            *inputs, target = self._to_device(batch)
            with self._autocast():
                scores = self.model(*inputs)
            loss = functional.mse_loss(scores.float(), target)
            self.scaler.scale(loss / accumulate).backward()
            if (step + 1) % accumulate == 0 or step + 1 == steps:
                self._optimizer_step()
            total += loss.item() * len(target)
            count += len(target)
            bar.set_postfix(loss=f"{total / count:.4f}")
        return total / count

    def _optimizer_step(self) -> None:
        """Unscales, clips the gradient norm, steps optimizer, scaler and schedule."""
        self.scaler.unscale_(self.optimizer)
        nn.utils.clip_grad_norm_(
            [p for group in self.optimizer.param_groups for p in group["params"]],
            self.settings.max_grad_norm,
        )
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.optimizer.zero_grad(set_to_none=True)
        self.scheduler.step()

    def _autocast(self) -> AbstractContextManager:
        """Mixed precision for the forward pass (nothing at fp32)."""
        if self.precision not in _AUTOCAST_TYPES:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=_AUTOCAST_TYPES[self.precision])

    def _to_device(self, batch: list[torch.Tensor]) -> list[torch.Tensor]:
        """The batch's tensors on the training device."""
        return [tensor.to(self.device, non_blocking=True) for tensor in batch]
