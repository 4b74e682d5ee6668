"""How far apart a bundle's scores lie on the exporter's fidelity corpus, and how far a reduced
bundle's scores lie from them: what a declared rank correlation is to be read against.

    PYTHONPATH=ops ops/.venv/bin/python ops/score_spread.py models/vit-b-32 models/vit-b-32-bf16 [posts]

A rank correlation says little when the reference's scores barely differ: an absolute error near
their standard deviation reorders them, however small it is on the [0, 1] scale.
"""

import sys
from pathlib import Path

import numpy as np

from exporter import precision
from exporter.bundle import read_manifest
from exporter.pipeline import ReferencePipeline


def _pipeline(directory: str) -> ReferencePipeline:
    return ReferencePipeline(Path(directory), read_manifest(Path(directory)))


def spread(reference_dir: str, reduced_dir: str, posts: int = 200) -> dict:
    """Statistics of the reference's scores and of the reduced bundle's differences from them."""
    expected, scores = precision.corpus_scores(
        [_pipeline(reference_dir), _pipeline(reduced_dir)], posts
    )
    difference = np.abs(expected - scores)
    std = float(expected.std())
    return {
        "posts": posts,
        "reference_mean": float(expected.mean()),
        "reference_std": std,
        "reference_min": float(expected.min()),
        "reference_max": float(expected.max()),
        "mean_abs_difference": float(difference.mean()),
        "max_abs_difference": float(difference.max()),
        "mean_difference_over_std": float(difference.mean() / std) if std > 0 else None,
        "rank_correlation": precision.spearman(expected, scores),
    }


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    result = spread(argv[0], argv[1], int(argv[2]) if len(argv) == 3 else 200)
    for key, value in result.items():
        print(f"{key}: {value:.6g}" if isinstance(value, float) else f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
