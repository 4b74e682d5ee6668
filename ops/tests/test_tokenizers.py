"""The tiny tokenizers, and the manifest's truncation and padding rule."""

import json

import numpy as np
import pytest

from exporter import tokens
from exporter.tiny_tokenizers import build_clip_tokenizer, build_sentiment_tokenizer

TEXTS = [
    "",
    "check out this amazing sunset beautiful nature",
    "오늘 노을이 정말 아름다워요",
    "Wow, so beautiful! 😍",
    " ".join(["the quick brown fox jumps over the lazy dog"] * 30),
]


@pytest.fixture(scope="module")
def clip_tokenizer():
    return build_clip_tokenizer()


@pytest.fixture(scope="module")
def sentiment_tokenizer():
    return build_sentiment_tokenizer()


def manifest_rule(tokenizer, layout: tokens.SpecialTokens, text: str, max_tokens: int, length: int):
    """What the service does: content cut to fit, special tokens around it, pad id to `length`."""
    content = tokenizer.encode(text, add_special_tokens=False).ids
    kept = content[: max_tokens - len(layout.prefix_ids) - len(layout.suffix_ids)]
    ids = [*layout.prefix_ids, *kept, *layout.suffix_ids]
    return ids + [layout.pad_id] * (length - len(ids)), [1] * len(ids) + [0] * (length - len(ids))


def test_clip_tokenizer_is_laid_out_like_clip(clip_tokenizer) -> None:
    vocab = clip_tokenizer.get_vocab()
    assert len(vocab) == 1000
    assert vocab["<|endoftext|>"] == max(vocab.values()) == 999
    assert vocab["<|startoftext|>"] == 998
    assert tokens.special_tokens(clip_tokenizer, pad_id=999) == tokens.SpecialTokens(
        (998,), (999,), 999
    )


def test_sentiment_tokenizer_has_bert_specials_and_keeps_case(sentiment_tokenizer) -> None:
    vocab = sentiment_tokenizer.get_vocab()
    assert len(vocab) == 1000
    assert [vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")] == [0, 1, 2, 3, 4]
    assert tokens.special_tokens(sentiment_tokenizer, pad_id=0) == tokens.SpecialTokens(
        (2,), (3,), 0
    )
    assert sentiment_tokenizer.encode("Love").ids != sentiment_tokenizer.encode("love").ids


def test_tokenizers_are_learned_deterministically(clip_tokenizer, sentiment_tokenizer) -> None:
    assert build_clip_tokenizer().to_str() == clip_tokenizer.to_str()
    assert build_sentiment_tokenizer().to_str() == sentiment_tokenizer.to_str()


def test_clip_text_pads_to_77_like_huggingface(clip_tokenizer) -> None:
    layout = tokens.special_tokens(clip_tokenizer, pad_id=999)
    ids, mask = tokens.encode(clip_tokenizer, TEXTS, 77, 999, 77)
    for row, text in enumerate(TEXTS):
        assert (ids[row].tolist(), mask[row].tolist()) == manifest_rule(
            clip_tokenizer, layout, text, 77, 77
        )
    assert mask[-1].sum() == 77 and ids[-1, -1] == 999


def test_sentiment_pads_to_longest_like_huggingface(sentiment_tokenizer) -> None:
    layout = tokens.special_tokens(sentiment_tokenizer, pad_id=0)
    ids, mask = tokens.encode(sentiment_tokenizer, TEXTS, 128, 0, None)
    assert ids.shape == (len(TEXTS), 128)
    for row, text in enumerate(TEXTS):
        assert (ids[row].tolist(), mask[row].tolist()) == manifest_rule(
            sentiment_tokenizer, layout, text, 128, 128
        )
        assert (
            tokens.unpadded_ids(sentiment_tokenizer, text, 128) == ids[row][mask[row] == 1].tolist()
        )


def test_bundle_tokenizers_carry_no_padding_or_truncation(tiny_bundle) -> None:
    for name in ("text_tokenizer.json", "sentiment_tokenizer.json"):
        saved = json.loads((tiny_bundle / name).read_text(encoding="utf-8"))
        assert saved["padding"] is None and saved["truncation"] is None


def test_for_bundle_clears_padding_and_truncation(clip_tokenizer) -> None:
    configured = tokens.for_bundle(clip_tokenizer)
    configured.enable_padding(length=77)
    configured.enable_truncation(77)
    cleared = tokens.for_bundle(configured)
    assert cleared.padding is None and cleared.truncation is None
    assert np.array_equal(cleared.encode(TEXTS[-1]).ids, clip_tokenizer.encode(TEXTS[-1]).ids)
