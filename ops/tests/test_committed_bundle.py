"""The committed models/tiny bundle verifies and is exactly what the exporter writes today."""

import json

import pytest
from conftest import COMMITTED_TINY, assert_same_expected

from exporter.bundle import read_manifest
from exporter.parts import PARTS_TOLERANCE, load_parts
from exporter.reference import read_pixels
from exporter.verify import verify_bundle

pytestmark = pytest.mark.skipif(
    not (COMMITTED_TINY / "manifest.json").is_file(),
    reason="models/tiny not generated yet (ops/export-tiny.sh)",
)
# TorchScript archives embed the exporting checkout's source paths, so they are compared by
# what they compute (the reference outputs), every other file byte for byte.
COMPUTED_FILES = (".pt", ".json", ".f32")


def test_committed_bundle_verifies_and_reproduces_its_reference() -> None:
    result = verify_bundle(COMMITTED_TINY, tolerance=1e-5)
    assert result.cases >= 4
    assert result.files == len(read_manifest(COMMITTED_TINY)["files"])


def test_committed_bundle_has_the_regressor_in_parts() -> None:
    manifest = read_manifest(COMMITTED_TINY)
    assert manifest["regressor_parts"] == {
        "image_encoder": "image_encoder.pt",
        "text_encoder": "text_encoder.pt",
        "head": "head.pt",
        "image_feature_size": 16,
        "text_feature_size": 16,
    }
    assert {"image_encoder.pt", "text_encoder.pt", "head.pt"} <= set(manifest["files"])
    assert load_parts(COMMITTED_TINY, manifest["regressor_parts"]).argument_names() == {
        "image_encoder": ["pixel_values"],
        "text_encoder": ["input_ids", "attention_mask"],
        "head": ["image_features", "text_features", "sentiment_features"],
    }
    assert verify_bundle(COMMITTED_TINY).parts_difference <= PARTS_TOLERANCE


def test_committed_manifest_matches_a_fresh_export(tiny_bundle) -> None:
    committed, fresh = read_manifest(COMMITTED_TINY), read_manifest(tiny_bundle)
    assert set(committed["files"]) == set(fresh["files"])
    assert {k: v for k, v in committed.items() if k != "files"} == {
        k: v for k, v in fresh.items() if k != "files"
    }


def test_committed_files_match_a_fresh_export(tiny_bundle) -> None:
    for name in read_manifest(COMMITTED_TINY)["files"]:
        if not name.endswith(COMPUTED_FILES) or name.endswith("tokenizer.json"):
            assert (COMMITTED_TINY / name).read_bytes() == (tiny_bundle / name).read_bytes(), name
    for name in ("text_tokenizer.json", "sentiment_tokenizer.json"):
        assert (COMMITTED_TINY / name).read_bytes() == (tiny_bundle / name).read_bytes(), name


def test_committed_reference_outputs_match_a_fresh_export(tiny_bundle) -> None:
    committed = json.loads((COMMITTED_TINY / "reference/cases.json").read_text(encoding="utf-8"))[
        "cases"
    ]
    fresh = json.loads((tiny_bundle / "reference/cases.json").read_text(encoding="utf-8"))["cases"]
    assert [case["name"] for case in committed] == [case["name"] for case in fresh]
    for old, new in zip(committed, fresh, strict=True):
        for key in ("raw_text", "image", "comments"):
            assert old[key] == new[key]
        assert_same_expected(old["expected"], new["expected"], 1e-6, old["name"])
        if old["expected"]["pixel_values"]:
            path = old["expected"]["pixel_values"]
            assert read_pixels(COMMITTED_TINY / path, 224) == pytest.approx(
                read_pixels(tiny_bundle / path, 224), abs=1e-6
            )
