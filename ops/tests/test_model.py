"""The regressor's LoRA fine-tune: parameter counts, merge, trained-weight loading, sizes."""

import pytest
import torch
from transformers import CLIPModel, DistilBertForSequenceClassification

from exporter.configs import SIZES, TextSpecialIds, clip_config, sentiment_config
from exporter.export import lora_regressor
from exporter.model import (
    HeadPart,
    ImageEncoderPart,
    LoraSettings,
    TextEncoderPart,
    count_parameters,
    load_trained_state,
    merge_lora,
)
from exporter.sources import random_sources

LORA = LoraSettings()


def example_inputs(batch: int = 3):
    generator = torch.Generator().manual_seed(7)
    input_ids = torch.randint(0, 998, (batch, 77), generator=generator)
    input_ids[:, 0], input_ids[:, 20], input_ids[:, 21:] = 998, 999, 999
    attention_mask = (torch.arange(77) <= 20).long().expand(batch, 77)
    features = torch.softmax(torch.randn(batch, 5, generator=generator), dim=-1)
    return torch.randn(batch, 3, 224, 224, generator=generator), input_ids, attention_mask, features


def parameter_count(model, name_part: str) -> int:
    return sum(p.numel() for name, p in model.named_parameters() if name_part in name)


def test_trainable_parameters_are_the_lora_adapters_and_the_head(tiny_sources) -> None:
    regressor = lora_regressor(tiny_sources, LORA)
    counts = count_parameters(regressor)
    lora = parameter_count(regressor, ".lora_")
    head = parameter_count(regressor, "head.")
    assert 0 < counts.trainable < counts.total
    assert counts.trainable == lora + head
    merge_lora(regressor)
    assert count_parameters(regressor).total == counts.total - lora


def test_lora_wraps_every_target_module(tiny_sources) -> None:
    regressor = lora_regressor(tiny_sources, LORA)
    wrapped = {
        name.rsplit(".", 1)[-1]
        for name, module in regressor.named_modules()
        if hasattr(module, "lora_A")
    }
    assert wrapped == set(LORA.target_modules)


def test_merge_changes_clip_weights_and_keeps_outputs(tiny_sources) -> None:
    regressor = lora_regressor(tiny_sources, LORA)
    q_proj = regressor.clip.base_model.model.vision_model.encoder.layers[0].self_attn.q_proj
    base_weight = q_proj.base_layer.weight.detach().clone()
    inputs = example_inputs()
    with torch.no_grad():
        unmerged = regressor(*inputs)
        with regressor.clip.disable_adapter():
            without_lora = regressor.clip.get_image_features(pixel_values=inputs[0])
        with_lora = regressor.clip.get_image_features(pixel_values=inputs[0])
        merge_lora(regressor)
        merged = regressor(*inputs)
    merged_weight = regressor.clip.vision_model.encoder.layers[0].self_attn.q_proj.weight
    assert type(regressor.clip) is CLIPModel
    assert (merged_weight - base_weight).abs().max() > 1e-3
    assert (with_lora - without_lora).abs().max() > 1e-3
    assert merged.shape == (3,)
    assert torch.allclose(merged, unmerged, atol=1e-5)
    assert ((merged > 0) & (merged < 1)).all()


def test_building_the_regressor_leaves_the_sources_as_they_were(tiny_sources) -> None:
    # A reduced-precision export builds its fp32 twin and then itself from one set of sources:
    # LoRA merged into the sources' own CLIP would add the adapters twice to the second.
    before = {name: tensor.clone() for name, tensor in tiny_sources.clip.state_dict().items()}
    first = lora_regressor(tiny_sources, LORA)
    merge_lora(first)
    second = lora_regressor(tiny_sources, LORA)
    merge_lora(second)
    after = tiny_sources.clip.state_dict()
    assert list(after) == list(before)
    for name, tensor in before.items():
        assert torch.equal(after[name], tensor), name
    second_state = second.state_dict()
    for name, tensor in first.state_dict().items():
        assert torch.equal(second_state[name], tensor), name


def test_parts_share_the_merged_regressors_weights_and_leave_it_whole(tiny_sources) -> None:
    regressor = lora_regressor(tiny_sources, LORA)
    merge_lora(regressor)
    keys = list(regressor.state_dict())
    pixels, input_ids, attention_mask, features = example_inputs()
    image, text, head = (
        ImageEncoderPart(regressor),
        TextEncoderPart(regressor),
        HeadPart(regressor),
    )
    assert list(regressor.state_dict()) == keys
    weights = {p.data_ptr() for p in regressor.parameters()}
    for part in (image, text, head):
        assert {p.data_ptr() for p in part.parameters()} < weights
    with torch.no_grad():
        composed = head(image(pixels), text(input_ids, attention_mask), features)
        whole = regressor(pixels, input_ids, attention_mask, features)
    assert torch.equal(composed, whole)


def test_parts_are_made_from_the_merged_regressor_only(tiny_sources) -> None:
    with pytest.raises(TypeError, match="LoRA-merged"):
        ImageEncoderPart(lora_regressor(tiny_sources, LORA))


@pytest.mark.parametrize("wrapped", [False, True], ids=["state_dict", "checkpoint_dict"])
def test_trained_state_loads_strictly(tmp_path, tiny_sources, wrapped: bool) -> None:
    trained = lora_regressor(tiny_sources, LORA)
    state = {name: tensor + 0.01 for name, tensor in trained.state_dict().items()}
    path = tmp_path / "best_model_lora.pth"
    torch.save({"epoch": 3, "model_state_dict": state} if wrapped else state, path)
    fresh = random_sources("tiny")
    fresh.trained_state = path
    loaded = lora_regressor(fresh, LORA)
    for name, tensor in loaded.state_dict().items():
        assert torch.equal(tensor, state[name]), name


def test_trained_state_with_missing_keys_is_refused(tmp_path, tiny_sources) -> None:
    regressor = lora_regressor(tiny_sources, LORA)
    state = {
        name: tensor for name, tensor in regressor.state_dict().items() if "lora_B" not in name
    }
    path = tmp_path / "partial.pth"
    torch.save(state, path)
    with pytest.raises(RuntimeError, match="Missing key"):
        load_trained_state(regressor, path)


def test_full_size_configs_match_the_published_models() -> None:
    # Built on the meta device: the sizes without allocating or initialising 0.5 G parameters.
    special = TextSpecialIds(vocab_size=1000, bos_id=998, eos_id=999, pad_id=999)
    expected = {"vit-b-32": 151_277_313, "vit-l-14": 427_616_513}
    for size, parameters in expected.items():
        with torch.device("meta"):
            clip = CLIPModel(clip_config(SIZES[size].clip, special, "sdpa"))
        assert count_parameters(clip).total == parameters
    with torch.device("meta"):
        classifier = DistilBertForSequenceClassification(
            sentiment_config(SIZES["vit-b-32"].sentiment, 1000, 0, "sdpa")
        )
    config = classifier.config
    assert (config.dim, config.n_layers, config.n_heads, config.hidden_dim) == (768, 6, 12, 3072)
    assert config.vocab_size == 1000 and config.num_labels == 5
