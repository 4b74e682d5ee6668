"""Where an export starts from: random-weight architectures or the pretrained hub models.

Both kinds give the same `ModelSources`, and everything after this point (LoRA, merge, tracing,
reference cases, manifest) is one code path.
"""

from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Tokenizer
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    CLIPModel,
    CLIPTokenizerFast,
    DistilBertForSequenceClassification,
    PreTrainedModel,
)

from . import tokens
from .configs import REAL_HEAD_HIDDEN_DIMS, SIZES, TextSpecialIds, clip_config, sentiment_config
from .sentiment import LABELS
from .tiny_tokenizers import CLIP_END, CLIP_START, build_clip_tokenizer, build_sentiment_tokenizer

ATTN_IMPLEMENTATION = "sdpa"
CLIP_SEED = 0
SENTIMENT_SEED = 1


@dataclass
class ModelSources:
    """The models and tokenizers an export starts from, and how to describe them.

    An export leaves them as they were (`export.lora_regressor` works on a copy of `clip`), so
    one set of sources can be exported more than once; training wraps `clip` itself.
    """

    name: str
    base_models: dict[str, str]
    clip: CLIPModel
    text_tokenizer: Tokenizer
    text_pad_id: int
    sentiment_model: PreTrainedModel
    sentiment_tokenizer: Tokenizer
    sentiment_pad_id: int
    head_hidden_dims: tuple[int, ...]
    trained_state: Path | None  # None: random head and random LoRA B matrices


def random_sources(size: str) -> ModelSources:
    """Random-weight models of a size ("tiny", "vit-b-32", "vit-l-14"), with the tiny tokenizers."""
    spec = SIZES[size]
    text_tokenizer = build_clip_tokenizer()
    sentiment_tokenizer = build_sentiment_tokenizer()
    text_ids = TextSpecialIds(
        vocab_size=text_tokenizer.get_vocab_size(),
        bos_id=text_tokenizer.token_to_id(CLIP_START),
        eos_id=text_tokenizer.token_to_id(CLIP_END),
        pad_id=text_tokenizer.token_to_id(CLIP_END),
    )
    torch.manual_seed(CLIP_SEED)
    clip = CLIPModel(clip_config(spec.clip, text_ids, ATTN_IMPLEMENTATION))
    sentiment_pad_id = sentiment_tokenizer.token_to_id("[PAD]")
    torch.manual_seed(SENTIMENT_SEED)
    sentiment_model = DistilBertForSequenceClassification(
        sentiment_config(
            spec.sentiment,
            sentiment_tokenizer.get_vocab_size(),
            sentiment_pad_id,
            ATTN_IMPLEMENTATION,
        )
    )
    return ModelSources(
        name=f"engagement-clip-{size}",
        base_models={"clip": spec.clip_base, "sentiment": spec.sentiment_base},
        clip=clip,
        text_tokenizer=text_tokenizer,
        text_pad_id=text_ids.pad_id,
        sentiment_model=sentiment_model,
        sentiment_tokenizer=sentiment_tokenizer,
        sentiment_pad_id=sentiment_pad_id,
        head_hidden_dims=spec.head_hidden_dims,
        trained_state=None,
    )


def pretrained_sources(
    base: str,
    sentiment: str,
    trained_state: Path,
    head_hidden_dims: tuple[int, ...] = REAL_HEAD_HIDDEN_DIMS,
) -> ModelSources:
    """Pretrained CLIP and sentiment models and tokenizers, plus the fine-tuned regressor weights.

    `base` and `sentiment` are hub ids or local directories (anything `from_pretrained` takes);
    `head_hidden_dims` must be those the regressor was trained with.
    """
    clip = CLIPModel.from_pretrained(base, attn_implementation=ATTN_IMPLEMENTATION)
    text_tokenizer = CLIPTokenizerFast.from_pretrained(base)
    sentiment_model = AutoModelForSequenceClassification.from_pretrained(
        sentiment, attn_implementation=ATTN_IMPLEMENTATION
    )
    require_labels(sentiment_model)
    sentiment_tokenizer = AutoTokenizer.from_pretrained(sentiment)
    return ModelSources(
        name="engagement-" + Path(base).name,
        base_models={"clip": base, "sentiment": sentiment},
        clip=clip,
        text_tokenizer=tokens.for_bundle(text_tokenizer.backend_tokenizer),
        text_pad_id=text_tokenizer.pad_token_id,
        sentiment_model=sentiment_model,
        sentiment_tokenizer=tokens.for_bundle(sentiment_tokenizer.backend_tokenizer),
        sentiment_pad_id=sentiment_tokenizer.pad_token_id,
        head_hidden_dims=tuple(head_hidden_dims),
        trained_state=trained_state,
    )


def require_labels(classifier: PreTrainedModel) -> None:
    """Raises unless the classifier's labels are, case aside, `LABELS` in that order."""
    labels = tuple(
        classifier.config.id2label[index].lower()
        for index in range(len(classifier.config.id2label))
    )
    if labels != LABELS:
        raise ValueError(f"sentiment labels {labels}, expected {LABELS}")
