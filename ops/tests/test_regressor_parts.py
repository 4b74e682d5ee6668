"""The regressor in parts: the three reloaded files composed are `regressor.pt`; verify checks."""

import json
import shutil

import pytest
import torch
from test_export import stored_regressor_inputs

from exporter.bundle import BundleError, read_manifest, write_manifest
from exporter.model import count_parameters
from exporter.parts import load_parts
from exporter.tracing import device_constants
from exporter.verify import verify_bundle

PARTS_FILES = ("image_encoder.pt", "text_encoder.pt", "head.pt")


@pytest.fixture(scope="module")
def manifest(tiny_bundle) -> dict:
    return read_manifest(tiny_bundle)


@pytest.fixture(scope="module")
def cases(tiny_bundle) -> list[dict]:
    return json.loads((tiny_bundle / "reference/cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.fixture(scope="module")
def regressor(tiny_bundle):
    return torch.jit.load(str(tiny_bundle / "regressor.pt")).eval()


@pytest.fixture(scope="module")
def parts(tiny_bundle, manifest):
    return load_parts(tiny_bundle, manifest["regressor_parts"])


def random_inputs(batch: int, manifest: dict):
    """Seeded regressor inputs: random pixels, token rows of random lengths, softmax features."""
    generator = torch.Generator().manual_seed(100 + batch)
    special = manifest["text"]["special_tokens"]
    (start,), (end,) = special["prefix_ids"], special["suffix_ids"]
    input_ids = torch.randint(0, start, (batch, 77), generator=generator)
    lengths = torch.randint(2, 78, (batch,), generator=generator)
    lengths[-1] = 77  # one row filled to the last position, as a truncated text is
    positions = torch.arange(77).expand(batch, 77)
    input_ids[:, 0] = start
    input_ids[positions == (lengths - 1)[:, None]] = end
    input_ids[positions >= lengths[:, None]] = special["pad_id"]
    attention_mask = (positions < lengths[:, None]).long()
    size = manifest["image"]["size"]
    pixels = torch.randn((batch, 3, size, size), generator=generator)
    features = torch.softmax(torch.randn((batch, 5), generator=generator), dim=-1)
    return pixels, input_ids, attention_mask, features


def largest_difference(parts, regressor, inputs) -> float:
    with torch.no_grad():
        return (parts.score(*inputs) - regressor(*inputs)).abs().max().item()


def test_parts_composed_are_the_regressor_on_the_reference_cases(
    tiny_bundle, cases, regressor, parts
) -> None:
    inputs = stored_regressor_inputs(tiny_bundle, cases)
    expected = torch.tensor([case["expected"]["engagement_score"] for case in cases])
    composed = parts.score(*inputs)
    assert composed.dtype == torch.float32 and composed.shape == (len(cases),)
    assert largest_difference(parts, regressor, inputs) <= 1e-6
    for row in range(len(cases)):
        one = tuple(t[row : row + 1] for t in inputs)
        assert largest_difference(parts, regressor, one) <= 1e-6, cases[row]["name"]
    assert torch.allclose(composed, expected, atol=1e-5)


@pytest.mark.parametrize("batch", [1, 3, 8])
def test_parts_composed_are_the_regressor_at_any_batch_size(
    batch, manifest, regressor, parts
) -> None:
    inputs = random_inputs(batch, manifest)
    assert parts.score(*inputs).shape == (batch,)
    assert largest_difference(parts, regressor, inputs) <= 1e-6


def test_a_post_without_an_image_scores_the_same_through_the_parts(
    tiny_bundle, manifest, cases, regressor, parts
) -> None:
    # A missing image is all-zero pixel values (models/README.md). Measured: the parts give
    # bit-exactly the scores of regressor.pt (difference 0.0; they run the same operations on the
    # same shapes); the contract promises 1e-6.
    (index,) = [row for row, case in enumerate(cases) if case["image"] is None]
    stored = stored_regressor_inputs(tiny_bundle, cases)
    text_only = tuple(t[index : index + 1] for t in stored)
    assert not text_only[0].any()
    _, input_ids, attention_mask, features = random_inputs(3, manifest)
    no_images = (torch.zeros(3, 3, 224, 224), input_ids, attention_mask, features)
    for inputs in (text_only, no_images):
        assert largest_difference(parts, regressor, inputs) <= 1e-6
    assert parts.score(*text_only).item() == pytest.approx(
        cases[index]["expected"]["engagement_score"], abs=1e-6
    )


def test_part_signatures_shapes_and_device_independence(manifest, parts) -> None:
    assert parts.argument_names() == {
        "image_encoder": ["pixel_values"],
        "text_encoder": ["input_ids", "attention_mask"],
        "head": ["image_features", "text_features", "sentiment_features"],
    }
    pixels, input_ids, attention_mask, features = random_inputs(3, manifest)
    with torch.no_grad():
        image = parts.image_encoder(pixels)
        text = parts.text_encoder(input_ids, attention_mask)
        score = parts.head(image, text, features)
    assert (image.dtype, image.shape) == (torch.float32, (3, 16))
    assert (text.dtype, text.shape) == (torch.float32, (3, 16))
    assert (score.dtype, score.shape) == (torch.float32, (3,))
    for name in ("image_encoder", "text_encoder", "head"):
        assert device_constants(getattr(parts, name)) == 0, name


def test_each_part_holds_only_the_weights_it_uses(regressor, parts) -> None:
    whole = dict(regressor.named_parameters())
    held = {
        name: {key.removeprefix("regressor."): p for key, p in part.named_parameters()}
        for name, part in vars(parts).items()
    }
    assert {key.split(".")[1] for key in held["image_encoder"]} == {
        "vision_model",
        "visual_projection",
    }
    assert {key.split(".")[1] for key in held["text_encoder"]} == {"text_model", "text_projection"}
    assert all(key.startswith("head.") for key in held["head"])
    together = {key: p for part in held.values() for key, p in part.items()}
    assert sum(len(part) for part in held.values()) == len(together)  # no weight in two parts
    assert set(together) == set(whole) - {"clip.logit_scale"}  # CLIP's, used by neither
    for key, parameter in together.items():
        assert torch.equal(parameter, whole[key]), key
    assert sum(count_parameters(part).total for part in vars(parts).values()) == (
        count_parameters(regressor).total - 1
    )


def rewrite_manifest(bundle, manifest: dict) -> None:
    """Writes `manifest` (but its `files`) with the files now in `bundle`."""
    write_manifest(bundle, {key: value for key, value in manifest.items() if key != "files"})


def test_a_bundle_without_parts_still_verifies(tiny_bundle, manifest, tmp_path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    for name in PARTS_FILES:
        (bundle / name).unlink()
    rewrite_manifest(bundle, {k: v for k, v in manifest.items() if k != "regressor_parts"})
    result = verify_bundle(bundle)
    assert result.parts_difference is None
    assert result.files == len(manifest["files"]) - 3


def test_verify_checks_the_parts(tiny_bundle) -> None:
    result = verify_bundle(tiny_bundle)
    assert result.parts_difference is not None and result.parts_difference <= 1e-6


def test_verify_rejects_parts_that_disagree_with_the_regressor(
    tiny_bundle, manifest, tmp_path
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    head = torch.jit.load(str(bundle / "head.pt"))
    with torch.no_grad():
        next(head.parameters()).add_(0.05)
    torch.jit.save(head, str(bundle / "head.pt"))
    rewrite_manifest(bundle, manifest)
    with pytest.raises(BundleError, match="regressor parts composed differ from regressor.pt"):
        verify_bundle(bundle)


def test_verify_rejects_a_section_other_than_the_contract(tiny_bundle, manifest, tmp_path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, bundle)
    section = {**manifest["regressor_parts"], "text_feature_size": 32}
    rewrite_manifest(bundle, {**manifest, "regressor_parts": section})
    with pytest.raises(BundleError, match="regressor_parts is"):
        verify_bundle(bundle)
