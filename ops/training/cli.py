"""Command line: `python -m training train ...` fine-tunes and exports; `make-synthetic`."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from exporter.configs import REAL_HEAD_HIDDEN_DIMS, SIZES, TINY_SIZE
from exporter.model import LoraSettings

from .dataset import DEFAULT_LABEL_FIELD, DEFAULT_MAX_BAD_SHARE
from .run import DEFAULT_EXPERIMENT, ModelChoice, RunOptions, TrackingOptions, run_training
from .split import SPLIT_METHODS
from .synthetic import write_synthetic
from .trainer import PRECISIONS, TrainSettings

_LORA = LoraSettings()
_TRAIN = TrainSettings()


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the process exit status."""
    args = _parser().parse_args(argv)
    return args.command(args)


def _parser() -> argparse.ArgumentParser:
    """The `train` and `make-synthetic` sub-commands."""
    parser = argparse.ArgumentParser(prog="python -m training", description=__doc__)
    commands = parser.add_subparsers(required=True)
    train = commands.add_parser(
        "train",
        help="fine-tune on a JSON Lines dataset, write best_model_lora.pth and the bundle",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    train.set_defaults(command=_train)
    _data_arguments(train.add_argument_group("data"))
    _model_arguments(train.add_argument_group("model"))
    _optimisation_arguments(train.add_argument_group("optimisation"))
    _run_arguments(train.add_argument_group("run"))

    synthetic = commands.add_parser(
        "make-synthetic", help="write a synthetic dataset with a planted signal"
    )
    synthetic.set_defaults(command=_make_synthetic)
    synthetic.add_argument("--out", type=Path, required=True, help="dataset folder")
    synthetic.add_argument("--rows", type=int, default=200, help="number of posts")
    synthetic.add_argument("--seed", type=int, default=0)
    return parser


def _data_arguments(group: argparse._ArgumentGroup) -> None:
    """Dataset, label and split options."""
    group.add_argument("--data", type=Path, required=True, help="posts, JSON Lines")
    group.add_argument(
        "--label-field", default=DEFAULT_LABEL_FIELD, help="field holding the engagement count"
    )
    group.add_argument(
        "--max-bad-share",
        type=float,
        default=DEFAULT_MAX_BAD_SHARE,
        help="stop when more than this share of the rows is bad",
    )
    group.add_argument(
        "--split", choices=SPLIT_METHODS, default="auto", help="auto: time when all have created_at"
    )
    group.add_argument("--validation-share", type=float, default=0.2)


def _model_arguments(group: argparse._ArgumentGroup) -> None:
    """Base models, LoRA and sentiment options."""
    group.add_argument(
        "--size", choices=sorted(SIZES), default=TINY_SIZE, help="random-weight base models"
    )
    group.add_argument("--base", help="real mode: CLIP hub id, e.g. openai/clip-vit-large-patch14")
    group.add_argument("--sentiment", help="real mode: sentiment classifier hub id")
    group.add_argument(
        "--head-hidden-dims",
        type=_ints,
        default=REAL_HEAD_HIDDEN_DIMS,
        help="real mode: hidden sizes of the MLP head",
    )
    group.add_argument("--lora-rank", type=int, default=_LORA.rank)
    group.add_argument("--lora-alpha", type=int, default=_LORA.alpha)
    group.add_argument("--lora-dropout", type=float, default=_LORA.dropout)
    group.add_argument(
        "--lora-target-modules", type=_names, default=_LORA.target_modules, help="comma-separated"
    )
    group.add_argument(
        "--sentiment-max-tokens", type=int, default=128, help="comment length cap, in tokens"
    )
    group.add_argument(
        "--sentiment-batch-size", type=int, default=64, help="comments per classifier batch"
    )


def _optimisation_arguments(group: argparse._ArgumentGroup) -> None:
    """Optimiser, schedule, early stopping and precision options."""
    group.add_argument("--epochs", type=int, default=_TRAIN.epochs)
    group.add_argument("--batch-size", type=int, default=_TRAIN.batch_size)
    group.add_argument(
        "--grad-accum", type=int, default=_TRAIN.grad_accum, help="batches per optimizer step"
    )
    group.add_argument("--lr", type=float, default=_TRAIN.lr, help="LoRA adapters' learning rate")
    group.add_argument("--head-lr", type=float, default=_TRAIN.head_lr, help="head learning rate")
    group.add_argument("--weight-decay", type=float, default=_TRAIN.weight_decay)
    group.add_argument(
        "--warmup-steps",
        type=int,
        default=_TRAIN.warmup_steps,
        help="linear warm-up, then constant",
    )
    group.add_argument("--max-grad-norm", type=float, default=_TRAIN.max_grad_norm)
    group.add_argument(
        "--patience", type=int, default=_TRAIN.patience, help="epochs without improvement"
    )
    group.add_argument("--min-delta", type=float, default=_TRAIN.min_delta)
    group.add_argument("--seed", type=int, default=_TRAIN.seed)
    group.add_argument(
        "--precision",
        choices=PRECISIONS,
        default="auto",
        help="auto: bf16/fp16 on GPU, fp32 on CPU",
    )
    group.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")


def _run_arguments(group: argparse._ArgumentGroup) -> None:
    """Output, resume, tracking and bundle options."""
    group.add_argument("--out", type=Path, required=True, help="run folder")
    group.add_argument(
        "--resume", type=Path, help="checkpoint to continue, e.g. OUT/checkpoints/last.pt"
    )
    group.add_argument(
        "--image-cache-mb", type=int, default=2048, help="memory for decoded images, per worker"
    )
    group.add_argument("--workers", type=int, default=_TRAIN.workers, help="data loader processes")
    group.add_argument("--no-progress", action="store_true", help="no progress bar")
    group.add_argument(
        "--tracking-uri", help="MLflow store (default: $MLFLOW_TRACKING_URI, else OUT/mlflow.db)"
    )
    group.add_argument("--no-tracking", action="store_true", help="record nothing in MLflow")
    group.add_argument("--experiment", default=DEFAULT_EXPERIMENT, help="MLflow experiment")
    group.add_argument("--run-name", help="MLflow run name (default: the run folder's name)")
    group.add_argument("--version", help="bundle version (default: trained-<UTC time>)")
    group.add_argument("--created-at", help="UTC time for the manifest (default: now)")


def _train(args: argparse.Namespace) -> int:
    """The `train` command."""
    if bool(args.base) != bool(args.sentiment):
        sys.exit("real mode needs both --base and --sentiment")
    now = datetime.now(UTC)
    try:
        result = run_training(_run_options(args, now))
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    best = result.manifest["training"]["metrics"]
    _progress(
        f"done: best epoch {best['best_epoch']}, val_spearman {_number(best['val_spearman'])}, "
        f"val_mae {_number(best['val_mae'])}; bundle {result.bundle}"
    )
    return 0


def _number(value: float | None) -> str:
    """A metric for people: 4 significant digits, or n/a (the manifest's None for NaN)."""
    return "n/a" if value is None else f"{value:.4g}"


def _run_options(args: argparse.Namespace, now: datetime) -> RunOptions:
    """The run's options from the parsed arguments."""
    return RunOptions(
        data=args.data,
        out=args.out,
        version=args.version or now.strftime("trained-%Y%m%dT%H%M%SZ"),
        created_at=args.created_at or now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        model=ModelChoice(args.size, args.base, args.sentiment, args.head_hidden_dims),
        lora=LoraSettings(
            args.lora_rank, args.lora_alpha, args.lora_dropout, args.lora_target_modules
        ),
        train=TrainSettings(
            epochs=args.epochs,
            batch_size=args.batch_size,
            grad_accum=args.grad_accum,
            lr=args.lr,
            head_lr=args.head_lr,
            weight_decay=args.weight_decay,
            warmup_steps=args.warmup_steps,
            max_grad_norm=args.max_grad_norm,
            patience=args.patience,
            min_delta=args.min_delta,
            seed=args.seed,
            workers=args.workers,
            progress=not args.no_progress,
        ),
        label_field=args.label_field,
        max_bad_share=args.max_bad_share,
        split=args.split,
        validation_share=args.validation_share,
        sentiment_max_tokens=args.sentiment_max_tokens,
        sentiment_batch_size=args.sentiment_batch_size,
        device=args.device,
        precision=args.precision,
        image_cache_mb=args.image_cache_mb,
        resume=args.resume,
        tracking=TrackingOptions(
            enabled=not args.no_tracking,
            uri=args.tracking_uri,
            experiment=args.experiment,
            run_name=args.run_name,
        ),
        log=_progress,
    )


def _make_synthetic(args: argparse.Namespace) -> int:
    """The `make-synthetic` command."""
    dataset = write_synthetic(args.out, args.rows, args.seed)
    _progress(f"wrote {args.rows} posts to {dataset}")
    return 0


def _ints(text: str) -> tuple[int, ...]:
    """Parses "512,128" into (512, 128)."""
    return tuple(int(part) for part in text.split(","))


def _names(text: str) -> tuple[str, ...]:
    """Parses "q_proj,v_proj" into ("q_proj", "v_proj")."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _progress(message: str) -> None:
    """Prints one progress line."""
    print(f"[training] {message}", flush=True)
