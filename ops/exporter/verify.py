"""Checks a bundle: its files against the manifest, and its reference cases against a re-run."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .bundle import BundleError, check_files, read_manifest
from .pipeline import ReferencePipeline, Scored
from .reference import read_pixels

_EXACT_FIELDS = ("cleaned_text", "input_ids", "attention_mask", "sentiment_input_ids")
_NUMERIC_FIELDS = ("sentiment_logits", "sentiment_features", "sentiment_score", "engagement_score")


@dataclass(frozen=True)
class Verification:
    """What a successful check covered."""

    files: int
    cases: int
    largest_difference: float


def verify_bundle(directory: Path, tolerance: float | None = None) -> Verification:
    """Checks every file's size and sha256, then re-scores each reference case from the files.

    Numbers must agree within `tolerance` (default: the manifest's); token ids and cleaned text
    exactly. Raises `BundleError` listing every disagreement.
    """
    manifest = read_manifest(directory)
    check_files(directory, manifest)
    tolerance = manifest["reference"]["tolerance"] if tolerance is None else tolerance
    pipeline = ReferencePipeline(directory, manifest)
    cases = json.loads((directory / manifest["reference"]["cases"]).read_text(encoding="utf-8"))[
        "cases"
    ]
    problems: list[str] = []
    largest = 0.0
    for case in cases:
        image = None if case["image"] is None else directory / case["image"]
        scored = pipeline.score(case["raw_text"], image, case["comments"])
        problems += [
            f"{case['name']}: {problem}" for problem in _mismatches(case["expected"], scored)
        ]
        differences = _differences(case["expected"], scored, directory, manifest["image"]["size"])
        for field, difference in differences.items():
            largest = max(largest, difference)
            if not difference <= tolerance:
                problems.append(
                    f"{case['name']}: {field} differs by {difference} (tolerance {tolerance})"
                )
    if problems:
        raise BundleError(f"bundle {directory}: " + "; ".join(problems))
    return Verification(files=len(manifest["files"]), cases=len(cases), largest_difference=largest)


def _mismatches(expected: dict, scored: Scored) -> list[str]:
    """The fields that must match exactly and do not."""
    return [
        f"{field} is {_as_list(getattr(scored, field))!r}, expected {expected[field]!r}"
        for field in _EXACT_FIELDS
        if _as_list(getattr(scored, field)) != expected[field]
    ]


def _differences(
    expected: dict, scored: Scored, directory: Path, image_size: int
) -> dict[str, float]:
    """The largest absolute difference of each numeric field, pixel values included."""
    differences = {
        field: _largest_difference(getattr(scored, field), expected[field])
        for field in _NUMERIC_FIELDS
    }
    if expected["pixel_values"] is None:
        differences["pixel_values"] = float(np.abs(scored.pixel_values).max())
    else:
        stored = read_pixels(directory / expected["pixel_values"], image_size)
        differences["pixel_values"] = _largest_difference(scored.pixel_values, stored)
    return differences


def _as_list(value):
    """Arrays as nested lists, anything else as it is."""
    return value.tolist() if isinstance(value, np.ndarray) else value


def _largest_difference(actual, expected) -> float:
    """Largest absolute element difference; infinite when the shapes differ."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if actual.size == expected.size == 0:
        return 0.0
    if actual.shape != expected.shape:
        return float("inf")
    return float(np.abs(actual - expected).max(initial=0.0))
