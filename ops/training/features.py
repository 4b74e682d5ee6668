"""Model inputs of the posts, made by the exporter's reference preprocessing.

Training must see what the service computes, so every step is the exporter's: `clean_text` and
`tokens.encode` for the post text (77 tokens, padded), `images.pixel_values` for the image (CLIP
preprocessing, zeros without an image), and the sentiment features of the manifest's definition
(`sentiment.features`: mean softmax over comments of the bundle's classifier, comments tokenized
as `tokens.encode` does with `padding="longest"`). Text and sentiment are computed once per run
(the sentiment classifier is frozen); images are decoded on first use and kept in memory up to
a budget.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from exporter import images, sentiment, tokens
from exporter.export import TEXT_MAX_TOKENS
from exporter.model import SentimentLogits
from exporter.sources import ModelSources
from exporter.text import clean_text

from .dataset import Post

PIXEL_BYTES = 3 * images.IMAGE_SIZE * images.IMAGE_SIZE * 4

Batch = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


def text_inputs(posts: list[Post], sources: ModelSources) -> tuple[np.ndarray, np.ndarray]:
    """CLIP input ids and attention masks, int64 `[N, 77]`, of the posts' cleaned text."""
    return tokens.encode(
        sources.text_tokenizer,
        [clean_text(post.text) for post in posts],
        TEXT_MAX_TOKENS,
        sources.text_pad_id,
        TEXT_MAX_TOKENS,
    )


def sentiment_features(
    posts: list[Post],
    sources: ModelSources,
    max_tokens: int,
    batch_size: int,
    device: torch.device,
    progress: Callable[[str], None],
) -> np.ndarray:
    """The sentiment features, float32 `[N, 5]`, of every post's comments.

    Comments of all posts are classified in batches of `batch_size`; each post's features are
    then `sentiment.features` of its own comments' logits (`EMPTY_FEATURES` without comments).
    """
    comments = [comment for post in posts for comment in post.comments]
    progress(f"sentiment of {len(comments)} comments of {len(posts)} posts")
    classifier = SentimentLogits(sources.sentiment_model).to(device).eval()
    logits = _classify(classifier, comments, sources, max_tokens, batch_size, device)
    ends = np.cumsum([len(post.comments) for post in posts])
    return np.stack(
        [
            sentiment.features(logits[end - len(post.comments) : end])
            for post, end in zip(posts, ends, strict=True)
        ]
    )


def _classify(
    classifier: nn.Module,
    texts: list[str],
    sources: ModelSources,
    max_tokens: int,
    batch_size: int,
    device: torch.device,
) -> np.ndarray:
    """Logits `[len(texts), 5]`, batch by batch, each batch padded to its longest text."""
    chunks = [np.zeros((0, len(sentiment.LABELS)), dtype=np.float32)]
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            ids, mask = tokens.encode(
                sources.sentiment_tokenizer,
                texts[start : start + batch_size],
                max_tokens,
                sources.sentiment_pad_id,
                None,
            )
            logits = classifier(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device))
            chunks.append(logits.float().cpu().numpy())
    return np.concatenate(chunks)


def cached_sentiment_features(
    cache: Path, key: str, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    """`compute()`, or what it returned before for the same `key` (kept in the file `cache`).

    Classifying every comment is the slow part of preparing a large dataset; a resumed run
    finds the features its first attempt computed.
    """
    if cache.is_file():
        with np.load(cache) as stored:
            if str(stored["key"]) == key:
                return stored["features"]
    features = compute()
    cache.parent.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as stream:
        np.savez(stream, key=np.array(key), features=features)
    return features


@dataclass(frozen=True)
class PostInputs:
    """The precomputed model inputs of a list of posts; images stay files until used."""

    images: list[Path | None]
    input_ids: np.ndarray  # int64 [N, 77]
    attention_mask: np.ndarray  # int64 [N, 77]
    sentiment_features: np.ndarray  # float32 [N, 5]

    def subset(self, indices: list[int]) -> "PostInputs":
        """The rows at `indices`, in that order."""
        return PostInputs(
            images=[self.images[index] for index in indices],
            input_ids=self.input_ids[indices],
            attention_mask=self.attention_mask[indices],
            sentiment_features=self.sentiment_features[indices],
        )


class PostDataset(Dataset):
    """`(pixel_values, input_ids, attention_mask, sentiment_features, target)` per post.

    Pixel values are computed on first use and cached while the cache holds fewer than
    `cache_images` of them (each is 3 x 224 x 224 float32, about 0.6 MB).
    """

    def __init__(self, inputs: PostInputs, targets: np.ndarray, cache_images: int) -> None:
        if len(targets) != len(inputs.images):
            raise ValueError(f"{len(targets)} targets for {len(inputs.images)} posts")
        self._inputs = inputs
        self._targets = torch.from_numpy(np.asarray(targets, dtype=np.float32))
        self._cache_images = cache_images
        self._pixels: dict[int, torch.Tensor] = {}
        self._processor = images.image_processor()

    def __len__(self) -> int:
        return len(self._inputs.images)

    def __getitem__(self, index: int) -> Batch:
        inputs = self._inputs
        return (
            self._pixel_values(index),
            torch.from_numpy(inputs.input_ids[index]),
            torch.from_numpy(inputs.attention_mask[index]),
            torch.from_numpy(inputs.sentiment_features[index]),
            self._targets[index],
        )

    def _pixel_values(self, index: int) -> torch.Tensor:
        """The image's `[3, 224, 224]` model input, from the cache when it is there."""
        cached = self._pixels.get(index)
        if cached is not None:
            return cached
        pixels = torch.from_numpy(images.pixel_values(self._inputs.images[index], self._processor))
        if len(self._pixels) < self._cache_images:
            self._pixels[index] = pixels
        return pixels
