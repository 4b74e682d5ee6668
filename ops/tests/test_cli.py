"""The command line: verify, and the mistakes it refuses."""

import shutil

import pytest

from exporter.bundle import BundleError
from exporter.cli import main


def test_verify_accepts_a_bundle(tiny_bundle, capsys) -> None:
    assert main(["verify", str(tiny_bundle)]) == 0
    out = capsys.readouterr().out
    assert "OK:" in out
    assert "regressor parts composed score the cases as regressor.pt does" in out


def test_verify_rejects_a_modified_file(tiny_bundle, tmp_path, capsys) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    with (copy / "reference/cases.json").open("a", encoding="utf-8") as cases:
        cases.write(" ")
    assert main(["verify", str(copy)]) == 1
    assert "reference/cases.json" in capsys.readouterr().err


def test_real_mode_needs_all_three_sources(tmp_path) -> None:
    with pytest.raises(SystemExit, match="needs all of"):
        main(["export", "--out", str(tmp_path / "b"), "--base", "openai/clip-vit-large-patch14"])


def test_real_mode_needs_a_version(tmp_path) -> None:
    real = ["--base", "clip", "--state-dict", "best_model_lora.pth", "--sentiment", "sentiment"]
    with pytest.raises(SystemExit, match="--version"):
        main(["export", "--out", str(tmp_path / "b"), *real])


def test_export_refuses_to_overwrite_a_directory_that_is_not_a_bundle(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(BundleError, match="refusing"):
        main(["export", "--out", str(tmp_path)])
    assert (tmp_path / "notes.txt").read_text() == "keep me"
