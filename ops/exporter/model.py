"""The engagement regressor (CLIP + sentiment features -> MLP head) and its LoRA fine-tune.

This is the one model definition: the exporter builds it and a training script reuses it, so a
trained `state_dict` loads here with `strict=True`.
"""

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch
from peft import LoraConfig, get_peft_model
from torch import nn
from transformers import CLIPModel, PreTrainedModel

HEAD_DROPOUT = 0.1
CHECKPOINT_STATE_KEY = "model_state_dict"
# The CLIPModel submodules that `get_image_features` and `get_text_features` use.
IMAGE_ENCODER_MODULES = ("vision_model", "visual_projection")
TEXT_ENCODER_MODULES = ("text_model", "text_projection")


class CLIPEngagementRegressor(nn.Module):
    """Engagement score in [0, 1] from an image, its post text and comment sentiment features.

    features = [CLIP image features, CLIP text features, sentiment features]
    -> (Linear -> ReLU -> Dropout) per hidden size -> Linear(..., 1) -> sigmoid.
    """

    def __init__(
        self,
        clip: CLIPModel,
        sentiment_size: int,
        head_hidden_dims: Sequence[int],
        dropout: float = HEAD_DROPOUT,
    ) -> None:
        super().__init__()
        self.clip = clip
        self.head = _mlp_head(
            2 * clip.config.projection_dim + sentiment_size, head_hidden_dims, dropout
        )

    def forward(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        sentiment_features: torch.Tensor,
    ) -> torch.Tensor:
        """`[B,3,S,S]`, `[B,77]`, `[B,77]`, `[B,F]` -> engagement scores `[B]`.

        The composition of the three parts that the bundle also holds on their own
        (`ImageEncoderPart`, `TextEncoderPart`, `HeadPart`).
        """
        return self.score_features(
            self.encode_image(pixel_values),
            self.encode_text(input_ids, attention_mask),
            sentiment_features,
        )

    def encode_image(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Pixel values `[B,3,S,S]` -> CLIP image features `[B,P]`."""
        return self.clip.get_image_features(pixel_values=pixel_values)

    def encode_text(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Token ids and mask `[B,77]` -> CLIP text features `[B,P]`."""
        return self.clip.get_text_features(input_ids=input_ids, attention_mask=attention_mask)

    def score_features(
        self,
        image_features: torch.Tensor,
        text_features: torch.Tensor,
        sentiment_features: torch.Tensor,
    ) -> torch.Tensor:
        """Image, text and sentiment features `[B,P]`, `[B,P]`, `[B,F]` -> scores `[B]`."""
        features = torch.cat([image_features, text_features, sentiment_features], dim=-1)
        return torch.sigmoid(self.head(features)).squeeze(-1)


class ImageEncoderPart(nn.Module):
    """The merged regressor's `encode_image` on its own, for tracing: `[B,3,S,S]` -> `[B,P]`."""

    def __init__(self, regressor: CLIPEngagementRegressor) -> None:
        super().__init__()
        self.regressor = _sharing(regressor, clip_modules=IMAGE_ENCODER_MODULES)

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Pixel values `[B,3,S,S]` -> CLIP image features `[B,P]`."""
        return self.regressor.encode_image(pixel_values)


class TextEncoderPart(nn.Module):
    """The merged regressor's `encode_text` on its own, for tracing: `[B,77]` x 2 -> `[B,P]`."""

    def __init__(self, regressor: CLIPEngagementRegressor) -> None:
        super().__init__()
        self.regressor = _sharing(regressor, clip_modules=TEXT_ENCODER_MODULES)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Token ids and mask `[B,77]` -> CLIP text features `[B,P]`."""
        return self.regressor.encode_text(input_ids, attention_mask)


class HeadPart(nn.Module):
    """The merged regressor's `score_features` on its own, for tracing: features -> `[B]`."""

    def __init__(self, regressor: CLIPEngagementRegressor) -> None:
        super().__init__()
        self.regressor = _sharing(regressor, head=True)

    def forward(
        self,
        image_features: torch.Tensor,
        text_features: torch.Tensor,
        sentiment_features: torch.Tensor,
    ) -> torch.Tensor:
        """`[B,P]`, `[B,P]`, `[B,F]` -> engagement scores `[B]`."""
        return self.regressor.score_features(image_features, text_features, sentiment_features)


def _sharing(
    regressor: CLIPEngagementRegressor, clip_modules: Sequence[str] = (), head: bool = False
) -> CLIPEngagementRegressor:
    """A shallow copy of the merged regressor holding only some submodules, weights shared.

    Tracing saves every parameter of the traced module, used or not; a part traced through this
    copy saves only the named CLIP submodules (no CLIP at all without any) and the head if `head`.
    A part that needs a module left out fails to trace rather than silently saving it.
    """
    if not isinstance(regressor.clip, CLIPModel):
        raise TypeError("regressor parts are made from the LoRA-merged regressor")
    children: dict[str, nn.Module] = {}
    if clip_modules:
        clip = regressor.clip
        kept = {name: getattr(clip, name) for name in clip_modules}
        children["clip"] = _with_children(clip, kept)
    if head:
        children["head"] = regressor.head
    return _with_children(regressor, children)


def _with_children(module: nn.Module, children: dict[str, nn.Module]) -> nn.Module:
    """A shallow copy of `module` whose only submodules are `children`, without own parameters."""
    view = copy.copy(module)
    view._modules = dict(children)
    view._parameters = {}
    return view


def _mlp_head(in_features: int, hidden_dims: Sequence[int], dropout: float) -> nn.Sequential:
    """Linear -> ReLU -> Dropout for each hidden size, then a Linear to one output."""
    layers: list[nn.Module] = []
    for hidden in hidden_dims:
        layers += [nn.Linear(in_features, hidden), nn.ReLU(), nn.Dropout(dropout)]
        in_features = hidden
    layers.append(nn.Linear(in_features, 1))
    return nn.Sequential(*layers)


@dataclass(frozen=True)
class LoraSettings:
    """The LoRA fine-tune of the CLIP encoders (attention and MLP projections)."""

    rank: int = 8
    alpha: int = 16
    dropout: float = 0.1
    target_modules: tuple[str, ...] = ("q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2")

    def peft_config(self) -> LoraConfig:
        """The peft configuration."""
        return LoraConfig(
            r=self.rank,
            lora_alpha=self.alpha,
            lora_dropout=self.dropout,
            target_modules=list(self.target_modules),
        )

    def manifest_section(self, merged: bool) -> dict:
        """The manifest's `lora` section."""
        return {
            "enabled": True,
            "rank": self.rank,
            "alpha": self.alpha,
            "dropout": self.dropout,
            "target_modules": list(self.target_modules),
            "merged": merged,
        }


def apply_lora(regressor: CLIPEngagementRegressor, settings: LoraSettings) -> None:
    """Wraps the regressor's CLIP in LoRA adapters: CLIP is frozen, adapters and head train."""
    regressor.clip = get_peft_model(regressor.clip, settings.peft_config())


def perturb_lora_b(regressor: CLIPEngagementRegressor, seed: int, std: float = 0.02) -> None:
    """Fills every LoRA B matrix from a seeded normal(0, std).

    peft starts B at zero, which makes an untrained adapter (and so its merge) a no-op; random
    weights stand in for training so that the merge really changes the CLIP weights.
    """
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in regressor.named_parameters():
            if ".lora_B." in name:
                parameter.copy_(torch.randn(parameter.shape, generator=generator) * std)


def load_trained_state(
    regressor: CLIPEngagementRegressor, path: Path, trust_checkpoint: bool = False
) -> None:
    """Loads fine-tuned weights into the LoRA-wrapped regressor, every key required (`strict=True`).

    `path` holds the regressor's `state_dict()`, or a checkpoint dict with it under
    `"model_state_dict"`. The file is read with `weights_only=True` unless `trust_checkpoint`:
    only then may it hold other pickled objects (run it only on files you trust).
    """
    checkpoint = torch.load(path, map_location="cpu", weights_only=not trust_checkpoint)
    state = checkpoint.get(CHECKPOINT_STATE_KEY, checkpoint)
    regressor.load_state_dict(state, strict=True)


def merge_lora(regressor: CLIPEngagementRegressor) -> None:
    """Folds the LoRA adapters into the CLIP weights and removes the peft wrapper."""
    regressor.clip = regressor.clip.merge_and_unload()


@dataclass(frozen=True)
class ParameterCounts:
    """Parameters of the LoRA-wrapped regressor: all of them, and those training updates."""

    total: int
    trainable: int


def count_parameters(model: nn.Module) -> ParameterCounts:
    """Counts `model`'s parameters, all and those with `requires_grad`."""
    parameters = list(model.parameters())
    return ParameterCounts(
        total=sum(p.numel() for p in parameters),
        trainable=sum(p.numel() for p in parameters if p.requires_grad),
    )


class SentimentLogits(nn.Module):
    """A sequence classifier reduced to `(input_ids, attention_mask) -> logits` for tracing."""

    def __init__(self, classifier: PreTrainedModel) -> None:
        super().__init__()
        self.classifier = classifier

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """`[B,L]`, `[B,L]` -> logits `[B, labels]`."""
        return self.classifier(input_ids=input_ids, attention_mask=attention_mask).logits
