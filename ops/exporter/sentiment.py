"""Comment sentiment features and score, as models/README.md defines them."""

import numpy as np

LABELS = ("very negative", "negative", "neutral", "positive", "very positive")
LABEL_VALUES = (0.0, 0.25, 0.5, 0.75, 1.0)
EMPTY_FEATURES = (0.0, 0.0, 1.0, 0.0, 0.0)
EMPTY_SCORE = 0.5


def features(logits: np.ndarray) -> np.ndarray:
    """Mean over comments of the softmax of each comment's logits (`[n, 5]` -> `[5]`, float32).

    No comments (`n = 0`) gives `EMPTY_FEATURES`, certainly neutral.
    """
    if len(logits) == 0:
        return np.array(EMPTY_FEATURES, dtype=np.float32)
    logits = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probabilities = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities.mean(axis=0).astype(np.float32)


def score(sentiment_features: np.ndarray) -> float:
    """The expected label value of the features: 0 all very negative, 1 all very positive."""
    return float(np.dot(np.asarray(sentiment_features, dtype=np.float64), LABEL_VALUES))


def manifest_section(
    tokenizer_file: str, max_tokens: int, padding: str, special_tokens: dict
) -> dict:
    """The manifest's `sentiment` section."""
    return {
        "tokenizer": tokenizer_file,
        "max_tokens": max_tokens,
        "padding": padding,
        "special_tokens": special_tokens,
        "labels": list(LABELS),
        "features": {
            "definition": "mean_softmax",
            "size": len(LABELS),
            "empty_features": list(EMPTY_FEATURES),
        },
        "score": {
            "definition": "expected_label_value",
            "label_values": list(LABEL_VALUES),
            "empty_score": EMPTY_SCORE,
        },
    }
