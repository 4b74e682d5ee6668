"""Checks a bundle: its files against the manifest, its reference cases and parts by re-running."""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import parts
from .bundle import REGRESSOR_FILE, BundleError, check_files, read_manifest
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
    parts_difference: float | None = None  # None: a bundle without `regressor_parts`


def verify_bundle(directory: Path, tolerance: float | None = None) -> Verification:
    """Checks every file's size and sha256, then re-scores each reference case from the files.

    Numbers must agree within `tolerance` (default: the manifest's); token ids and cleaned text
    exactly. A bundle with `regressor_parts` also has its parts' signatures and output shapes
    checked, and the parts composed must score the cases as `regressor.pt` does, within
    `parts.PARTS_TOLERANCE`. Raises `BundleError` listing every disagreement.
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
    scored_cases = []
    for case in cases:
        image = None if case["image"] is None else directory / case["image"]
        scored = pipeline.score(case["raw_text"], image, case["comments"])
        scored_cases.append(scored)
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
    parts_difference = None
    if parts.SECTION in manifest:
        parts_difference, parts_problems = _check_parts(directory, manifest, scored_cases)
        problems += parts_problems
    if problems:
        raise BundleError(f"bundle {directory}: " + "; ".join(problems))
    return Verification(
        files=len(manifest["files"]),
        cases=len(cases),
        largest_difference=largest,
        parts_difference=parts_difference,
    )


def _check_parts(directory: Path, manifest: dict, scored: list[Scored]) -> tuple[float, list[str]]:
    """Runs the regressor parts on the reference cases' inputs, batched and one by one.

    Returns the largest difference of the parts composed from `regressor.pt`, and the problems:
    a section other than the contract's, other argument names, output dtypes or shapes.
    """
    section = manifest[parts.SECTION]
    expected = parts.manifest_section(manifest["architecture"]["clip"]["projection_dim"])
    if section != expected:
        return float("inf"), [f"{parts.SECTION} is {section}, expected {expected}"]
    missing = [section[name] for name in parts.ARGUMENTS if section[name] not in manifest["files"]]
    if missing:
        return float("inf"), [f"{parts.SECTION} names files the bundle lacks: {missing}"]
    loaded = parts.load_parts(directory, section)
    problems = [
        f"{section[name]} takes {actual}, expected {parts.ARGUMENTS[name]}"
        for name, actual in loaded.argument_names().items()
        if actual != parts.ARGUMENTS[name]
    ]
    regressor = torch.jit.load(str(directory / REGRESSOR_FILE), map_location="cpu").eval()
    batched = _regressor_inputs(scored)
    one_by_one = [tuple(t[i : i + 1] for t in batched) for i in range(len(scored))]
    largest = 0.0
    for inputs in [batched, *one_by_one]:
        outputs = _part_outputs(loaded, inputs)
        shape_problems = _shape_problems(outputs, len(inputs[0]), section)
        if shape_problems:
            problems += shape_problems
            largest = float("inf")
            continue
        with torch.no_grad():
            monolith = regressor(*inputs)
        largest = max(largest, (outputs["head"] - monolith).abs().max().item())
    if not largest <= parts.PARTS_TOLERANCE:
        problems.append(
            f"the regressor parts composed differ from {REGRESSOR_FILE} by {largest} "
            f"(tolerance {parts.PARTS_TOLERANCE})"
        )
    return largest, problems


def _regressor_inputs(scored: list[Scored]) -> tuple[torch.Tensor, ...]:
    """The regressor's four input tensors, one row per scored case."""
    return tuple(
        torch.from_numpy(np.stack([getattr(one, field) for one in scored]))
        for field in ("pixel_values", "input_ids", "attention_mask", "sentiment_features")
    )


def _part_outputs(
    loaded: parts.LoadedParts, inputs: tuple[torch.Tensor, ...]
) -> dict[str, torch.Tensor]:
    """Each part's output on the regressor's inputs, the head's being the composed score."""
    pixels, input_ids, attention_mask, sentiment_features = inputs
    with torch.no_grad():
        image = loaded.image_encoder(pixels)
        text = loaded.text_encoder(input_ids, attention_mask)
        return {
            "image_encoder": image,
            "text_encoder": text,
            "head": loaded.head(image, text, sentiment_features),
        }


def _shape_problems(outputs: dict[str, torch.Tensor], batch: int, section: dict) -> list[str]:
    """The parts' outputs that are not float32 of the contract's shape for this batch size."""
    shapes = {
        "image_encoder": (batch, section["image_feature_size"]),
        "text_encoder": (batch, section["text_feature_size"]),
        "head": (batch,),
    }
    return [
        f"{section[name]} gives {output.dtype} {list(output.shape)}, "
        f"expected torch.float32 {list(shapes[name])}"
        for name, output in outputs.items()
        if output.dtype != torch.float32 or tuple(output.shape) != shapes[name]
    ]


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
