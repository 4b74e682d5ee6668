"""Shared fixtures: one tiny bundle exported through the command line for the whole session."""

from pathlib import Path

import numpy as np
import pytest

from exporter.cli import main
from exporter.sources import random_sources

REPO_ROOT = Path(__file__).resolve().parents[2]
COMMITTED_TINY = REPO_ROOT / "models" / "tiny"
TINY_CREATED_AT = "2026-11-24T00:00:00Z"  # the value ops/export-tiny.sh passes
NUMERIC_FIELDS = {"sentiment_logits", "sentiment_features", "sentiment_score", "engagement_score"}


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory) -> Path:
    """A tiny bundle exported as `ops/export-tiny.sh` does, into a temporary directory."""
    out = tmp_path_factory.mktemp("export") / "tiny"
    assert main(["export", "--out", str(out), "--created-at", TINY_CREATED_AT]) == 0
    return out


@pytest.fixture
def tiny_sources():
    """Fresh tiny random-weight sources."""
    return random_sources("tiny")


def assert_same_expected(actual: dict, expected: dict, tolerance: float, where: str) -> None:
    """Compares two cases' `expected` objects: numbers within `tolerance`, the rest exactly."""
    assert set(actual) == set(expected), where
    for key, value in expected.items():
        if key in NUMERIC_FIELDS:
            np.testing.assert_allclose(
                np.asarray(actual[key], dtype=float),
                np.asarray(value, dtype=float),
                atol=tolerance,
                err_msg=f"{where}.{key}",
            )
        else:
            assert actual[key] == value, f"{where}.{key}"
