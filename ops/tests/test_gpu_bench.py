"""ops/gpu_bench.py, run for real on models/tiny on the CPU, copied alone as it would travel."""

import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "ops" / "gpu_bench.py"
TINY = REPO_ROOT / "models" / "tiny"
MANIFEST_MODULES = ["image_encoder", "text_encoder", "head", "regressor", "sentiment"]
# The tiny head is Linear(37, 32), ReLU, Linear(32, 16), ReLU, Linear(16, 1): 2 FLOPs a
# multiply-add, per post.
TINY_HEAD_FLOPS_PER_POST = 2 * (37 * 32 + 32 * 16 + 16 * 1)

pytestmark = pytest.mark.skipif(
    not (TINY / "manifest.json").is_file(), reason="models/tiny not generated yet"
)


def run_alone(tmp_path: Path, *arguments: str) -> subprocess.CompletedProcess:
    """Runs a copy of the script from a directory holding nothing else, without PYTHONPATH."""
    alone = tmp_path / "alone"
    alone.mkdir(exist_ok=True)
    shutil.copy(SCRIPT, alone / SCRIPT.name)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, str(alone / SCRIPT.name), str(TINY), "--device", "cpu", *arguments],
        cwd=alone, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("gpu_bench")
    out = tmp_path / "results.json"
    completed = run_alone(tmp_path, "--batch-sizes", "1,4", "--dtypes", "fp32,bf16,fp16",
                          "--seconds", "0.05", "--json", str(out))
    assert completed.returncode == 0, completed.stderr
    return completed.stdout, json.loads(out.read_text(encoding="utf-8"))


def rows(result: dict, **match) -> list[dict]:
    return [row for row in result["rows"]
            if all(row.get(key) == value for key, value in match.items())]


def test_json_names_the_device_torch_and_command(full_run) -> None:
    _, result = full_run
    assert result["device_type"] == "cpu"
    assert result["device"].strip()
    assert result["torch"].split("+")[0].count(".") == 2
    assert "--json" in result["command"] and "--batch-sizes 1,4" in result["command"]
    assert result["bundle"]["version"] == "tiny-1"
    assert result["peak_tflops"] == {} and result["peak_source"] == "peak unknown"


def test_every_manifest_module_and_the_post_are_measured(full_run) -> None:
    stdout, result = full_run
    for module in [*MANIFEST_MODULES, "post"]:
        measured = rows(result, module=module, dtype="fp32", status="ok")
        assert [row["batch"] for row in measured] == [1, 4], module
        assert any(line.startswith(module) for line in stdout.splitlines()), module
    assert "peak unknown" in stdout


def test_fp32_rows_have_throughput_flops_and_memory(full_run) -> None:
    _, result = full_run
    for row in rows(result, dtype="fp32"):
        assert row["status"] == "ok", row
        assert row["posts_per_s"] > 0 and row["median_ms"] > 0 and row["iterations"] >= 5
        assert row["flops"] > 0 and row["achieved_tflops"] > 0
        assert row["peak_memory_bytes"] > 0 and row["memory_kind"] == "process_max_rss"
        assert row["max_abs_diff_vs_fp32"] == 0.0
        assert row["share_of_peak"] is None
        assert math.isclose(row["posts_per_s"], row["batch"] / (row["median_ms"] / 1000))


def test_flops_are_the_models_own(full_run) -> None:
    _, result = full_run
    flops = {(row["module"], row["batch"]): row["flops"] for row in rows(result, dtype="fp32")}
    assert flops[("head", 1)] == TINY_HEAD_FLOPS_PER_POST
    for module in [*MANIFEST_MODULES, "post"]:
        assert flops[(module, 4)] == 4 * flops[(module, 1)], module
    # The whole regressor is its parts, and a post is the regressor plus its comments' sentiment.
    for batch in (1, 4):
        parts = sum(flops[(name, batch)] for name in ("image_encoder", "text_encoder", "head"))
        assert flops[("regressor", batch)] == parts
        assert flops[("post", batch)] == parts + flops[("sentiment", batch)]


def test_bf16_runs_and_keeps_close_to_fp32(full_run) -> None:
    stdout, result = full_run
    for module in [*MANIFEST_MODULES, "post"]:
        measured = rows(result, module=module, dtype="bf16")
        assert [row["status"] for row in measured] == ["ok", "ok"], measured
        for row in measured:
            difference = row["max_abs_diff_vs_fp32"]
            assert math.isfinite(difference) and difference < 0.1, row
            assert row["posts_per_s"] > 0 and row["flops"] > 0
    # bf16 really ran in bf16: its outputs are not fp32's.
    assert any(row["max_abs_diff_vs_fp32"] > 0 for row in rows(result, dtype="bf16"))
    # HF's traced CLIP vision tower pins its input to fp32, so the image encoder cannot be cast
    # and runs under autocast, saying why; the text encoder and the classifier are cast.
    image = rows(result, module="image_encoder", dtype="bf16")[0]
    assert image["precision"] == "autocast" and image["note"].startswith("cast failed:")
    assert rows(result, module="text_encoder", dtype="bf16")[0]["precision"] == "cast"
    assert rows(result, module="sentiment", dtype="bf16")[0]["precision"] == "cast"
    assert "image_encoder bf16 runs under autocast; cast failed" in stdout


def test_fp16_on_the_cpu_is_skipped_with_a_reason(full_run) -> None:
    stdout, result = full_run
    for module in [*MANIFEST_MODULES, "post"]:
        (row,) = rows(result, module=module, dtype="fp16")
        assert row["status"] == "skipped" and "fp16 on the CPU" in row["reason"]
    assert "head fp16: skipped: fp16 on the CPU" in stdout


def test_a_given_peak_gives_the_share_of_it(tmp_path) -> None:
    out = tmp_path / "peak.json"
    completed = run_alone(tmp_path, "--modules", "head,text_encoder", "--dtypes", "fp32",
                          "--batch-sizes", "2", "--seconds", "0.02", "--peak-tflops", "0.5",
                          "--json", str(out))
    assert completed.returncode == 0, completed.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["peak_source"] == "--peak-tflops"
    assert {row["module"] for row in result["rows"]} == {"head", "text_encoder"}
    for row in result["rows"]:
        assert math.isclose(row["share_of_peak"], row["achieved_tflops"] / 0.5)
    assert "peak unknown" not in completed.stdout


def test_bad_arguments_are_refused(tmp_path) -> None:
    completed = run_alone(tmp_path, "--modules", "vision", "--seconds", "0.01")
    assert completed.returncode == 2 and "'vision'" in completed.stderr
    completed = run_alone(tmp_path, "--dtypes", "int4", "--seconds", "0.01")
    assert completed.returncode == 2 and "int4" in completed.stderr


def import_script():
    spec = importlib.util.spec_from_file_location("gpu_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_known_gpus_peaks_and_unknown_ones() -> None:
    gpu_bench = import_script()
    peaks, source = gpu_bench._peaks("", "NVIDIA H200")
    assert peaks == {"fp32": 67.0, "bf16": 989.5, "fp16": 989.5} and "H200 SXM" in source
    assert gpu_bench._peaks("", "NVIDIA H100 80GB HBM3")[0]["bf16"] == 989.5
    assert gpu_bench._peaks("", "NVIDIA H100 PCIe")[0]["fp32"] == 51.0
    assert gpu_bench._peaks("", "NVIDIA A100-SXM4-80GB")[0] == {
        "fp32": 19.5, "bf16": 312.0, "fp16": 312.0}
    assert gpu_bench._peaks("", "NVIDIA L4")[0]["fp16"] == 121.0
    assert gpu_bench._peaks("", "NVIDIA L40S") == ({}, "peak unknown")
    assert gpu_bench._peaks("", "AMD EPYC") == ({}, "peak unknown")
    assert gpu_bench._peaks("fp32=1,bf16=2", "NVIDIA H200") == (
        {"fp32": 1.0, "bf16": 2.0}, "--peak-tflops")


def test_a_stripped_bundle_is_small_and_measures_the_same_compute(tmp_path, full_run) -> None:
    _, original = full_run
    stripped = tmp_path / "stripped"
    completed = run_alone(tmp_path, "--strip-to", str(stripped))
    assert completed.returncode == 0, completed.stderr
    manifest = json.loads((stripped / "manifest.json").read_text(encoding="utf-8"))
    before = sum((TINY / name).stat().st_size for name in manifest["files"])
    after = sum(path.stat().st_size for path in stripped.rglob("*") if path.is_file())
    assert after < before / 4, (before, after)
    assert not (stripped / "reference").exists()
    # Every TorchScript file is there, each float parameter with its mean and std.
    stats = manifest["stripped_weights"]["files"]
    assert sorted(stats) == sorted(name for name in manifest["files"] if name.endswith(".pt"))
    assert all(len(pair) == 2 for params in stats.values() for pair in params.values())

    # Refilled, a weight has the original's statistics (and the same values on every load).
    gpu_bench = import_script()
    original_encoder = torch.jit.load(str(TINY / "image_encoder.pt"))
    refilled = [torch.jit.load(str(stripped / "image_encoder.pt")) for _ in range(2)]
    for module in refilled:
        gpu_bench._refill(module, "image_encoder.pt", stats["image_encoder.pt"])
    weights = [dict(module.named_parameters()) for module in (original_encoder, *refilled)]
    for name, value in weights[0].items():
        assert torch.equal(weights[1][name], weights[2][name]), name
        assert weights[1][name].stride() == value.stride(), name
        if value.numel() >= 1000:
            assert math.isclose(weights[1][name].std().item(), value.std().item(), rel_tol=0.1)
            assert not torch.equal(weights[1][name], value)

    out = tmp_path / "stripped.json"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), str(stripped), "--device", "cpu", "--batch-sizes", "1,4",
         "--dtypes", "fp32,bf16", "--seconds", "0.05", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert "stripped bundle: weights refilled" in completed.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["stripped_weights"] is True
    flops = {(row["module"], row["batch"]): row["flops"]
             for row in rows(original, dtype="fp32")}
    for row in rows(result, dtype="fp32"):
        assert row["status"] == "ok" and row["flops"] == flops[(row["module"], row["batch"])]
    for row in rows(result, dtype="bf16"):
        assert row["status"] == "ok" and math.isfinite(row["max_abs_diff_vs_fp32"])
        assert row["max_abs_diff_vs_fp32"] < 0.1, row


def test_a_bundle_without_parts_is_scored_by_the_whole_regressor(tmp_path, full_run) -> None:
    _, original = full_run
    bundle = tmp_path / "no-parts"
    shutil.copytree(TINY, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    for name in ("image_encoder.pt", "text_encoder.pt", "head.pt"):
        (bundle / name).unlink()
        del manifest["files"][name]
    del manifest["regressor_parts"]
    (bundle / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    out = tmp_path / "no-parts.json"
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), str(bundle), "--device", "cpu", "--batch-sizes", "2",
         "--dtypes", "fp32", "--seconds", "0.02", "--json", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    flops = {row["module"]: row["flops"] for row in result["rows"]}
    assert sorted(flops) == ["post", "regressor", "sentiment"]
    assert flops["post"] == flops["regressor"] + flops["sentiment"]
    assert flops["regressor"] == rows(original, module="regressor", batch=1)[0]["flops"] * 2
