"""Real mode (hub models + trained weights) runs offline on directories saved from tiny models.

`from_pretrained` takes a hub id or a directory; tests never reach the hub, so they save the
tiny CLIP, DistilBERT and tokenizers in the hub layout and export from those directories.
"""

import json

import pytest
import torch
from conftest import TINY_CREATED_AT, assert_same_expected
from transformers import CLIPTokenizerFast, PreTrainedTokenizerFast

from exporter.bundle import read_manifest
from exporter.export import ExportOptions, export_bundle, lora_regressor
from exporter.model import LoraSettings
from exporter.sources import pretrained_sources, random_sources


@pytest.fixture(scope="module")
def hub_layout(tmp_path_factory):
    """Tiny models and tokenizers saved in the hub layout, and a tiny regressor's weights."""
    root = tmp_path_factory.mktemp("hub")
    sources = random_sources("tiny")
    sources.clip.save_pretrained(root / "clip")
    CLIPTokenizerFast(
        tokenizer_object=sources.text_tokenizer,
        bos_token="<|startoftext|>",
        eos_token="<|endoftext|>",
        pad_token="<|endoftext|>",
        unk_token="<|endoftext|>",
    ).save_pretrained(root / "clip")
    sources.sentiment_model.save_pretrained(root / "sentiment")
    PreTrainedTokenizerFast(
        tokenizer_object=sources.sentiment_tokenizer,
        pad_token="[PAD]",
        unk_token="[UNK]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    ).save_pretrained(root / "sentiment")
    trained = lora_regressor(random_sources("tiny"), LoraSettings())
    torch.save({"model_state_dict": trained.state_dict(), "epoch": 1}, root / "best_model_lora.pth")
    return root


@pytest.fixture(scope="module")
def real_bundle(hub_layout, tmp_path_factory):
    sources = pretrained_sources(
        str(hub_layout / "clip"),
        str(hub_layout / "sentiment"),
        hub_layout / "best_model_lora.pth",
        (32, 16),
    )
    out = tmp_path_factory.mktemp("real") / "bundle"
    export_bundle(sources, ExportOptions(out=out, version="tiny-1", created_at=TINY_CREATED_AT))
    return out


def test_real_mode_reads_the_tokenizers_special_tokens(real_bundle, tiny_bundle) -> None:
    real, tiny = read_manifest(real_bundle), read_manifest(tiny_bundle)
    assert real["text"] == tiny["text"]
    assert real["sentiment"] == tiny["sentiment"]
    assert real["parameters"] == tiny["parameters"]
    assert real["base_models"]["clip"].endswith("clip")


def test_real_mode_with_the_tiny_weights_reproduces_the_tiny_bundle(
    real_bundle, tiny_bundle
) -> None:
    real = json.loads((real_bundle / "reference/cases.json").read_text(encoding="utf-8"))["cases"]
    tiny = json.loads((tiny_bundle / "reference/cases.json").read_text(encoding="utf-8"))["cases"]
    for real_case, tiny_case in zip(real, tiny, strict=True):
        assert_same_expected(real_case["expected"], tiny_case["expected"], 1e-6, tiny_case["name"])


def test_real_mode_refuses_weights_of_another_head(hub_layout) -> None:
    sources = pretrained_sources(
        str(hub_layout / "clip"), str(hub_layout / "sentiment"), hub_layout / "best_model_lora.pth"
    )
    with pytest.raises(RuntimeError, match="size mismatch"):
        lora_regressor(sources, LoraSettings())
