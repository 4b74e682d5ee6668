"""Sentiment features and score as models/README.md defines them."""

import numpy as np
import pytest

from exporter import sentiment


def test_no_comments_is_certainly_neutral() -> None:
    features = sentiment.features(np.zeros((0, 5), dtype=np.float32))
    assert features.tolist() == [0, 0, 1, 0, 0]
    assert sentiment.score(features) == sentiment.EMPTY_SCORE == 0.5


def test_features_are_the_mean_softmax_of_the_comments() -> None:
    logits = np.array([[0, 0, 0, 0, 10], [10, 0, 0, 0, 0], [1, 2, 3, 4, 5]], dtype=np.float32)
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    features = sentiment.features(logits)
    assert features.dtype == np.float32
    assert features == pytest.approx(softmax.mean(axis=0), abs=1e-7)
    assert features.sum() == pytest.approx(1.0, abs=1e-6)


def test_one_comment_uses_its_softmax() -> None:
    features = sentiment.features(np.array([[1000, 0, 0, 0, 0]], dtype=np.float32))
    assert features == pytest.approx([1, 0, 0, 0, 0])


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        ([1, 0, 0, 0, 0], 0.0),
        ([0, 0, 0, 0, 1], 1.0),
        ([0, 0, 1, 0, 0], 0.5),
        ([0, 0.5, 0, 0.5, 0], 0.5),
        ([0.2] * 5, 0.5),
        ([0, 0, 0, 1, 0], 0.75),
    ],
)
def test_score_is_the_expected_label_value(features, expected) -> None:
    assert sentiment.score(np.array(features)) == pytest.approx(expected)
