"""Reduced-precision bundles: each module in bf16, fp16 or int8 behind an fp32 interface.

A module of a reduced bundle takes and returns what the fp32 module does (float32 pixels and
features, int64 ids and masks; float32 scores, logits and features), and casts inside, so the
service loads it unchanged. How far its scores are from the fp32 bundle of the same weights is
measured on a generated corpus and declared in the manifest (`fidelity`).
"""

import copy
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from .corpus import CORPUS

FP32, BF16, INT8, FP16 = "fp32", "bf16", "int8", "fp16"
PRECISIONS = (FP32, BF16, INT8, FP16)
DTYPES = {BF16: torch.bfloat16, FP16: torch.float16}
# Posts the fidelity is measured on, at least; and the corpus's seed.
MIN_FIDELITY_POSTS = 200
FIDELITY_SEED = 15
MAX_COMMENTS = 50
# The reference cases of a reduced bundle are its own outputs; Java's preprocessing differs from
# Pillow's by a level here and there, which a bf16 cast of the pixels can round either way.
REDUCED_REFERENCE_TOLERANCE = 5e-3
SCRIPTS = (
    "Закат над рекой, просто чудо",
    "夕日がとてもきれいです #旅行",
    "해질녘 바다 정말 멋져요",
    "غروب الشمس رائع جدا",
    "सूर्यास्त बहुत सुंदर है",
    "Ein wunderschöner Abend am See 🌅",
    "¡Qué atardecer tan bonito! #viaje",
)


def _cast_inputs(dtype: torch.dtype):
    """A forward pre-hook casting floating inputs to `dtype`."""

    def hook(module: nn.Module, inputs: tuple) -> tuple:
        return tuple(t.to(dtype) if t.is_floating_point() else t for t in inputs)

    return hook


def _float_output(module: nn.Module, inputs: tuple, output: torch.Tensor) -> torch.Tensor:
    """A forward hook casting the output back to float32."""
    return output.float()


def at_precision(module: nn.Module, precision: str) -> nn.Module:
    """A copy of `module` in `precision` behind the fp32 interface (`module` itself for fp32)."""
    if precision == FP32:
        return module
    if precision == INT8:
        # Dynamic quantization of the Linear layers (fbgemm, CPU): int8 weights, activations
        # quantized per batch; inputs and outputs stay float32.
        return torch.ao.quantization.quantize_dynamic(
            copy.deepcopy(module).eval(), {nn.Linear}, dtype=torch.qint8
        )
    if precision in DTYPES:
        # Hooks rather than a wrapper: the traced forward keeps the module's argument names,
        # which the manifest's parts section lists.
        converted = copy.deepcopy(module).to(DTYPES[precision]).eval()
        converted.register_forward_pre_hook(_cast_inputs(DTYPES[precision]))
        converted.register_forward_hook(_float_output)
        return converted
    raise ValueError(f"unknown precision {precision!r}: one of {', '.join(PRECISIONS)}")


class ComposedRegressor(nn.Module):
    """The regressor as its three parts composed, each in the precision it was given.

    A reduced bundle's `regressor.pt` is this, with both encoders reduced and the head (a small MLP,
    nothing to gain) in fp32, so that the score itself is not rounded to bf16's 8 bits.
    """

    def __init__(self, image_encoder: nn.Module, text_encoder: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.image_encoder = image_encoder
        self.text_encoder = text_encoder
        self.head = head

    def forward(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        sentiment_features: torch.Tensor,
    ) -> torch.Tensor:
        return self.head(
            self.image_encoder(pixel_values),
            self.text_encoder(input_ids, attention_mask),
            sentiment_features,
        )


def check_runnable(precision: str) -> None:
    """Raises unless this machine can run (and so measure) `precision`."""
    if precision == FP16 and not torch.cuda.is_available():
        raise ValueError(
            "fp16 is for GPUs, and this machine has none to measure its fidelity on: export it"
            " where one is, or use bf16 (CPUs with AVX512-BF16 or AMX, and GPUs)"
        )


@dataclass(frozen=True)
class Post:
    """One generated post: raw text, an image file or None, raw comments."""

    raw_text: str
    image: Path | None
    comments: list[str]


def generated_posts(directory: Path, count: int, seed: int = FIDELITY_SEED) -> list[Post]:
    """`count` seeded posts: text in several scripts, half with an image, 0 to 50 comments."""
    rng = np.random.default_rng(seed)
    texts = list(CORPUS) + list(SCRIPTS)
    posts = []
    for index in range(count):
        words = [texts[i] for i in rng.integers(0, len(texts), size=int(rng.integers(1, 4)))]
        comments = [
            texts[i] for i in rng.integers(0, len(texts), size=int(rng.integers(0, MAX_COMMENTS + 1)))
        ]
        image = None
        if index % 2 == 0:
            image = directory / f"post-{index}.png"
            height, width = int(rng.integers(64, 400)), int(rng.integers(64, 400))
            base = rng.integers(0, 255, size=3)
            pixels = base + rng.normal(0, 40, (height, width, 3)) + np.linspace(
                0, 80, width
            )[None, :, None]
            Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(image, format="PNG")
        posts.append(Post(" ".join(words), image, comments))
    return posts


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation (ties get their mean rank)."""
    return float(np.corrcoef(_ranks(a), _ranks(b))[0, 1])


def _ranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    for value in np.unique(values):
        tied = values == value
        if tied.sum() > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def fidelity(reference_scores: np.ndarray, scores: np.ndarray, seed: int) -> dict:
    """The manifest's `fidelity` section: `scores` against the fp32 bundle's, post by post."""
    difference = np.abs(scores - reference_scores)
    return {
        "against": FP32,
        "posts": int(len(scores)),
        "seed": seed,
        "max_abs_difference": float(difference.max()),
        "mean_abs_difference": float(difference.mean()),
        "rank_correlation": spearman(reference_scores, scores),
    }


def corpus_scores(pipelines: list, posts: int, seed: int = FIDELITY_SEED) -> list[np.ndarray]:
    """Each pipeline's engagement scores of the same `posts` generated posts (`generated_posts`)."""
    with tempfile.TemporaryDirectory(prefix="fidelity-") as scratch:
        corpus = generated_posts(Path(scratch), posts, seed)
        return [
            np.array([p.score(post.raw_text, post.image, post.comments).engagement_score
                      for post in corpus])
            for p in pipelines
        ]
