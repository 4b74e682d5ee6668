"""Reduced-precision bundles: modules in bf16 or int8 behind the fp32 interface, with fidelity."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from conftest import COMMITTED_TINY
from exporter import precision
from exporter.cli import main
from exporter.parts import ARGUMENTS, load_parts
from exporter.verify import verify_bundle

CREATED_AT = "2026-12-02T00:00:00Z"


class _Named(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3)

    def forward(self, features: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        return self.linear(features) + ids.sum()


@pytest.fixture(scope="module")
def int8_bundle(tmp_path_factory) -> Path:
    """The tiny bundle exported in int8 (which exports its fp32 twin first to measure against)."""
    out = tmp_path_factory.mktemp("precision") / "tiny-int8"
    assert main(["export", "--out", str(out), "--precision", "int8", "--created-at", CREATED_AT]) == 0
    return out


def test_bf16_keeps_the_fp32_interface_and_the_argument_names():
    module = _Named().eval()
    converted = precision.at_precision(module, precision.BF16)
    features, ids = torch.randn(2, 4), torch.ones(2, 1, dtype=torch.int64)

    traced = torch.jit.trace(converted, (features, ids))

    assert converted.linear.weight.dtype == torch.bfloat16
    assert module.linear.weight.dtype == torch.float32  # the original is left alone
    assert traced(features, ids).dtype == torch.float32
    names = [argument.name for argument in traced.forward.schema.arguments][1:]
    assert names == ["features", "ids"]
    assert torch.allclose(traced(features, ids), module(features, ids), atol=0.05)


def test_int8_quantizes_the_linear_layers_dynamically():
    converted = precision.at_precision(_Named().eval(), precision.INT8)
    assert isinstance(converted.linear, torch.ao.nn.quantized.dynamic.Linear)
    assert converted(torch.randn(2, 4), torch.ones(2, 1, dtype=torch.int64)).dtype == torch.float32


def test_fp16_needs_a_gpu_to_be_measured_on():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="fp16 is for GPUs"):
        precision.check_runnable(precision.FP16)


def test_spearman_ranks_ties_by_their_mean():
    assert precision.spearman(np.array([1.0, 2, 3, 4]), np.array([10.0, 20, 30, 40])) == pytest.approx(1)
    assert precision.spearman(np.array([1.0, 2, 3, 4]), np.array([4.0, 3, 2, 1])) == pytest.approx(-1)
    # scipy.stats.spearmanr([1, 2, 2, 3], [1, 3, 2, 4]) = 0.9486832980505138
    assert precision.spearman(np.array([1.0, 2, 2, 3]), np.array([1.0, 3, 2, 4])) == pytest.approx(
        0.9486832980505138
    )


def test_the_corpus_has_several_scripts_images_and_up_to_fifty_comments(tmp_path):
    posts = precision.generated_posts(tmp_path, precision.MIN_FIDELITY_POSTS)

    assert len(posts) == 200
    assert sum(post.image is not None for post in posts) == 100
    assert all(post.image.exists() for post in posts if post.image is not None)
    counts = [len(post.comments) for post in posts]
    assert min(counts) == 0 and max(counts) <= precision.MAX_COMMENTS and max(counts) > 40
    text = " ".join(post.raw_text for post in posts)
    for sample in ("夕日", "Закат", "غروب"):
        assert sample in text
    (tmp_path / "again").mkdir()
    again = precision.generated_posts(tmp_path / "again", 200)
    assert [post.raw_text for post in again] == [post.raw_text for post in posts]


def test_an_int8_bundle_declares_its_precision_and_the_fidelity_measured(int8_bundle):
    manifest = json.loads((int8_bundle / "manifest.json").read_text())

    assert manifest["precision"] == "int8"
    fidelity = manifest["fidelity"]
    assert fidelity["against"] == "fp32"
    assert fidelity["posts"] == 200
    assert 0 <= fidelity["mean_abs_difference"] <= fidelity["max_abs_difference"] < 0.1
    assert 0.5 < fidelity["rank_correlation"] <= 1
    assert manifest["reference"]["tolerance"] == precision.REDUCED_REFERENCE_TOLERANCE
    verify_bundle(int8_bundle)


def test_a_bf16_bundle_holds_the_weights_of_its_fp32_twin_rounded(tmp_path):
    # A reduced export builds its fp32 twin and then itself from one set of sources; each encoder
    # parameter must be the committed fp32 bundle's (the same seeds), rounded to bf16, or the
    # declared fidelity compares other weights, not the precision.
    out = tmp_path / "tiny-bf16"
    assert main(["export", "--out", str(out), "--precision", "bf16", "--created-at", CREATED_AT]) == 0

    for part in ("image_encoder.pt", "text_encoder.pt"):
        reduced = torch.jit.load(str(out / part)).state_dict()
        reference = torch.jit.load(str(COMMITTED_TINY / part)).state_dict()
        assert list(reduced) == list(reference)
        for name, tensor in reduced.items():
            assert torch.equal(tensor, reference[name].to(tensor.dtype)), f"{part}: {name}"
    fidelity = json.loads((out / "manifest.json").read_text())["fidelity"]
    assert fidelity["rank_correlation"] > 0.999


def test_an_int8_bundle_runs_quantized_encoders_and_an_fp32_head_behind_fp32_inputs(int8_bundle):
    manifest = json.loads((int8_bundle / "manifest.json").read_text())
    loaded = load_parts(int8_bundle, manifest["regressor_parts"])

    assert "quantized" in loaded.image_encoder.code_with_constants[0] or any(
        "quantized" in str(node) for node in loaded.image_encoder.inlined_graph.nodes()
    )
    assert not any("quantized" in str(node) for node in loaded.head.inlined_graph.nodes())
    assert loaded.argument_names() == ARGUMENTS
    size = manifest["image"]["size"]
    pixels = torch.randn(3, 3, size, size)
    ids = torch.ones(3, 77, dtype=torch.int64)
    features = torch.full((3, 5), 0.2)
    score = loaded.score(pixels, ids, ids, features)
    assert score.dtype == torch.float32 and score.shape == (3,)


def test_score_spread_reads_a_declared_rank_correlation_against_the_reference_spread(int8_bundle):
    import score_spread

    same = score_spread.spread(str(COMMITTED_TINY), str(COMMITTED_TINY), posts=20)
    reduced = score_spread.spread(str(COMMITTED_TINY), str(int8_bundle), posts=20)

    assert same["mean_abs_difference"] == 0 and same["rank_correlation"] == pytest.approx(1)
    assert reduced["reference_std"] == same["reference_std"] > 0
    assert reduced["reference_min"] <= reduced["reference_mean"] <= reduced["reference_max"]
    assert 0 < reduced["mean_abs_difference"] <= reduced["max_abs_difference"]
    assert reduced["mean_difference_over_std"] == pytest.approx(
        reduced["mean_abs_difference"] / reduced["reference_std"]
    )
    assert -1 <= reduced["rank_correlation"] < 1
