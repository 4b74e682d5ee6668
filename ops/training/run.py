"""One training run: posts -> split -> inputs -> fine-tune -> best_model_lora.pth -> bundle.

The run folder (`--out`) holds `checkpoints/last.pt` (written after every epoch; `--resume` takes
it), `best_model_lora.pth` (the exporter's layout), `bundle/` (written by the exporter's own
`export_bundle`, LoRA merged, with a `training` section in its manifest), `training.json` (that
section plus the per-epoch history), `bad_rows.txt` when rows were left out, `cache/`, and the
local MLflow store unless tracking goes elsewhere.
"""

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from mlflow.exceptions import MlflowException

from exporter.bundle import sha256
from exporter.configs import REAL_HEAD_HIDDEN_DIMS, TINY_SIZE
from exporter.export import ExportOptions, export_bundle
from exporter.model import (
    CLIPEngagementRegressor,
    LoraSettings,
    ParameterCounts,
    apply_lora,
    count_parameters,
)
from exporter.sentiment import LABELS
from exporter.sources import ModelSources, pretrained_sources, random_sources

from .checkpoint import load_checkpoint, save_best_model, save_checkpoint
from .dataset import LoadedPosts, Post, load_posts
from .features import (
    PIXEL_BYTES,
    PostDataset,
    PostInputs,
    cached_sentiment_features,
    sentiment_features,
    text_inputs,
)
from .labels import LabelNormalisation
from .split import Split, split_posts
from .tracking import MlflowTracker, Tracker, tracking_uri
from .trainer import Trainer, TrainSettings, resolve_precision

BEST_MODEL = "best_model_lora.pth"
CHECKPOINT = Path("checkpoints") / "last.pt"
BUNDLE_DIR = "bundle"
SUMMARY = "training.json"
BAD_ROWS = "bad_rows.txt"
SENTIMENT_CACHE = Path("cache") / "sentiment_features.npz"
DEFAULT_EXPERIMENT = "engagement-scorer"


@dataclass(frozen=True)
class ModelChoice:
    """Random-weight models of a size (tests), or the hub's pretrained models (real training)."""

    size: str = TINY_SIZE
    base: str | None = None
    sentiment: str | None = None
    head_hidden_dims: tuple[int, ...] = REAL_HEAD_HIDDEN_DIMS

    def sources(self, trained_state: Path | None) -> ModelSources:
        """Fresh sources (training wraps their CLIP in LoRA); the base weights never change."""
        if self.base is None:
            sources = random_sources(self.size)
            sources.trained_state = trained_state
            return sources
        return pretrained_sources(self.base, self.sentiment, trained_state, self.head_hidden_dims)

    def describe(self) -> dict:
        """The choice, for the run's signature and parameters."""
        if self.base is None:
            return {"size": self.size}
        return {
            "base": self.base,
            "sentiment": self.sentiment,
            "head_hidden_dims": list(self.head_hidden_dims),
        }


@dataclass(frozen=True)
class TrackingOptions:
    """Where MLflow runs go (see `training.tracking`); `enabled=False` records nothing."""

    enabled: bool = True
    uri: str | None = None
    experiment: str = DEFAULT_EXPERIMENT
    run_name: str | None = None


@dataclass(frozen=True)
class RunOptions:
    """Everything one `python -m training train` needs."""

    data: Path
    out: Path
    version: str
    created_at: str
    model: ModelChoice = field(default_factory=ModelChoice)
    lora: LoraSettings = field(default_factory=LoraSettings)
    train: TrainSettings = field(default_factory=TrainSettings)
    label_field: str = "engagement"
    max_bad_share: float = 0.05
    split: str = "auto"
    validation_share: float = 0.2
    sentiment_max_tokens: int = 128
    sentiment_batch_size: int = 64
    device: str = "auto"
    precision: str = "auto"
    image_cache_mb: int = 2048
    resume: Path | None = None
    tracking: TrackingOptions = field(default_factory=TrackingOptions)
    log: Callable[[str], None] = field(default=lambda message: None)


@dataclass(frozen=True)
class RunResult:
    """What a finished run wrote and measured."""

    bundle: Path
    best_model: Path
    manifest: dict
    history: list[dict]
    mlflow_run_id: str | None


def run_training(options: RunOptions) -> RunResult:
    """Trains, writes `best_model_lora.pth`, exports the bundle and tracks it all."""
    out, log = options.out, options.log
    out.mkdir(parents=True, exist_ok=True)
    loaded = load_posts(options.data, options.label_field, options.max_bad_share)
    _report_bad_rows(loaded, out, log)
    split = split_posts(loaded.posts, options.split, options.validation_share, options.train.seed)
    labels = LabelNormalisation.fit([post.label for post in split.train], options.label_field)
    device = _device(options.device)
    precision = resolve_precision(options.precision, device)
    dataset_sha256 = sha256(options.data)
    dataset = _dataset_section(loaded, split, dataset_sha256)
    signature = _signature(options, dataset_sha256, precision)
    checkpoint = load_checkpoint(options.resume, signature) if options.resume else None
    sources = options.model.sources(trained_state=None)
    regressor = build_regressor(sources, options.lora, options.train.seed)
    counts = count_parameters(regressor)
    log(f"{sources.name}: {counts.trainable:,} of {counts.total:,} parameters train")
    log(f"device {device}, precision {precision}")
    inputs = _post_inputs(loaded.posts, sources, options, device, dataset_sha256)
    train_set, validation_set = _datasets(
        inputs, loaded.posts, split, labels, options.image_cache_mb
    )
    trainer = Trainer(regressor, train_set, validation_set, options.train, device, precision)
    if checkpoint is not None:
        trainer.load_state_dict(checkpoint["trainer"])
        log(f"resumed from {options.resume} after epoch {trainer.epoch}")
    tracker = _tracker(options, checkpoint, log)
    try:
        if checkpoint is None:
            tracker.log_params(_params(options, dataset, labels, counts, device, precision))
        else:
            tracker.set_tags({"resumed_after_epoch": str(trainer.epoch)})
        trainer.fit(lambda record: _end_epoch(record, trainer, tracker, signature, out, log))
        result = _finish(options, trainer, regressor, tracker, dataset, labels)
    except KeyboardInterrupt:
        tracker.finish("KILLED")
        raise
    except Exception:
        tracker.finish("FAILED")
        raise
    tracker.finish("FINISHED")
    return result


def build_regressor(
    sources: ModelSources, lora: LoraSettings, seed: int
) -> CLIPEngagementRegressor:
    """The regressor to train: seeded head, CLIP wrapped in LoRA (base frozen, B matrices zero)."""
    torch.manual_seed(seed)
    regressor = CLIPEngagementRegressor(sources.clip, len(LABELS), sources.head_hidden_dims)
    apply_lora(regressor, lora)
    return regressor


def _report_bad_rows(loaded: LoadedPosts, out: Path, log: Callable[[str], None]) -> None:
    """Logs the bad-row report and writes every bad row to `bad_rows.txt` (none: no file)."""
    for line in loaded.report():
        log(line)
    rows = "".join(f"{loaded.path.name}:{row}\n" for row in loaded.bad_rows)
    if rows:
        (out / BAD_ROWS).write_text(rows, encoding="utf-8")
    else:
        (out / BAD_ROWS).unlink(missing_ok=True)


def _device(requested: str) -> torch.device:
    """`auto` is the GPU when there is one, else the CPU."""
    if requested == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda, but torch sees no CUDA device")
    return torch.device(requested)


def _signature(options: RunOptions, dataset_sha256: str, precision: str) -> dict:
    """What a checkpoint's run and a resumed run must share."""
    return {
        "dataset_sha256": dataset_sha256,
        "model": options.model.describe(),
        "lora": _lora_settings(options.lora),
        "train": options.train.signature(),
        "label_field": options.label_field,
        "split": [options.split, options.validation_share],
        "sentiment_max_tokens": options.sentiment_max_tokens,
        "precision": precision,
    }


def _lora_settings(lora: LoraSettings) -> dict:
    """The LoRA settings as plain values."""
    return {**asdict(lora), "target_modules": list(lora.target_modules)}


def _post_inputs(
    posts: list[Post],
    sources: ModelSources,
    options: RunOptions,
    device: torch.device,
    dataset_sha256: str,
) -> PostInputs:
    """Every post's text inputs and (cached) sentiment features; images stay paths."""
    input_ids, attention_mask = text_inputs(posts, sources)
    key = hashlib.sha256(
        "\n".join(
            [
                dataset_sha256,
                sources.base_models["sentiment"],
                str(options.sentiment_max_tokens),
                *(post.post_id for post in posts),
            ]
        ).encode("utf-8")
    ).hexdigest()
    features = cached_sentiment_features(
        options.out / SENTIMENT_CACHE,
        key,
        lambda: sentiment_features(
            posts,
            sources,
            options.sentiment_max_tokens,
            options.sentiment_batch_size,
            device,
            options.log,
        ),
    )
    return PostInputs([post.image for post in posts], input_ids, attention_mask, features)


def _datasets(
    inputs: PostInputs,
    posts: list[Post],
    split: Split,
    labels: LabelNormalisation,
    image_cache_mb: int,
) -> tuple[PostDataset, PostDataset]:
    """Training and validation datasets; the image cache budget goes to training first."""
    row = {post.post_id: index for index, post in enumerate(posts)}
    budget = image_cache_mb * 2**20 // PIXEL_BYTES
    train_cache = min(budget, len(split.train))
    datasets = []
    for part, cache in ((split.train, train_cache), (split.validation, budget - train_cache)):
        subset = inputs.subset([row[post.post_id] for post in part])
        datasets.append(PostDataset(subset, labels.targets([p.label for p in part]), cache))
    return datasets[0], datasets[1]


def _tracker(options: RunOptions, checkpoint: dict | None, log: Callable[[str], None]) -> Tracker:
    """The MLflow run (the checkpoint's when it can be reopened), or no tracking."""
    if not options.tracking.enabled:
        return Tracker()
    uri = tracking_uri(options.tracking.uri, options.out)
    tracking = options.tracking
    run_name = tracking.run_name or options.out.resolve().name
    previous = checkpoint.get("mlflow_run_id") if checkpoint else None
    try:
        tracker = MlflowTracker(uri, tracking.experiment, run_name, previous)
    except MlflowException as error:
        if previous is None:
            raise
        log(f"cannot reopen MLflow run {previous} at {uri} ({error.message}); starting a new one")
        tracker = MlflowTracker(uri, tracking.experiment, run_name)
    log(f"MLflow run {tracker.run_id} at {uri}")
    return tracker


def _params(
    options: RunOptions,
    dataset: dict,
    labels: LabelNormalisation,
    counts: ParameterCounts,
    device: torch.device,
    precision: str,
) -> dict:
    """The run's MLflow parameters."""
    settings = asdict(options.train)
    for local_only in ("workers", "progress"):
        settings.pop(local_only)
    return {
        "model": options.model.describe(),
        "lora": _lora_settings(options.lora),
        "train": settings,
        "device": device.type,
        "precision": precision,
        "parameters": {"total": counts.total, "trainable": counts.trainable},
        "dataset": dataset,
        "label_normalisation": {
            "field": labels.field,
            "log_min": labels.log_min,
            "log_max": labels.log_max,
        },
    }


def _end_epoch(
    record: dict,
    trainer: Trainer,
    tracker: Tracker,
    signature: dict,
    out: Path,
    log: Callable[[str], None],
) -> None:
    """After each epoch: one metrics line, MLflow metrics and a checkpoint."""
    best = " *best*" if trainer.stopping.best_epoch == record["epoch"] else ""
    log(
        f"epoch {record['epoch']}/{trainer.settings.epochs}: "
        f"train_loss {record['train_loss']:.4f}  val_loss {record['val_loss']:.4f}  "
        f"val_mae {record['val_mae']:.4f}  val_spearman {record['val_spearman']:.3f}  "
        f"lr {record['lr']:.2e}  ({record['epoch_seconds']:.1f} s){best}"
    )
    tracker.log_metrics(
        {key: value for key, value in record.items() if key != "epoch"}, step=record["epoch"]
    )
    save_checkpoint(
        out / CHECKPOINT,
        {"signature": signature, "trainer": trainer.state_dict(), "mlflow_run_id": tracker.run_id},
    )


def _finish(
    options: RunOptions,
    trainer: Trainer,
    regressor: CLIPEngagementRegressor,
    tracker: Tracker,
    dataset: dict,
    labels: LabelNormalisation,
) -> RunResult:
    """Writes `best_model_lora.pth`, exports the bundle, records the summary and artefacts."""
    out, log = options.out, options.log
    best = trainer.history[trainer.stopping.best_epoch - 1]
    metrics = {key: best[key] for key in ("train_loss", "val_loss", "val_mae", "val_spearman")}
    save_best_model(
        regressor, trainer.best_state, out / BEST_MODEL, epoch=best["epoch"], metrics=metrics
    )
    log(f"best epoch {best['epoch']}: wrote {out / BEST_MODEL}; exporting the bundle")
    section = _json_safe(
        {
            "metrics": {"best_epoch": best["epoch"], **metrics},
            "epochs": {
                "run": trainer.epoch,
                "max": trainer.settings.epochs,
                "stopped_early": trainer.stopping.should_stop,
            },
            "label_normalisation": labels.manifest_section(),
            "dataset": dataset,
            "hyperparameters": {
                **options.train.signature(),
                "epochs": options.train.epochs,
                "patience": options.train.patience,
                "precision": trainer.precision,
            },
            "mlflow_run_id": tracker.run_id,
        }
    )
    manifest = export_bundle(
        options.model.sources(trained_state=out / BEST_MODEL),
        ExportOptions(
            out=out / BUNDLE_DIR,
            version=options.version,
            created_at=options.created_at,
            lora=options.lora,
            sentiment_max_tokens=options.sentiment_max_tokens,
            training=section,
            progress=log,
        ),
    )
    summary = out / SUMMARY
    summary.write_text(
        json.dumps({**section, "history": _json_safe(trainer.history)}, indent=2) + "\n",
        encoding="utf-8",
    )
    tracker.log_metrics({f"best_{key}": value for key, value in metrics.items()})
    tracker.log_artifacts(out / BUNDLE_DIR, BUNDLE_DIR)
    tracker.log_artifacts(summary)
    if dataset["bad_rows"]:
        tracker.log_artifacts(out / BAD_ROWS)
    log(f"wrote {manifest['name']} {manifest['version']} to {out / BUNDLE_DIR}")
    return RunResult(
        bundle=out / BUNDLE_DIR,
        best_model=out / BEST_MODEL,
        manifest=manifest,
        history=list(trainer.history),
        mlflow_run_id=tracker.run_id,
    )


def _dataset_section(loaded: LoadedPosts, split: Split, dataset_sha256: str) -> dict:
    """Which data the run saw: file, hash, row counts and the split."""
    return {
        "file": loaded.path.name,
        "sha256": dataset_sha256,
        "rows": loaded.rows,
        "valid_rows": len(loaded.posts),
        "bad_rows": len(loaded.bad_rows),
        "train_rows": len(split.train),
        "validation_rows": len(split.validation),
        "split": split.details,
    }


def _json_safe(value):
    """`value` with non-finite floats as None: JSON has no NaN, and the service parses strictly."""
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, float | np.floating) and not math.isfinite(value):
        return None
    return float(value) if isinstance(value, np.floating) else value
