#!/usr/bin/env python3
"""Measures a bundle's TorchScript modules on a GPU (or the CPU): throughput, latency, memory, FLOPs.

    python gpu_bench.py BUNDLE_DIR [--device cuda|cpu] [--batch-sizes 1,2,4,...,256]
                        [--dtypes fp32,bf16,fp16] [--seconds S] [--json OUT] [--peak-tflops ...]
    python gpu_bench.py BUNDLE_DIR --strip-to OUT_DIR   # a copy without weights, to travel

Needs only the standard library and PyTorch (no exporter, no transformers, no Java), so this one
file can be copied with a bundle to a GPU host. For each module the manifest declares (the
regressor's parts, the whole regressor, the sentiment classifier) and for the whole post as the
service composes the parts, at each dtype and batch size it reports the median latency of one
forward pass, posts per second, peak memory, FLOPs of one forward (matmul, convolution and
attention FLOPs, as `torch.utils.flop_counter.FlopCounterMode` counts them), the achieved FLOP
rate and its share of the device's peak, and the largest absolute difference of the output from
fp32 on the same inputs.

One batch row is one post: the sentiment classifier is fed `--comments` comments per post (so
`batch * comments` rows of `--comment-tokens` tokens), as the service's model ceiling is.
"""

import argparse
import json
import math
import platform
import re
import resource
import shlex
import shutil
import statistics
import sys
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

DTYPES = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}
DEFAULT_BATCH_SIZES = "1,2,4,8,16,32,64,128,256"
# The file names the bundle contract (models/README.md) fixes for the modules outside
# `regressor_parts`.
REGRESSOR_FILE = "regressor.pt"
SENTIMENT_FILE = "sentiment.pt"
POST = "post"

# Peak dense (no structured sparsity) TFLOP/s by dtype, from NVIDIA's data sheets. The sheets
# print tensor-core figures "with sparsity", twice the dense ones; the halves are given here.
# fp32 is the non-tensor-core FP32 figure: PyTorch does not use TF32 for fp32 matmuls unless
# torch.backends.cuda.matmul.allow_tf32 is set (this script leaves it at its default, off; cuDNN
# convolutions, such as CLIP's patch embedding, do use TF32 by default).
# Matched in order against torch.cuda.get_device_name(); the first match wins.
KNOWN_PEAKS = [
    # H200 NVL data sheet: FP32 60, BF16/FP16 tensor 1,671 with sparsity.
    (r"H200 NVL", {"fp32": 60.0, "bf16": 835.5, "fp16": 835.5}, "NVIDIA H200 NVL data sheet"),
    # H200 SXM data sheet: FP32 67, BF16/FP16 tensor 1,979 with sparsity (same as H100 SXM).
    (r"H200", {"fp32": 67.0, "bf16": 989.5, "fp16": 989.5}, "NVIDIA H200 SXM data sheet"),
    # H100 PCIe data sheet: FP32 51, BF16/FP16 tensor 1,513 with sparsity.
    (r"H100 PCIe", {"fp32": 51.0, "bf16": 756.5, "fp16": 756.5}, "NVIDIA H100 PCIe data sheet"),
    # H100 NVL data sheet: FP32 60, BF16/FP16 tensor 1,671 with sparsity.
    (r"H100 NVL", {"fp32": 60.0, "bf16": 835.5, "fp16": 835.5}, "NVIDIA H100 NVL data sheet"),
    # H100 SXM data sheet: FP32 67, BF16/FP16 tensor 1,979 with sparsity.
    (r"H100", {"fp32": 67.0, "bf16": 989.5, "fp16": 989.5}, "NVIDIA H100 SXM data sheet"),
    # A100 data sheet (SXM and PCIe alike): FP32 19.5, BF16/FP16 tensor 312 dense (624 sparse).
    (r"A100", {"fp32": 19.5, "bf16": 312.0, "fp16": 312.0}, "NVIDIA A100 data sheet"),
    # L4 data sheet: FP32 30.3, BF16/FP16 tensor 242 with sparsity. `\b` keeps L40/L40S out.
    (r"\bL4\b", {"fp32": 30.3, "bf16": 121.0, "fp16": 121.0}, "NVIDIA L4 data sheet"),
]


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    bundle = Path(args.bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    if args.strip_to:
        return strip(bundle, manifest, Path(args.strip_to))
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("--device cuda: no CUDA device is available to PyTorch", file=sys.stderr)
        return 2
    torch.set_grad_enabled(False)
    device_name = _device_name(device)
    peaks, peak_source = _peaks(args.peak_tflops, device_name)
    shapes = Shapes(bundle, manifest, args.comments, args.comment_tokens)
    modules = _modules(bundle, manifest)
    if args.modules:
        wanted = args.modules.split(",")
        unknown = [name for name in wanted if name not in modules and name != POST]
        if unknown:
            print(f"--modules: {unknown} not in this bundle ({[*modules, POST]})", file=sys.stderr)
            return 2
    else:
        wanted = [*modules, POST]
    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]
    dtypes = args.dtypes.split(",")
    unknown_dtypes = [name for name in dtypes if name not in DTYPES]
    if unknown_dtypes:
        print(f"--dtypes: {unknown_dtypes} unknown (known: {list(DTYPES)})", file=sys.stderr)
        return 2

    result = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": shlex.join([Path(sys.argv[0]).name if argv is None else "gpu_bench.py",
                               *(sys.argv[1:] if argv is None else argv)]),
        "device": device_name,
        "device_type": device.type,
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "python": platform.python_version(),
        "host_cpu": platform.processor() or platform.machine(),
        "bundle": {"dir": str(bundle), "name": manifest.get("name"),
                   "version": manifest.get("version")},
        "stripped_weights": bool(shapes.stripped),
        "peak_tflops": peaks,
        "peak_source": peak_source,
        "settings": {"seconds": args.seconds, "warmup": args.warmup, "comments": args.comments,
                     "comment_tokens": args.comment_tokens, "batch_sizes": batch_sizes,
                     "dtypes": dtypes, "precision": args.precision, "seed": args.seed},
        "rows": [],
    }
    print(f"# {result['command']}")
    print(f"# device {device_name} ({device.type}), torch {torch.__version__}, "
          f"bundle {manifest.get('name')} {manifest.get('version')}, {result['date']}")
    if shapes.stripped:
        print("# stripped bundle: weights refilled with seeded noise of their recorded mean and "
              "std (timings and FLOPs are the architecture's; outputs are not the model's)")
    print("# peak TFLOP/s: " + (", ".join(f"{k} {v:g}" for k, v in peaks.items()) +
                                f" ({peak_source})" if peaks else "peak unknown"))
    _print_header()
    noted = set()
    for name in wanted:
        for row in _measure_module(name, modules, shapes, device, dtypes, batch_sizes, peaks,
                                   args):
            result["rows"].append(row)
            _print_row(row)
            if row.get("note") and (name, row["dtype"]) not in noted:
                noted.add((name, row["dtype"]))
                print(f"  {name} {row['dtype']} runs under autocast; {row['note']}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"# results written to {args.json}")
    return 0


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="the bundle directory (with manifest.json)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu",
                        help="cuda, cuda:N or cpu (default: cuda when available)")
    parser.add_argument("--batch-sizes", default=DEFAULT_BATCH_SIZES,
                        help=f"comma-separated posts per batch (default {DEFAULT_BATCH_SIZES})")
    parser.add_argument("--dtypes", default="fp32,bf16,fp16",
                        help="comma-separated, of fp32, bf16, fp16 (default: all three)")
    parser.add_argument("--seconds", type=float, default=1.0,
                        help="timed seconds per module, dtype and batch size (default 1)")
    parser.add_argument("--warmup", type=int, default=3,
                        help="untimed forward passes first (default 3; TorchScript's profiling "
                             "executor specialises the graph on the first two)")
    parser.add_argument("--min-iterations", type=int, default=5,
                        help="timed forward passes at least, whatever --seconds (default 5)")
    parser.add_argument("--modules", default="",
                        help="comma-separated subset: image_encoder, text_encoder, head, "
                             "regressor, sentiment, post (default: all the bundle has)")
    parser.add_argument("--comments", type=int, default=3,
                        help="comments per post for the sentiment classifier (default 3)")
    parser.add_argument("--comment-tokens", type=int, default=16,
                        help="tokens per comment, special tokens included (default 16)")
    parser.add_argument("--peak-tflops", default="",
                        help="the device's peak dense TFLOP/s: one number for every dtype, or "
                             "fp32=67,bf16=989,fp16=989 (default: the table of known GPUs)")
    parser.add_argument("--precision", choices=["auto", "cast", "autocast"], default="auto",
                        help="how bf16/fp16 run: cast (weights and float inputs cast), autocast "
                             "(fp32 weights under torch.autocast), or auto (default: cast, and "
                             "autocast where the cast module does not run)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random inputs")
    parser.add_argument("--strip-to", default="",
                        help="write a copy of the bundle without its weights (their means and "
                             "stds only) to this directory, and measure nothing: what travels to "
                             "a GPU host when the bundle is too large; this script refills it")
    parser.add_argument("--json", default="", help="also write the results as JSON here")
    return parser.parse_args(argv)


def _device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return _cpu_name()


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _peaks(flag: str, device_name: str) -> tuple[dict[str, float], str]:
    """Peak TFLOP/s by dtype and where they come from; empty when unknown."""
    if flag:
        try:
            if "=" in flag:
                peaks = {key: float(value) for key, value in
                         (item.split("=", 1) for item in flag.split(","))}
            else:
                peaks = {name: float(flag) for name in DTYPES}
        except ValueError:
            raise SystemExit(f"--peak-tflops: {flag!r} is neither a number nor dtype=number,...")
        return peaks, "--peak-tflops"
    for pattern, peaks, source in KNOWN_PEAKS:
        if re.search(pattern, device_name):
            return dict(peaks), source
    return {}, "peak unknown"


class Shapes:
    """Random inputs of the shapes and dtypes the manifest declares, seeded."""

    def __init__(self, bundle: Path, manifest: dict, comments: int, comment_tokens: int):
        self.image_size = manifest["image"]["size"]
        text = manifest["text"]
        self.text_tokens = text["max_tokens"]
        self.text_specials = text.get("special_tokens", {})
        clip = manifest.get("architecture", {}).get("clip", {})
        self.text_vocab = clip.get("vocab_size") or _tokenizer_size(bundle / text["tokenizer"])
        sentiment = manifest["sentiment"]
        self.sentiment_specials = sentiment.get("special_tokens", {})
        self.sentiment_vocab = _tokenizer_size(bundle / sentiment["tokenizer"])
        self.labels = len(sentiment["labels"])
        self.sentiment_features = sentiment["features"]["size"]
        self.mean_softmax = (sentiment["features"].get("definition") == "mean_softmax"
                             and self.sentiment_features == self.labels)
        self.comments = comments
        self.comment_tokens = min(comment_tokens, sentiment.get("max_tokens", comment_tokens))
        section = manifest.get("regressor_parts", {})
        self.stripped = manifest.get("stripped_weights", {}).get("files", {})
        self.image_features = section.get("image_feature_size")
        self.text_features = section.get("text_feature_size")

    def pixels(self, batch: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn(batch, 3, self.image_size, self.image_size, generator=generator)

    def text(self, batch: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """CLIP token ids and mask: a text of about a quarter of the context, then padding."""
        return _token_rows(batch, self.text_tokens, max(1, self.text_tokens // 4),
                           self.text_vocab, self.text_specials, generator)

    def comments_ids(self, batch: int, generator: torch.Generator):
        rows = batch * self.comments
        return _token_rows(rows, self.comment_tokens, self.comment_tokens, self.sentiment_vocab,
                           self.sentiment_specials, generator)

    def features(self, batch: int, size: int, generator: torch.Generator) -> torch.Tensor:
        return torch.randn(batch, size, generator=generator)

    def sentiment_feature_rows(self, batch: int, generator: torch.Generator) -> torch.Tensor:
        return torch.softmax(torch.randn(batch, self.sentiment_features, generator=generator), -1)


def _tokenizer_size(path: Path) -> int:
    """The number of ids a HuggingFace tokenizer.json can produce."""
    tokenizer = json.loads(path.read_text(encoding="utf-8"))
    ids = list(tokenizer.get("model", {}).get("vocab", {}) or [])
    size = len(ids)
    for token in tokenizer.get("added_tokens", []):
        size = max(size, token.get("id", 0) + 1)
    return max(size, 2)


def _token_rows(rows: int, length: int, used: int, vocab: int, specials: dict,
                generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """`rows` sequences of `length` ids: prefix, `used` tokens in all, suffix, then padding."""
    prefix = list(specials.get("prefix_ids", []))
    suffix = list(specials.get("suffix_ids", []))
    pad = specials.get("pad_id", 0)
    used = max(len(prefix) + len(suffix), min(used, length))
    body = used - len(prefix) - len(suffix)
    # Ordinary ids stay below the special ones, as a tokenizer's would (CLIP's text model pools
    # at the end-of-text id, the largest).
    ceiling = min([vocab, *prefix, *suffix]) if prefix or suffix else vocab
    ids = torch.full((rows, length), pad, dtype=torch.int64)
    mask = torch.zeros(rows, length, dtype=torch.int64)
    middle = torch.randint(0, max(1, ceiling), (rows, body), generator=generator)
    ids[:, : len(prefix)] = torch.tensor(prefix, dtype=torch.int64)
    ids[:, len(prefix): len(prefix) + body] = middle
    ids[:, len(prefix) + body: used] = torch.tensor(suffix, dtype=torch.int64)
    mask[:, :used] = 1
    return ids, mask


def _modules(bundle: Path, manifest: dict) -> dict[str, Path]:
    """The TorchScript files the manifest declares, by name, in a fixed order."""
    files = manifest.get("files", {})
    modules = {}
    section = manifest.get("regressor_parts")
    if section:
        for name in ("image_encoder", "text_encoder", "head"):
            modules[name] = bundle / section[name]
    for name, file in (("regressor", REGRESSOR_FILE), ("sentiment", SENTIMENT_FILE)):
        if file in files:
            modules[name] = bundle / file
    return modules


def _inputs(name: str, shapes: Shapes, batch: int, seed: int) -> tuple[torch.Tensor, ...]:
    """A module's inputs for `batch` posts, on the CPU in fp32/int64, the same for every dtype."""
    generator = torch.Generator().manual_seed(seed * 100_003 + batch)
    if name == "image_encoder":
        return (shapes.pixels(batch, generator),)
    if name == "text_encoder":
        return shapes.text(batch, generator)
    if name == "head":
        return (shapes.features(batch, shapes.image_features, generator),
                shapes.features(batch, shapes.text_features, generator),
                shapes.sentiment_feature_rows(batch, generator))
    if name == "regressor":
        return (shapes.pixels(batch, generator), *shapes.text(batch, generator),
                shapes.sentiment_feature_rows(batch, generator))
    if name == "sentiment":
        return shapes.comments_ids(batch, generator)
    if name == POST:
        return (shapes.pixels(batch, generator), *shapes.text(batch, generator),
                *shapes.comments_ids(batch, generator))
    raise ValueError(name)


class Post(torch.nn.Module):
    """One post as the service scores it: image, text, the comments' sentiment, then the head.

    With parts: `head(image_encoder(pixels), text_encoder(ids, mask), features)`; without, the
    whole regressor. `features` is the mean softmax of the comments' logits (the manifest's
    `mean_softmax`), or the softmax of their sum's mean when the manifest defines another.
    """

    def __init__(self, loaded: dict, shapes: Shapes):
        super().__init__()
        self.loaded = loaded
        self.comments = shapes.comments
        self.mean_softmax = shapes.mean_softmax
        self.features = shapes.sentiment_features

    def forward(self, pixels, input_ids, attention_mask, comment_ids, comment_mask):
        logits = self.loaded["sentiment"](comment_ids, comment_mask)
        batch = pixels.shape[0]
        per_post = torch.softmax(logits.float(), -1).view(batch, self.comments, -1).mean(1)
        if not self.mean_softmax:
            per_post = per_post[:, :1].expand(batch, self.features).contiguous()
        features = per_post.to(pixels.dtype)
        if "head" in self.loaded:
            return self.loaded["head"](self.loaded["image_encoder"](pixels),
                                       self.loaded["text_encoder"](input_ids, attention_mask),
                                       features)
        return self.loaded["regressor"](pixels, input_ids, attention_mask, features)


def _post_parts(modules: dict) -> list[str]:
    needed = ["image_encoder", "text_encoder", "head"] if "head" in modules else ["regressor"]
    return [*needed, "sentiment"]


def _skip_reason(dtype: str, device: torch.device) -> str | None:
    if device.type == "cpu" and dtype == "fp16":
        return ("fp16 on the CPU: PyTorch's CPU half-precision kernels are slow reference paths "
                "(no hardware fp16 matmul here), so a timing would describe nothing the service "
                "would run; fp16 is measured on CUDA")
    if device.type == "cuda" and dtype == "bf16" and not torch.cuda.is_bf16_supported():
        return f"bf16 is not supported by {torch.cuda.get_device_name(device)} (needs Ampere+)"
    return None


def _load(name: str, modules: dict, shapes: Shapes, device: torch.device, dtype: torch.dtype):
    """The module (or the post) on `device`, its floating-point weights cast to `dtype`."""
    if name == POST:
        loaded = {part: _load(part, modules, shapes, device, dtype)
                  for part in _post_parts(modules)}
        return Post(loaded, shapes).eval()
    path = modules[name]
    stripped = shapes.stripped.get(path.name)
    module = torch.jit.load(str(path), map_location="cpu" if stripped else device)
    if stripped:
        _refill(module, path.name, stripped)
        module = module.to(device)
    return module.to(dtype).eval()


# Weights refilled for a stripped bundle, by file: the same values for every load and dtype.
_REFILLED: dict[str, dict[str, torch.Tensor]] = {}


def _refill(module, file: str, stats: dict) -> None:
    """Gives a stripped module's parameters seeded normal values of their recorded mean and std."""
    if file not in _REFILLED:
        values = {}
        for name, parameter in module.named_parameters():
            mean, std = stats[name]
            generator = torch.Generator().manual_seed(zlib.crc32(f"{file}:{name}".encode()))
            values[name] = mean + std * torch.randn(parameter.shape, generator=generator,
                                                    dtype=parameter.dtype)
        _REFILLED[file] = values
    for name, value in _REFILLED[file].items():
        _set_parameter(module, name, value)


def _set_parameter(module, name: str, value: torch.Tensor) -> None:
    *path, last = name.split(".")
    for part in path:
        module = getattr(module, part)
    setattr(module, last, value)


def strip(bundle: Path, manifest: dict, out: Path) -> int:
    """Writes a copy of the bundle whose TorchScript files hold no weights, only their statistics.

    Every floating-point parameter becomes its mean, stored once and broadcast (a zero-stride
    tensor, so the file keeps one number of it); the manifest's `stripped_weights` records each
    parameter's mean and std, from which this script refills seeded normal weights when it loads
    the copy. The architecture, shapes and so the compute stay; the values are noise. Buffers
    (position ids and the like) are kept as they are. The copy's files no longer match the
    manifest's sha256s, so the service refuses it: it is only for measuring.
    """
    if out.exists() and any(out.iterdir()):
        print(f"--strip-to: {out} exists and is not empty", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    stats = {}
    for file in sorted(manifest.get("files", {})):
        source = bundle / file
        if file.endswith(".pt"):
            module = torch.jit.load(str(source), map_location="cpu")
            stats[file] = {}
            for name, parameter in list(module.named_parameters()):
                if not parameter.is_floating_point():
                    continue
                values = parameter.detach().double()
                mean = values.mean().item()
                std = values.std().item() if values.numel() > 1 else 0.0
                stats[file][name] = [mean, std]
                _set_parameter(module, name, torch.tensor(mean, dtype=parameter.dtype)
                               .expand(parameter.shape))
            torch.jit.save(module, str(out / file))
        elif file.endswith(".json") and "/" not in file:  # tokenizers; not reference/
            shutil.copy(source, out / file)
    stripped = {**manifest, "stripped_weights": {
        "by": "ops/gpu_bench.py --strip-to",
        "from": {"name": manifest.get("name"), "version": manifest.get("version")},
        "note": "weights replaced by seeded noise of each parameter's mean and std; the files "
                "do not match `files` (the service refuses this bundle): for measuring only",
        "files": stats,
    }}
    (out / "manifest.json").write_text(json.dumps(stripped, indent=2) + "\n", encoding="utf-8")
    before = sum((bundle / file).stat().st_size for file in manifest.get("files", {}))
    after = sum(path.stat().st_size for path in out.rglob("*") if path.is_file())
    print(f"stripped {bundle} ({before / 2**20:.1f} MiB) to {out} ({after / 2**20:.2f} MiB)")
    return 0


def _cast(inputs, device: torch.device, dtype: torch.dtype):
    return tuple(t.to(device=device, dtype=dtype) if t.is_floating_point() else t.to(device)
                 for t in inputs)


def _output(value) -> torch.Tensor:
    """A forward's result as one fp32 tensor on the CPU (tuples are flattened and joined)."""
    if isinstance(value, (tuple, list)):
        return torch.cat([_output(item).flatten() for item in value])
    if isinstance(value, dict):
        return torch.cat([_output(item).flatten() for item in value.values()])
    return value.detach().float().cpu()


class Autocast:
    """A module run in fp32 weights under `torch.autocast`: matmuls in `dtype`, norms in fp32."""

    def __init__(self, module, device: torch.device, dtype: torch.dtype):
        self.module, self.device_type, self.dtype = module, device.type, dtype

    def __call__(self, *inputs):
        with torch.autocast(self.device_type, dtype=self.dtype):
            return self.module(*inputs)


def _prepared(name, modules, shapes, device, dtype, precision, first_inputs):
    """The module to time at `dtype`, how it is run, and why a cast was not used (or None).

    `cast`: weights and float inputs in `dtype` (what a reduced-precision bundle would hold).
    `autocast`: fp32 weights under `torch.autocast`. `auto`: cast, or autocast where the cast
    module does not run: HF's traced CLIP vision tower pins its input to fp32
    (`pixel_values.to(float32)` becomes a constant in the trace), so its weights cannot simply be
    cast.
    """
    if dtype == torch.float32:
        return _load(name, modules, shapes, device, dtype), "fp32", None
    cast_error = None
    if precision in ("cast", "auto"):
        try:
            module = _load(name, modules, shapes, device, dtype)
            module(*_cast(first_inputs, device, dtype))
            return module, "cast", None
        except Exception as error:  # noqa: BLE001 - reported in the row
            cast_error = f"cast failed: {_one_line(error)}"
            if precision == "cast":
                raise RuntimeError(cast_error) from error
            _free(device)
    module = _load(name, modules, shapes, device, torch.float32)
    return Autocast(module, device, dtype), "autocast", cast_error


def _measure_module(name, modules, shapes, device, dtypes, batch_sizes, peaks, args):
    """The rows of one module: every dtype at every batch size, against fp32 on the same inputs."""
    base = {"module": name}
    if name == POST:
        missing = [part for part in _post_parts(modules) if part not in modules]
        if missing:
            yield {**base, "status": "skipped", "reason": f"the bundle lacks {missing}"}
            return
    inputs = {batch: _inputs(name, shapes, batch, args.seed) for batch in batch_sizes}
    reference = {}
    fp32 = _load(name, modules, shapes, device, torch.float32)
    for batch in batch_sizes:
        reference[batch] = _output(fp32(*_cast(inputs[batch], device, torch.float32)))
    del fp32
    for dtype_name in dtypes:
        row_base = {**base, "dtype": dtype_name}
        reason = _skip_reason(dtype_name, device)
        if reason:
            yield {**row_base, "status": "skipped", "reason": reason}
            continue
        dtype = DTYPES[dtype_name]
        _free(device)
        try:
            module, precision, note = _prepared(name, modules, shapes, device, dtype,
                                                args.precision, inputs[batch_sizes[0]])
        except Exception as error:  # noqa: BLE001 - reported in the row, the run goes on
            yield {**row_base, "status": "failed", "reason": _one_line(error)}
            continue
        # Under autocast the inputs stay fp32, as the service's would.
        input_dtype = dtype if precision == "cast" else torch.float32
        for batch in batch_sizes:
            try:
                row = _measure(module, _cast(inputs[batch], device, input_dtype), device, args)
            except Exception as error:  # noqa: BLE001
                yield {**row_base, "batch": batch, "precision": precision, "status": "failed",
                       "reason": _one_line(error)}
                _free(device)
                continue
            output = row.pop("output")
            difference = (output - reference[batch]).abs().max().item()
            peak = peaks.get(dtype_name)
            achieved = row["flops"] / (row["median_ms"] / 1000)
            yield {**row_base, "batch": batch, "precision": precision, "status": "ok", **row,
                   "posts_per_s": batch / (row["median_ms"] / 1000),
                   "achieved_tflops": achieved / 1e12,
                   "share_of_peak": achieved / (peak * 1e12) if peak else None,
                   "max_abs_diff_vs_fp32": difference,
                   **({"note": note} if note else {})}
            _free(device)
        del module
        _free(device)


def _measure(module, inputs, device: torch.device, args) -> dict:
    """Warm-up, FLOPs of one forward, then timed forwards; the last output for fidelity."""
    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for _ in range(max(0, args.warmup)):
        output = module(*inputs)
    sync()
    counter = FlopCounterMode(display=False)
    with counter:
        output = module(*inputs)
    sync()
    flops = counter.get_total_flops()
    times = []
    deadline = time.perf_counter() + args.seconds
    while time.perf_counter() < deadline or len(times) < args.min_iterations:
        sync()
        start = time.perf_counter()
        output = module(*inputs)
        sync()
        times.append((time.perf_counter() - start) * 1000)
    if device.type == "cuda":
        memory = torch.cuda.max_memory_allocated(device)
        memory_kind = "cuda_max_allocated"
    else:
        # ru_maxrss is KiB on Linux: the whole process's high-water mark so far, not this row's.
        memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        memory_kind = "process_max_rss"
    return {
        "median_ms": statistics.median(times),
        "p90_ms": _percentile(times, 90),
        "iterations": len(times),
        "flops": flops,
        "peak_memory_bytes": memory,
        "memory_kind": memory_kind,
        "output": _output(output),
    }


def _percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(percent / 100 * len(ordered)) - 1))
    return ordered[index]


def _free(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.empty_cache()


def _one_line(error: Exception) -> str:
    """The error's last line: TorchScript puts its traceback first and the message last."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()] or [""]
    message = lines[-1]
    if not message.startswith(type(error).__name__):
        message = f"{type(error).__name__}: {message}"
    return message[:300]


COLUMNS = [("module", 13), ("dtype", 5), ("run as", 8), ("batch", 5), ("median ms", 10), ("p90 ms", 9),
           ("posts/s", 10), ("peak MiB", 9), ("GFLOP/fwd", 10), ("TFLOP/s", 8),
           ("% peak", 7), ("max|Δ| fp32", 11)]


def _print_header() -> None:
    print("  ".join(f"{title:>{width}}" if index > 2 else f"{title:<{width}}"
                    for index, (title, width) in enumerate(COLUMNS)))


def _print_row(row: dict) -> None:
    if row["status"] != "ok":
        where = " ".join(str(row[key]) for key in ("module", "dtype", "batch") if key in row)
        print(f"{where}: {row['status']}: {row['reason']}")
        return
    share = "n/a" if row["share_of_peak"] is None else f"{100 * row['share_of_peak']:.2f}"
    values = [row["module"], row["dtype"], row["precision"], row["batch"], f"{row['median_ms']:.3f}",
              f"{row['p90_ms']:.3f}", f"{row['posts_per_s']:.1f}",
              f"{row['peak_memory_bytes'] / 2**20:.0f}", f"{row['flops'] / 1e9:.4f}",
              f"{row['achieved_tflops']:.4f}", share, f"{row['max_abs_diff_vs_fp32']:.2e}"]
    print("  ".join(f"{value:>{width}}" if index > 2 else f"{value:<{width}}"
                    for index, ((_, width), value) in enumerate(zip(COLUMNS, values))))


if __name__ == "__main__":
    sys.exit(main())
