"""Engagement counts -> training targets in [0, 1]: log1p, then min-max over the training split.

Engagement counts are heavy-tailed: a few posts get thousands of times the median. On the log
scale a doubling is the same step wherever it happens, and log1p keeps zero at zero. Min-max over
the training split (never the validation split, so nothing leaks from it) maps the range seen in
training onto the regressor's sigmoid output; values outside it are clipped to 0 or 1. The
transform is monotone, so rank metrics (Spearman) are the same on counts and on targets, and
`count(score)` turns a score back into an engagement count. Its two parameters go into the
bundle's manifest (`training.label_normalisation`).
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

METHOD = "log1p_minmax"


@dataclass(frozen=True)
class LabelNormalisation:
    """`clip((log1p(count) - log_min) / (log_max - log_min), 0, 1)`, fitted on training labels."""

    field: str
    log_min: float
    log_max: float

    @classmethod
    def fit(cls, counts: Sequence[float], field: str) -> "LabelNormalisation":
        """Fits the range of `log1p(counts)`; raises when every count is the same."""
        logs = np.log1p(np.asarray(counts, dtype=np.float64))
        if logs.size == 0 or logs.min() == logs.max():
            raise ValueError(
                f"the training split's {field!r} values are all equal: nothing to learn"
            )
        return cls(field=field, log_min=float(logs.min()), log_max=float(logs.max()))

    def targets(self, counts: Sequence[float]) -> np.ndarray:
        """The float32 targets of `counts`, in [0, 1]."""
        logs = np.log1p(np.asarray(counts, dtype=np.float64))
        return np.clip((logs - self.log_min) / (self.log_max - self.log_min), 0, 1).astype(
            np.float32
        )

    def count(self, score: float) -> float:
        """The engagement count a score stands for (the inverse on [0, 1])."""
        return float(np.expm1(self.log_min + score * (self.log_max - self.log_min)))

    def manifest_section(self) -> dict:
        """The manifest's `training.label_normalisation`."""
        return {
            "method": METHOD,
            "field": self.field,
            "log_min": self.log_min,
            "log_max": self.log_max,
            "target": "clip((log1p(x) - log_min) / (log_max - log_min), 0, 1)",
            "inverse": "expm1(log_min + score * (log_max - log_min))",
        }
