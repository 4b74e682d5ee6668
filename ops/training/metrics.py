"""Validation metrics of popularity prediction: MSE (the loss), MAE and Spearman's rank correlation.

All three compare predicted scores with the normalised targets in [0, 1]. Spearman's rho is the
usual headline figure for popularity prediction: it asks whether the model orders posts as their
engagement does, whatever the scale, and is unchanged by the monotone label normalisation.
"""

import numpy as np


def regression_metrics(predictions: np.ndarray, targets: np.ndarray) -> dict[str, float]:
    """`{"loss": MSE, "mae": MAE, "spearman": rho}` of two equally long 1-d arrays."""
    predictions = np.asarray(predictions, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64)
    errors = predictions - targets
    return {
        "loss": float(np.mean(errors**2)),
        "mae": float(np.mean(np.abs(errors))),
        "spearman": spearman(predictions, targets),
    }


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's rho: the Pearson correlation of the ranks, ties given their mean rank.

    NaN when either side is constant (no ordering to correlate).
    """
    ranks_a, ranks_b = average_ranks(a), average_ranks(b)
    ranks_a -= ranks_a.mean()
    ranks_b -= ranks_b.mean()
    denominator = np.sqrt((ranks_a**2).sum() * (ranks_b**2).sum())
    return float((ranks_a * ranks_b).sum() / denominator) if denominator > 0 else float("nan")


def average_ranks(values: np.ndarray) -> np.ndarray:
    """0-based ranks of `values`, equal values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(
        np.asarray(values, dtype=np.float64), return_inverse=True, return_counts=True
    )
    ends = np.cumsum(counts)
    return ((ends - counts + ends - 1) / 2.0)[inverse]
