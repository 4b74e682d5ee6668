"""Architectures of the random-weight modes: tiny (committed) and full-size (benchmarks)."""

from dataclasses import dataclass

from transformers import CLIPConfig, DistilBertConfig

from .sentiment import LABELS


@dataclass(frozen=True)
class ClipDims:
    """The dimensions of a CLIP model that differ between sizes."""

    vision_hidden: int
    vision_intermediate: int
    vision_layers: int
    vision_heads: int
    patch_size: int
    text_hidden: int
    text_intermediate: int
    text_layers: int
    text_heads: int
    projection_dim: int
    text_vocab_size: int | None  # None: the tokenizer's vocabulary


@dataclass(frozen=True)
class DistilBertDims:
    """The dimensions of a DistilBERT model that differ between sizes."""

    dim: int
    layers: int
    heads: int
    hidden_dim: int
    max_positions: int


@dataclass(frozen=True)
class RandomSize:
    """One random-weight architecture: CLIP, head and sentiment classifier dimensions."""

    name: str
    clip: ClipDims
    head_hidden_dims: tuple[int, ...]
    sentiment: DistilBertDims
    clip_base: str
    sentiment_base: str


TINY_SIZE = "tiny"
REAL_HEAD_HIDDEN_DIMS = (512, 128)
_DISTILBERT_BASE = DistilBertDims(dim=768, layers=6, heads=12, hidden_dim=3072, max_positions=512)
_FULL_SIZE_NOTE = "random weights; text tokenizer: tiny 1000-token BPE"
_FULL_SIZE_SENTIMENT = (
    "random-distilbert-base (random weights; vocabulary: tiny 1000-token WordPiece)"
)

SIZES: dict[str, RandomSize] = {
    TINY_SIZE: RandomSize(
        name=TINY_SIZE,
        clip=ClipDims(32, 64, 2, 4, 32, 32, 64, 2, 4, 16, text_vocab_size=None),
        head_hidden_dims=(32, 16),
        sentiment=DistilBertDims(dim=32, layers=2, heads=4, hidden_dim=64, max_positions=128),
        clip_base="tiny-random-clip",
        sentiment_base="tiny-random-distilbert",
    ),
    "vit-b-32": RandomSize(
        name="vit-b-32",
        clip=ClipDims(768, 3072, 12, 12, 32, 512, 2048, 12, 8, 512, text_vocab_size=49408),
        head_hidden_dims=REAL_HEAD_HIDDEN_DIMS,
        sentiment=_DISTILBERT_BASE,
        clip_base=f"random-clip-vit-base-patch32 ({_FULL_SIZE_NOTE})",
        sentiment_base=_FULL_SIZE_SENTIMENT,
    ),
    "vit-l-14": RandomSize(
        name="vit-l-14",
        clip=ClipDims(1024, 4096, 24, 16, 14, 768, 3072, 12, 12, 768, text_vocab_size=49408),
        head_hidden_dims=REAL_HEAD_HIDDEN_DIMS,
        sentiment=_DISTILBERT_BASE,
        clip_base=f"random-clip-vit-large-patch14 ({_FULL_SIZE_NOTE})",
        sentiment_base=_FULL_SIZE_SENTIMENT,
    ),
}


@dataclass(frozen=True)
class TextSpecialIds:
    """The CLIP text tokenizer's special ids the text model needs (pooling uses the eos id)."""

    vocab_size: int
    bos_id: int
    eos_id: int
    pad_id: int


def clip_config(dims: ClipDims, text: TextSpecialIds, attn_implementation: str) -> CLIPConfig:
    """A CLIP configuration of the given dimensions, 224-pixel images and 77 text positions."""
    config = CLIPConfig(
        text_config={
            "vocab_size": dims.text_vocab_size or text.vocab_size,
            "hidden_size": dims.text_hidden,
            "intermediate_size": dims.text_intermediate,
            "num_hidden_layers": dims.text_layers,
            "num_attention_heads": dims.text_heads,
            "max_position_embeddings": 77,
            "bos_token_id": text.bos_id,
            "eos_token_id": text.eos_id,
            "pad_token_id": text.pad_id,
        },
        vision_config={
            "hidden_size": dims.vision_hidden,
            "intermediate_size": dims.vision_intermediate,
            "num_hidden_layers": dims.vision_layers,
            "num_attention_heads": dims.vision_heads,
            "patch_size": dims.patch_size,
            "image_size": 224,
        },
        projection_dim=dims.projection_dim,
    )
    _set_attn_implementation(config, attn_implementation)
    return config


def sentiment_config(
    dims: DistilBertDims, vocab_size: int, pad_id: int, attn_implementation: str
) -> DistilBertConfig:
    """A five-label DistilBERT sequence-classifier configuration of the given dimensions."""
    config = DistilBertConfig(
        vocab_size=vocab_size,
        dim=dims.dim,
        n_layers=dims.layers,
        n_heads=dims.heads,
        hidden_dim=dims.hidden_dim,
        max_position_embeddings=dims.max_positions,
        pad_token_id=pad_id,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: index for index, label in enumerate(LABELS)},
    )
    _set_attn_implementation(config, attn_implementation)
    return config


def _set_attn_implementation(config, attn_implementation: str) -> None:
    """Sets the attention kernel of a configuration and of its text and vision parts."""
    config._attn_implementation = attn_implementation
    for sub_config in (
        getattr(config, "text_config", None),
        getattr(config, "vision_config", None),
    ):
        if sub_config is not None:
            sub_config._attn_implementation = attn_implementation
