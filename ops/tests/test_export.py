"""A tiny export writes the contract's bundle, and its TorchScript reproduces the reference."""

import hashlib
import json

import numpy as np
import pytest
import torch

from exporter.bundle import read_manifest
from exporter.reference import read_pixels
from exporter.tracing import device_constants

SPECIAL_TOKENS = {"prefix_ids": None, "suffix_ids": None, "pad_id": None}
CONTRACT_FIELDS = {
    "format_version": None,
    "name": None,
    "version": None,
    "created_at": None,
    "created_by": {"exporter": None, "torch": None, "transformers": None, "peft": None},
    "base_models": {"clip": None, "sentiment": None},
    "architecture": {
        "regressor": None,
        "clip": dict.fromkeys(
            [
                "projection_dim",
                "vision_hidden_size",
                "vision_layers",
                "patch_size",
                "text_hidden_size",
                "text_layers",
                "vocab_size",
            ]
        ),
        "head_hidden_dims": None,
        "sentiment": None,
    },
    "regressor_parts": dict.fromkeys(
        ["image_encoder", "text_encoder", "head", "image_feature_size", "text_feature_size"]
    ),
    "image": dict.fromkeys(
        [
            "size",
            "resize_shortest_edge",
            "resample",
            "crop",
            "rescale_factor",
            "mean",
            "std",
            "missing",
        ]
    ),
    "text": {"tokenizer": None, "max_tokens": None, "special_tokens": SPECIAL_TOKENS},
    "sentiment": {
        "tokenizer": None,
        "max_tokens": None,
        "padding": None,
        "special_tokens": SPECIAL_TOKENS,
        "labels": None,
        "features": {"definition": None, "size": None, "empty_features": None},
        "score": {"definition": None, "label_values": None, "empty_score": None},
    },
    "lora": dict.fromkeys(["enabled", "rank", "alpha", "dropout", "target_modules", "merged"]),
    "parameters": dict.fromkeys(["total", "trainable", "regressor_after_merge", "sentiment"]),
    "files": None,
    "reference": {"cases": None, "tolerance": None},
}
CASE_FIELDS = {"name", "raw_text", "image", "comments", "expected"}
EXPECTED_FIELDS = {
    "cleaned_text",
    "input_ids",
    "attention_mask",
    "pixel_values",
    "sentiment_input_ids",
    "sentiment_logits",
    "sentiment_features",
    "sentiment_score",
    "engagement_score",
}


def assert_same_fields(actual: dict, template: dict, where: str = "manifest") -> None:
    assert set(actual) == set(template), where
    for key, sub_template in template.items():
        if sub_template is not None:
            assert_same_fields(actual[key], sub_template, f"{where}.{key}")


@pytest.fixture(scope="module")
def manifest(tiny_bundle) -> dict:
    return read_manifest(tiny_bundle)


@pytest.fixture(scope="module")
def cases(tiny_bundle) -> list[dict]:
    return json.loads((tiny_bundle / "reference/cases.json").read_text(encoding="utf-8"))["cases"]


def test_manifest_has_exactly_the_contract_fields(manifest) -> None:
    assert_same_fields(manifest, CONTRACT_FIELDS)


def test_manifest_describes_the_tiny_bundle(manifest) -> None:
    assert (manifest["format_version"], manifest["name"], manifest["version"]) == (
        1,
        "engagement-clip-tiny",
        "tiny-1",
    )
    assert manifest["created_by"]["torch"] == "2.7.1"
    assert manifest["architecture"]["clip"] == {
        "projection_dim": 16,
        "vision_hidden_size": 32,
        "vision_layers": 2,
        "patch_size": 32,
        "text_hidden_size": 32,
        "text_layers": 2,
        "vocab_size": 1000,
    }
    assert manifest["architecture"]["head_hidden_dims"] == [32, 16]
    assert manifest["regressor_parts"] == {
        "image_encoder": "image_encoder.pt",
        "text_encoder": "text_encoder.pt",
        "head": "head.pt",
        "image_feature_size": 16,
        "text_feature_size": 16,
    }
    assert manifest["text"] == {
        "tokenizer": "text_tokenizer.json",
        "max_tokens": 77,
        "special_tokens": {"prefix_ids": [998], "suffix_ids": [999], "pad_id": 999},
    }
    assert manifest["sentiment"]["special_tokens"] == {
        "prefix_ids": [2],
        "suffix_ids": [3],
        "pad_id": 0,
    }
    assert (manifest["sentiment"]["max_tokens"], manifest["sentiment"]["padding"]) == (
        128,
        "longest",
    )
    assert manifest["lora"] == {
        "enabled": True,
        "rank": 8,
        "alpha": 16,
        "dropout": 0.1,
        "target_modules": ["q_proj", "k_proj", "v_proj", "out_proj", "fc1", "fc2"],
        "merged": True,
    }
    parameters = manifest["parameters"]
    assert parameters["trainable"] < parameters["total"]
    assert parameters["regressor_after_merge"] < parameters["total"]
    assert manifest["reference"] == {"cases": "reference/cases.json", "tolerance": 1e-4}


def test_files_lists_every_file_but_the_manifest_with_hash_and_size(tiny_bundle, manifest) -> None:
    on_disk = {p.relative_to(tiny_bundle).as_posix() for p in tiny_bundle.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == on_disk - {"manifest.json"}
    assert {
        "regressor.pt",
        "image_encoder.pt",
        "text_encoder.pt",
        "head.pt",
        "sentiment.pt",
        "text_tokenizer.json",
        "sentiment_tokenizer.json",
        "reference/cases.json",
    } <= set(manifest["files"])
    for name, entry in manifest["files"].items():
        content = (tiny_bundle / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}, name


def test_bundle_stays_small(tiny_bundle) -> None:
    assert sum(p.stat().st_size for p in tiny_bundle.rglob("*") if p.is_file()) < 4_000_000


def test_reference_cases_cover_the_contract_situations(cases) -> None:
    assert len(cases) >= 4
    for case in cases:
        assert set(case) == CASE_FIELDS and set(case["expected"]) == EXPECTED_FIELDS
        expected = case["expected"]
        assert len(expected["input_ids"]) == len(expected["attention_mask"]) == 77
        assert (
            len(expected["sentiment_input_ids"])
            == len(expected["sentiment_logits"])
            == len(case["comments"])
        )
        assert (case["image"] is None) == (expected["pixel_values"] is None)
    by_name = {case["name"]: case for case in cases}
    assert by_name["sunset_png"]["raw_text"] == "Check out this amazing sunset! #beautiful #nature"
    assert (
        by_name["sunset_png"]["expected"]["cleaned_text"]
        == "check out this amazing sunset beautiful nature"
    )
    assert any(case["image"] is None and not case["comments"] for case in cases)
    assert any(sum(case["expected"]["attention_mask"]) == 77 for case in cases), "no truncated text"
    longest_comment = max(
        len(ids) for case in cases for ids in case["expected"]["sentiment_input_ids"]
    )
    assert longest_comment == 128, "no truncated comment"
    assert {case["image"].rsplit(".", 1)[-1] for case in cases if case["image"]} >= {
        "png",
        "jpg",
        "gif",
    }


def test_exif_orientation_is_applied(tiny_bundle, cases) -> None:
    from PIL import Image

    from exporter.images import image_processor

    case = next(c for c in cases if c["image"] and c["image"].endswith(".jpg"))
    with Image.open(tiny_bundle / case["image"]) as image:
        assert image.getexif()[0x0112] == 6
        sideways = image_processor()(images=image.convert("RGB"), return_tensors="np")[
            "pixel_values"
        ][0]
    upright = read_pixels(tiny_bundle / case["expected"]["pixel_values"], 224)
    assert np.abs(upright - sideways).max() > 0.5


def stored_regressor_inputs(tiny_bundle, cases):
    pixels = [
        np.zeros((3, 224, 224), np.float32)
        if c["expected"]["pixel_values"] is None
        else read_pixels(tiny_bundle / c["expected"]["pixel_values"], 224)
        for c in cases
    ]
    return (
        torch.from_numpy(np.stack(pixels)),
        torch.tensor([c["expected"]["input_ids"] for c in cases]),
        torch.tensor([c["expected"]["attention_mask"] for c in cases]),
        torch.tensor([c["expected"]["sentiment_features"] for c in cases], dtype=torch.float32),
    )


def test_regressor_reproduces_the_reference_at_any_batch_size(tiny_bundle, cases) -> None:
    regressor = torch.jit.load(str(tiny_bundle / "regressor.pt")).eval()
    inputs = stored_regressor_inputs(tiny_bundle, cases)
    expected = torch.tensor([c["expected"]["engagement_score"] for c in cases])
    with torch.no_grad():
        batched = regressor(*inputs)
        one_by_one = torch.cat(
            [regressor(*(t[i : i + 1] for t in inputs)) for i in range(len(cases))]
        )
        repeated = regressor(*(torch.cat([t, t[:1]]) for t in inputs))
    assert batched.dtype == torch.float32 and batched.shape == (len(cases),)
    assert torch.allclose(batched, expected, atol=1e-5)
    assert torch.allclose(one_by_one, expected, atol=1e-5)
    assert torch.allclose(repeated[:-1], expected, atol=1e-5)


def test_sentiment_reproduces_the_reference_at_any_batch_and_length(
    tiny_bundle, manifest, cases
) -> None:
    classifier = torch.jit.load(str(tiny_bundle / "sentiment.pt")).eval()
    pad_id = manifest["sentiment"]["special_tokens"]["pad_id"]
    rows = [ids for case in cases for ids in case["expected"]["sentiment_input_ids"]]
    expected = torch.tensor(
        [logits for case in cases for logits in case["expected"]["sentiment_logits"]]
    )
    longest = max(len(ids) for ids in rows)
    input_ids = torch.tensor([ids + [pad_id] * (longest - len(ids)) for ids in rows])
    attention_mask = torch.tensor([[1] * len(ids) + [0] * (longest - len(ids)) for ids in rows])
    with torch.no_grad():
        batched = classifier(input_ids, attention_mask)
        one_by_one = torch.cat(
            [
                classifier(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long))
                for ids in rows
            ]
        )
    assert batched.shape == (len(rows), 5)
    assert torch.allclose(batched, expected, atol=1e-5)
    assert torch.allclose(one_by_one, expected, atol=1e-5)


def test_torchscript_signatures_and_device_independence(tiny_bundle) -> None:
    regressor = torch.jit.load(str(tiny_bundle / "regressor.pt"))
    classifier = torch.jit.load(str(tiny_bundle / "sentiment.pt"))
    assert [a.name for a in regressor.forward.schema.arguments][1:] == [
        "pixel_values",
        "input_ids",
        "attention_mask",
        "sentiment_features",
    ]
    assert [a.name for a in classifier.forward.schema.arguments][1:] == [
        "input_ids",
        "attention_mask",
    ]
    assert device_constants(regressor) == device_constants(classifier) == 0
