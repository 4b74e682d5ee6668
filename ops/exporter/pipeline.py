"""The Python reference of the service's scoring: the same steps, run on a bundle's files."""

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer

from . import images, sentiment, tokens
from .bundle import REGRESSOR_FILE, SENTIMENT_FILE
from .text import clean_text


@dataclass(frozen=True)
class Scored:
    """Every intermediate and final value of scoring one post."""

    cleaned_text: str
    input_ids: np.ndarray  # int64 [max_tokens]
    attention_mask: np.ndarray  # int64 [max_tokens]
    pixel_values: np.ndarray  # float32 [3, S, S]
    sentiment_input_ids: list[list[int]]
    sentiment_logits: np.ndarray  # float32 [comments, labels]
    sentiment_features: np.ndarray  # float32 [labels]
    sentiment_score: float
    engagement_score: float


class ReferencePipeline:
    """Scores posts with a bundle's TorchScript models and tokenizer files, loaded from disk."""

    def __init__(self, bundle_dir: Path, manifest: dict) -> None:
        text, sentiment_settings = manifest["text"], manifest["sentiment"]
        self._regressor = torch.jit.load(
            str(bundle_dir / REGRESSOR_FILE), map_location="cpu"
        ).eval()
        self._classifier = torch.jit.load(
            str(bundle_dir / SENTIMENT_FILE), map_location="cpu"
        ).eval()
        self._text_tokenizer = Tokenizer.from_file(str(bundle_dir / text["tokenizer"]))
        self._text_max_tokens = text["max_tokens"]
        self._text_pad_id = text["special_tokens"]["pad_id"]
        self._sentiment_tokenizer = Tokenizer.from_file(
            str(bundle_dir / sentiment_settings["tokenizer"])
        )
        self._sentiment_max_tokens = sentiment_settings["max_tokens"]
        self._sentiment_pad_id = sentiment_settings["special_tokens"]["pad_id"]
        self._sentiment_length = (
            None if sentiment_settings["padding"] == "longest" else self._sentiment_max_tokens
        )
        self._processor = images.image_processor()

    def score(self, raw_text: str, image: Path | None, comments: list[str]) -> Scored:
        """Scores one post: its raw text, image file (or None) and raw comments."""
        cleaned = clean_text(raw_text)
        input_ids, attention_mask = tokens.encode(
            self._text_tokenizer,
            [cleaned],
            self._text_max_tokens,
            self._text_pad_id,
            self._text_max_tokens,
        )
        pixel_values = images.pixel_values(image, self._processor)
        logits = self.sentiment_logits(comments)
        features = sentiment.features(logits)
        with torch.no_grad():
            engagement = self._regressor(
                torch.from_numpy(pixel_values[None]),
                torch.from_numpy(input_ids),
                torch.from_numpy(attention_mask),
                torch.from_numpy(features[None]),
            )
        return Scored(
            cleaned_text=cleaned,
            input_ids=input_ids[0],
            attention_mask=attention_mask[0],
            pixel_values=pixel_values,
            sentiment_input_ids=[
                tokens.unpadded_ids(self._sentiment_tokenizer, comment, self._sentiment_max_tokens)
                for comment in comments
            ],
            sentiment_logits=logits,
            sentiment_features=features,
            sentiment_score=sentiment.score(features),
            engagement_score=float(engagement[0]),
        )

    def sentiment_logits(self, comments: list[str]) -> np.ndarray:
        """Logits `[n, labels]` of the comments, run as one batch padded as the manifest says."""
        if not comments:
            return np.zeros((0, len(sentiment.LABELS)), dtype=np.float32)
        ids, mask = tokens.encode(
            self._sentiment_tokenizer,
            comments,
            self._sentiment_max_tokens,
            self._sentiment_pad_id,
            self._sentiment_length,
        )
        with torch.no_grad():
            return self._classifier(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
