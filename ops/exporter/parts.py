"""The regressor in parts: image encoder, text encoder and head, each its own TorchScript file.

Composed, `head(image_encoder(pixels), text_encoder(ids, mask), sentiment)` is `regressor.pt`;
apart, the service can encode an image or a text once and score it with other features.
"""

from dataclasses import dataclass
from pathlib import Path

import torch

from .bundle import HEAD_FILE, IMAGE_ENCODER_FILE, TEXT_ENCODER_FILE

SECTION = "regressor_parts"
# How far the parts composed may be from `regressor.pt` (the same operations, so in practice 0).
PARTS_TOLERANCE = 1e-6
# The argument names of each part's `forward`, which the service passes in this order.
ARGUMENTS = {
    "image_encoder": ["pixel_values"],
    "text_encoder": ["input_ids", "attention_mask"],
    "head": ["image_features", "text_features", "sentiment_features"],
}


def manifest_section(feature_size: int) -> dict:
    """The manifest's `regressor_parts` section; `feature_size` is CLIP's `projection_dim`."""
    return {
        "image_encoder": IMAGE_ENCODER_FILE,
        "text_encoder": TEXT_ENCODER_FILE,
        "head": HEAD_FILE,
        "image_feature_size": feature_size,
        "text_feature_size": feature_size,
    }


@dataclass(frozen=True)
class LoadedParts:
    """A bundle's three regressor parts, loaded from disk."""

    image_encoder: torch.jit.ScriptModule
    text_encoder: torch.jit.ScriptModule
    head: torch.jit.ScriptModule

    def score(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        sentiment_features: torch.Tensor,
    ) -> torch.Tensor:
        """The parts composed: the arguments and result of `regressor.pt`."""
        with torch.no_grad():
            return self.head(
                self.image_encoder(pixel_values),
                self.text_encoder(input_ids, attention_mask),
                sentiment_features,
            )

    def argument_names(self) -> dict[str, list[str]]:
        """Each part's `forward` argument names, as `ARGUMENTS` lists them."""
        return {
            name: [argument.name for argument in getattr(self, name).forward.schema.arguments][1:]
            for name in ARGUMENTS
        }


def load_parts(directory: Path, section: dict) -> LoadedParts:
    """Loads the parts a manifest's `regressor_parts` section names, on the CPU, in eval mode."""
    return LoadedParts(
        **{
            name: torch.jit.load(str(directory / section[name]), map_location="cpu").eval()
            for name in ARGUMENTS
        }
    )
