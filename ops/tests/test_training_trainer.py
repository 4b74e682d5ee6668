"""The training loop on a few posts: what trains, mixed precision, accumulation, checkpoints."""

import math

import pytest
import torch

from exporter.model import LoraSettings
from exporter.sources import random_sources
from training.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from training.dataset import load_posts
from training.features import PostDataset, PostInputs, sentiment_features, text_inputs
from training.labels import LabelNormalisation
from training.run import build_regressor
from training.synthetic import write_synthetic
from training.trainer import EarlyStopping, Trainer, TrainSettings, resolve_precision

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def datasets(tmp_path_factory):
    """Training (16 posts) and validation (8 posts) sets of a synthetic dataset."""
    posts = load_posts(write_synthetic(tmp_path_factory.mktemp("posts"), rows=24)).posts
    sources = random_sources("tiny")
    ids, mask = text_inputs(posts, sources)
    features = sentiment_features(posts, sources, 128, 16, CPU, lambda message: None)
    inputs = PostInputs([post.image for post in posts], ids, mask, features)
    targets = LabelNormalisation.fit([p.label for p in posts], "engagement").targets(
        [p.label for p in posts]
    )
    train, validation = list(range(16)), list(range(16, 24))
    return (
        PostDataset(inputs.subset(train), targets[train], cache_images=16),
        PostDataset(inputs.subset(validation), targets[validation], cache_images=8),
    )


def trainer(datasets, precision: str = "fp32", **settings) -> Trainer:
    model = build_regressor(random_sources("tiny"), LoraSettings(), seed=0)
    options = TrainSettings(**{"epochs": 1, "batch_size": 4, "progress": False, **settings})
    return Trainer(model, *datasets, options, CPU, precision)


def test_only_the_lora_adapters_and_the_head_change(datasets) -> None:
    run = trainer(datasets, head_lr=1e-2, lr=1e-2)
    before = {name: tensor.clone() for name, tensor in run.model.state_dict().items()}
    run.fit(lambda record: None)
    changed = {
        name
        for name, tensor in run.model.state_dict().items()
        if not torch.equal(tensor, before[name])
    }
    trainable = {name for name, p in run.model.named_parameters() if p.requires_grad}
    assert changed == trainable
    assert all(".lora_" in name or name.startswith("head.") for name in trainable)
    assert any(".lora_B." in name for name in changed)  # B starts at zero and has moved


def test_fp16_with_a_gradient_scaler_and_accumulation(datasets) -> None:
    run = trainer(datasets, precision="fp16", grad_accum=3)
    records = []
    run.fit(records.append)
    assert run.scaler.is_enabled() and run.scaler.state_dict()["scale"] > 0
    assert run.scheduler.last_epoch == math.ceil(4 / 3)  # 4 batches, an optimizer step per 3
    assert all(math.isfinite(records[0][key]) for key in ("train_loss", "val_loss", "val_mae"))


def test_bf16_autocast_trains(datasets) -> None:
    run = trainer(datasets, precision="bf16")
    run.fit(lambda record: None)
    assert not run.scaler.is_enabled()
    assert math.isfinite(run.history[0]["val_loss"])


def test_auto_precision_is_fp32_on_the_cpu() -> None:
    assert resolve_precision("auto", CPU) == "fp32"
    assert resolve_precision("bf16", CPU) == "bf16"
    with pytest.raises(ValueError, match="precision"):
        resolve_precision("fp8", CPU)


def test_warmup_raises_the_learning_rate_linearly_then_holds_it(datasets) -> None:
    run = trainer(datasets, warmup_steps=8, lr=1e-3, epochs=3)
    lrs = []
    run.fit(lambda record: lrs.append(record["lr"]))
    # Optimizer step n (from 0) runs at lr * min(1, (n + 1) / 8); the record holds the next one's.
    assert lrs == pytest.approx([5 / 8 * 1e-3, 1e-3, 1e-3])  # after 4, 8 and 12 steps


def test_early_stopping_waits_patience_epochs_without_improvement() -> None:
    stopping = EarlyStopping(patience=2, min_delta=0.01)
    assert stopping.update(1, 0.5) and not stopping.should_stop
    assert not stopping.update(2, 0.495)  # better, but by less than min_delta
    assert stopping.update(3, 0.4)
    assert not stopping.update(4, 0.41) and not stopping.should_stop
    assert not stopping.update(5, 0.45) and stopping.should_stop
    assert (stopping.best_epoch, stopping.best_loss) == (3, 0.4)


def test_a_checkpoint_restores_the_run_and_refuses_other_settings(datasets, tmp_path) -> None:
    first = trainer(datasets, epochs=2)
    first.fit(lambda record: None)
    path = tmp_path / "last.pt"
    save_checkpoint(path, {"signature": {"lr": 1e-4}, "trainer": first.state_dict()})
    generator_state = torch.get_rng_state()
    torch.manual_seed(123)
    restored = trainer(datasets, epochs=2)
    restored.load_state_dict(load_checkpoint(path, {"lr": 1e-4})["trainer"])
    assert restored.epoch == 2 and restored.finished
    assert restored.history == first.history
    for name, tensor in first.model.state_dict().items():
        assert torch.equal(tensor, restored.model.state_dict()[name]), name
    assert torch.equal(torch.get_rng_state(), generator_state)
    with pytest.raises(CheckpointError, match="lr: checkpoint 0.0001, this run 0.001"):
        load_checkpoint(path, {"lr": 1e-3})
