"""Command line: `python -m exporter export ...` writes a bundle, `verify DIR` checks one."""

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from . import precision, publish
from .bundle import BundleError
from .configs import REAL_HEAD_HIDDEN_DIMS, SIZES, TINY_SIZE
from .export import LORA_B_SEED, ExportOptions, export_bundle
from .sources import ModelSources, pretrained_sources, random_sources
from .verify import verify_bundle

TINY_VERSION = "tiny-1"


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the process exit status."""
    args = _parser().parse_args(argv)
    return args.command(args)


def _parser() -> argparse.ArgumentParser:
    """The `export` and `verify` sub-commands and their options."""
    parser = argparse.ArgumentParser(prog="python -m exporter", description=__doc__)
    commands = parser.add_subparsers(required=True)

    export = commands.add_parser("export", help="write a model bundle directory")
    export.set_defaults(command=_export)
    export.add_argument(
        "--out", type=Path, required=True, help="bundle directory (replaced if it is a bundle)"
    )
    export.add_argument(
        "--version", help="bundle version (required in real mode; default: tiny-1 or SIZE-random)"
    )
    export.add_argument(
        "--size", choices=sorted(SIZES), default=TINY_SIZE, help="random-weight architecture"
    )
    export.add_argument("--base", help="real mode: CLIP hub id, e.g. openai/clip-vit-large-patch14")
    export.add_argument(
        "--state-dict", type=Path, help="real mode: fine-tuned regressor weights (.pth)"
    )
    export.add_argument("--sentiment", help="real mode: sentiment classifier hub id")
    export.add_argument(
        "--head-hidden-dims",
        type=_dims,
        default=REAL_HEAD_HIDDEN_DIMS,
        help="real mode: hidden sizes of the trained MLP head (default: 512,128)",
    )
    export.add_argument(
        "--trust-checkpoint",
        action="store_true",
        help="real mode: let --state-dict hold pickled objects (trusted files only)",
    )
    export.add_argument(
        "--sentiment-max-tokens", type=int, default=128, help="comment length cap, in tokens"
    )
    export.add_argument(
        "--weights-seed",
        type=int,
        default=LORA_B_SEED,
        help="random mode: seed of the LoRA weights; another seed gives another model of the"
        " same architecture (default: %(default)s, the committed tiny bundle's)",
    )
    export.add_argument(
        "--precision",
        choices=precision.PRECISIONS,
        default=precision.FP32,
        help="fp32 (default); bf16 (CPUs with AVX512-BF16/AMX, GPUs); int8 (dynamic quantization"
        " of the Linear layers, CPU); fp16 (GPU only). Anything but fp32 also exports the fp32"
        " bundle of the same weights and declares the fidelity against it in the manifest",
    )
    export.add_argument(
        "--fidelity-posts",
        type=int,
        default=precision.MIN_FIDELITY_POSTS,
        help="generated posts the fidelity is measured on (at least %(default)s)",
    )
    export.add_argument(
        "--created-at",
        help="UTC time for the manifest, e.g. 2026-11-24T00:00:00Z (default: now)",
    )

    verify = commands.add_parser(
        "verify", help="check a bundle's files and re-run its reference cases"
    )
    verify.set_defaults(command=_verify)
    verify.add_argument("bundle", type=Path)
    verify.add_argument(
        "--tolerance", type=float, help="default: the manifest's reference tolerance"
    )

    publish_command = commands.add_parser(
        "publish", help="upload a bundle to S3 as one .tar.gz object (see exporter/publish.py)"
    )
    publish_command.set_defaults(command=publish.run)
    publish.add_arguments(publish_command)
    return parser


def _export(args: argparse.Namespace) -> int:
    """The `export` command."""
    real = [args.base, args.state_dict, args.sentiment]
    if any(real) and not all(real):
        sys.exit("real mode needs all of --base, --state-dict and --sentiment")
    if all(real) and not args.version:
        sys.exit("real mode needs --version: the version the service reports with every score")
    version = args.version or _random_version(args.size)
    sources = _sources(args, real=all(real))
    options = ExportOptions(
        out=args.out,
        version=version,
        created_at=args.created_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        sentiment_max_tokens=args.sentiment_max_tokens,
        trust_checkpoint=args.trust_checkpoint,
        progress=_progress,
        weights_seed=args.weights_seed,
        precision=args.precision,
        fidelity_posts=args.fidelity_posts,
    )
    manifest = export_bundle(sources, options)
    files = len(manifest["files"])
    _progress(f"wrote {manifest['name']} {manifest['version']} to {args.out} ({files} files)")
    return 0


def _random_version(size: str) -> str:
    """The default version of a random-weight bundle."""
    return TINY_VERSION if size == TINY_SIZE else f"{size}-random"


def _sources(args: argparse.Namespace, real: bool) -> ModelSources:
    """The pretrained sources in real mode, else random weights of `--size`."""
    if real:
        _progress(f"loading {args.base} and {args.sentiment}")
        return pretrained_sources(args.base, args.sentiment, args.state_dict, args.head_hidden_dims)
    _progress(f"building random {args.size} models")
    return random_sources(args.size)


def _dims(text: str) -> tuple[int, ...]:
    """Parses "512,128" into (512, 128)."""
    return tuple(int(part) for part in text.split(","))


def _verify(args: argparse.Namespace) -> int:
    """The `verify` command."""
    try:
        result = verify_bundle(args.bundle, args.tolerance)
    except BundleError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    _progress(
        f"OK: {result.files} files match the manifest, {result.cases} reference cases reproduce "
        f"(largest difference {result.largest_difference:.3g})"
    )
    if result.parts_difference is not None:
        _progress(
            "OK: the regressor parts composed score the cases as regressor.pt does "
            f"(largest difference {result.parts_difference:.3g})"
        )
    return 0


def _progress(message: str) -> None:
    """Prints one progress line."""
    print(f"[exporter] {message}", flush=True)
