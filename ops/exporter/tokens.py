"""Tokenizer files and the special-token layout the manifest describes."""

from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer

_PROBE_TEXT = "a"


@dataclass(frozen=True)
class SpecialTokens:
    """The ids the post-processor puts around a single text, and the id that pads it."""

    prefix_ids: tuple[int, ...]
    suffix_ids: tuple[int, ...]
    pad_id: int

    def manifest_section(self) -> dict:
        """The manifest's `special_tokens` object."""
        return {
            "prefix_ids": list(self.prefix_ids),
            "suffix_ids": list(self.suffix_ids),
            "pad_id": self.pad_id,
        }


def for_bundle(tokenizer: Tokenizer) -> Tokenizer:
    """A copy of `tokenizer` without padding or truncation: the service does both itself."""
    copy = Tokenizer.from_str(tokenizer.to_str())
    copy.no_padding()
    copy.no_truncation()
    return copy


def special_tokens(tokenizer: Tokenizer, pad_id: int) -> SpecialTokens:
    """Reads the prefix and suffix ids off what the post-processor does to a one-token text."""
    encoding = tokenizer.encode(_PROBE_TEXT)
    content = [index for index, special in enumerate(encoding.special_tokens_mask) if not special]
    if not content:
        raise ValueError(f"tokenizer gives no content token for {_PROBE_TEXT!r}")
    layout = SpecialTokens(
        prefix_ids=tuple(encoding.ids[: content[0]]),
        suffix_ids=tuple(encoding.ids[content[-1] + 1 :]),
        pad_id=pad_id,
    )
    added = tokenizer.post_processor.num_special_tokens_to_add(False)
    if len(layout.prefix_ids) + len(layout.suffix_ids) != added:
        raise ValueError(f"post-processor adds {added} tokens, found {layout}")
    return layout


def encode(
    tokenizer: Tokenizer, texts: list[str], max_tokens: int, pad_id: int, length: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Ids and attention masks (int64 `[B, L]`) as HuggingFace makes them with `truncation=True`.

    `length` pads every row to that length (`padding="max_length"`); None pads to the longest
    row (`padding="longest"`).
    """
    configured = Tokenizer.from_str(tokenizer.to_str())
    configured.enable_truncation(max_length=max_tokens)
    configured.enable_padding(
        pad_id=pad_id, pad_token=configured.id_to_token(pad_id), length=length
    )
    encodings = configured.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    return ids, mask


def unpadded_ids(tokenizer: Tokenizer, text: str, max_tokens: int) -> list[int]:
    """The ids of one text with special tokens, truncated to `max_tokens`, not padded."""
    configured = Tokenizer.from_str(tokenizer.to_str())
    configured.enable_truncation(max_length=max_tokens)
    return configured.encode(text).ids
