"""One export: sources -> LoRA-merged regressor and sentiment classifier -> bundle directory."""

import copy
import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import peft
import torch
import transformers

from . import __version__, images, parts, precision, sentiment, tokens
from .bundle import (
    FORMAT_VERSION,
    HEAD_FILE,
    IMAGE_ENCODER_FILE,
    REGRESSOR_FILE,
    SENTIMENT_FILE,
    SENTIMENT_TOKENIZER_FILE,
    TEXT_ENCODER_FILE,
    TEXT_TOKENIZER_FILE,
    prepare_output,
    write_manifest,
)
from .corpus import CORPUS
from .model import (
    CLIPEngagementRegressor,
    HeadPart,
    ImageEncoderPart,
    LoraSettings,
    ParameterCounts,
    SentimentLogits,
    TextEncoderPart,
    apply_lora,
    count_parameters,
    load_trained_state,
    merge_lora,
    perturb_lora_b,
)
from .pipeline import ReferencePipeline
from .precision import FP32, MIN_FIDELITY_POSTS
from .reference import CASES_FILE, write_reference
from .sources import ModelSources
from .text import clean_text
from .tracing import Inputs, check_matches, save_and_reload, trace
from .verify import verify_bundle

TEXT_MAX_TOKENS = 77
REFERENCE_TOLERANCE = 1e-4
TRACE_TOLERANCE = 1e-5
HEAD_SEED = 2
LORA_B_SEED = 3
TRACE_BATCH = 2
CHECK_BATCHES = (1, 5)
SENTIMENT_TRACE_LENGTH = 16
SENTIMENT_CHECK_LENGTH = 7


@dataclass(frozen=True)
class ExportOptions:
    """Where and as what to write the bundle."""

    out: Path
    version: str
    created_at: str
    lora: LoraSettings = field(default_factory=LoraSettings)
    sentiment_max_tokens: int = 128
    trust_checkpoint: bool = False
    weights_seed: int = LORA_B_SEED
    training: dict | None = None  # the manifest's optional `training` section (ops/training)
    precision: str = FP32  # fp32, bf16, int8 or fp16 (see exporter/precision.py)
    fidelity_posts: int = MIN_FIDELITY_POSTS
    progress: Callable[[str], None] = field(default=lambda message: None)


def lora_regressor(
    sources: ModelSources,
    lora: LoraSettings,
    trust_checkpoint: bool = False,
    weights_seed: int = LORA_B_SEED,
) -> CLIPEngagementRegressor:
    """The regressor with LoRA adapters, not merged: trained weights loaded, or random ones.

    LoRA is injected into (and later merged into) a copy of `sources.clip`, so the sources stay as
    they were: a reduced-precision export builds its fp32 twin and itself from the same sources,
    and both must start from the same base weights.
    """
    torch.manual_seed(HEAD_SEED)
    regressor = CLIPEngagementRegressor(
        copy.deepcopy(sources.clip), len(sentiment.LABELS), sources.head_hidden_dims
    )
    apply_lora(regressor, lora)
    if sources.trained_state is None:
        perturb_lora_b(regressor, weights_seed)
    else:
        load_trained_state(regressor, sources.trained_state, trust_checkpoint)
    return regressor.eval()


def export_bundle(sources: ModelSources, options: ExportOptions) -> dict:
    """Writes a complete, verified bundle to `options.out` and returns its manifest.

    A reduced precision first exports the fp32 bundle of the same weights to a temporary folder,
    then the reduced one, and declares in its manifest how far its scores are from the fp32
    bundle's on a generated corpus.
    """
    if options.precision == precision.FP32:
        return _export(sources, options, None)
    precision.check_runnable(options.precision)
    if options.fidelity_posts < precision.MIN_FIDELITY_POSTS:
        raise ValueError(
            f"fidelity needs at least {precision.MIN_FIDELITY_POSTS} posts, not "
            f"{options.fidelity_posts}"
        )
    with tempfile.TemporaryDirectory(prefix="fp32-reference-") as scratch:
        reference_dir = Path(scratch) / "bundle"
        options.progress(f"exporting the fp32 bundle of the same weights to {reference_dir}")
        reference = export_bundle(
            sources,
            dataclasses.replace(options, out=reference_dir, precision=precision.FP32),
        )
        return _export(sources, options, (reference_dir, reference))


def _export(
    sources: ModelSources, options: ExportOptions, reference: tuple[Path, dict] | None
) -> dict:
    """The export itself, in `options.precision`; `reference` is the fp32 bundle to measure."""
    out, progress = options.out, options.progress
    _check_lengths(sources, options)
    prepare_output(out)
    progress("writing tokenizers")
    special = _write_tokenizers(sources, out)
    progress("building the regressor: LoRA, then merge")
    regressor = lora_regressor(
        sources, options.lora, options.trust_checkpoint, options.weights_seed
    )
    counts = count_parameters(regressor)
    merge_lora(regressor)
    at = options.precision
    progress(f"tracing the regressor ({at})")
    _write_regressor(regressor, sources, out, at)
    progress(f"tracing the sentiment classifier ({at})")
    _write_sentiment(sources, options.sentiment_max_tokens, out, at)
    # The parts last: TorchScript numbers traced module types in process order, so parts traced
    # earlier would renumber the types inside `sentiment.pt` and change its bytes.
    progress("tracing the regressor's parts: image encoder, text encoder, head")
    _write_regressor_parts(regressor, sources, out, at)
    body = _manifest_body(sources, options, special, counts, regressor)
    progress("computing the reference cases")
    write_reference(out, ReferencePipeline(out, body))
    if reference is not None:
        progress(f"measuring {at} against fp32 on {options.fidelity_posts} generated posts")
        body["fidelity"] = _fidelity(out, body, reference, options.fidelity_posts)
        progress(
            "fidelity: rank correlation {rank_correlation:.6f}, largest difference "
            "{max_abs_difference:.3g}, mean {mean_abs_difference:.3g}".format(**body["fidelity"])
        )
    manifest = write_manifest(out, body)
    progress("verifying the bundle")
    verify_bundle(out)
    return manifest


def _write_tokenizers(sources: ModelSources, out: Path) -> dict[str, tokens.SpecialTokens]:
    """Saves both tokenizer files (no padding, no truncation) and reads their special tokens."""
    text_tokenizer = tokens.for_bundle(sources.text_tokenizer)
    sentiment_tokenizer = tokens.for_bundle(sources.sentiment_tokenizer)
    text_tokenizer.save(str(out / TEXT_TOKENIZER_FILE))
    sentiment_tokenizer.save(str(out / SENTIMENT_TOKENIZER_FILE))
    return {
        "text": tokens.special_tokens(text_tokenizer, sources.text_pad_id),
        "sentiment": tokens.special_tokens(sentiment_tokenizer, sources.sentiment_pad_id),
    }


def _fidelity(out: Path, body: dict, reference: tuple[Path, dict], posts: int) -> dict:
    """Scores generated posts with the bundle in `out` and the fp32 one; the `fidelity` section."""
    scores, expected = precision.corpus_scores(
        [ReferencePipeline(out, body), ReferencePipeline(*reference)], posts
    )
    return precision.fidelity(expected, scores, precision.FIDELITY_SEED)


def _write_regressor(
    regressor: CLIPEngagementRegressor, sources: ModelSources, out: Path, at: str
) -> None:
    """Traces the merged regressor at one batch size, saves it, checks the reload at others."""
    inputs = _regressor_inputs_factory(sources)
    if at == precision.FP32:
        model = regressor
    else:
        image, text, head = (part for _, part, _ in _regressor_parts(regressor, at))
        model = precision.ComposedRegressor(image, text, head).eval()
    traced = save_and_reload(trace(model, inputs(TRACE_BATCH)), out / REGRESSOR_FILE)
    check_matches(model, traced, [inputs(batch) for batch in CHECK_BATCHES], TRACE_TOLERANCE)


def _write_regressor_parts(
    regressor: CLIPEngagementRegressor, sources: ModelSources, out: Path, at: str
) -> None:
    """Traces each part of the merged regressor, saves it, checks it as `_write_regressor` does.

    `verify_bundle` then checks the reloaded parts, composed, against `regressor.pt`.
    """
    regressor_inputs = _regressor_inputs_factory(sources)
    for file, part, part_inputs in _regressor_parts(regressor, at):
        example = part_inputs(regressor_inputs(TRACE_BATCH))
        traced = save_and_reload(trace(part, example), out / file)
        checks = [part_inputs(regressor_inputs(batch)) for batch in CHECK_BATCHES]
        check_matches(part, traced, checks, TRACE_TOLERANCE)


def _regressor_parts(
    regressor: CLIPEngagementRegressor, at: str = precision.FP32
) -> list[tuple[str, torch.nn.Module, Callable[[Inputs], Inputs]]]:
    """Each part's file, its module, and how to make its inputs from the regressor's inputs.

    The encoders are in precision `at`; the head stays fp32 (see `precision.ComposedRegressor`).
    """

    def head_inputs(inputs: Inputs) -> Inputs:
        pixels, input_ids, attention_mask, sentiment_features = inputs
        with torch.no_grad():
            image = regressor.encode_image(pixels)
            text = regressor.encode_text(input_ids, attention_mask)
        return image, text, sentiment_features

    return [
        (
            IMAGE_ENCODER_FILE,
            precision.at_precision(ImageEncoderPart(regressor), at),
            lambda inputs: inputs[:1],
        ),
        (
            TEXT_ENCODER_FILE,
            precision.at_precision(TextEncoderPart(regressor), at),
            lambda inputs: inputs[1:3],
        ),
        (HEAD_FILE, HeadPart(regressor), head_inputs),
    ]


def _write_sentiment(sources: ModelSources, max_tokens: int, out: Path, at: str) -> None:
    """Traces the classifier at one shape, saves it, checks the reloaded file at other shapes."""
    classifier = precision.at_precision(SentimentLogits(sources.sentiment_model).eval(), at)
    inputs = _sentiment_inputs_factory(sources)
    example = inputs(TRACE_BATCH, SENTIMENT_TRACE_LENGTH)
    traced = save_and_reload(trace(classifier, example), out / SENTIMENT_FILE)
    checks = [inputs(1, SENTIMENT_CHECK_LENGTH), inputs(5, max_tokens)]
    check_matches(classifier, traced, checks, TRACE_TOLERANCE)


def _check_lengths(sources: ModelSources, options: ExportOptions) -> None:
    """Raises unless the token lengths fit the models' position embeddings."""
    text_positions = sources.clip.config.text_config.max_position_embeddings
    if text_positions != TEXT_MAX_TOKENS:
        raise ValueError(
            f"CLIP text has {text_positions} positions, the contract needs {TEXT_MAX_TOKENS}"
        )
    sentiment_positions = sources.sentiment_model.config.max_position_embeddings
    if options.sentiment_max_tokens > sentiment_positions:
        raise ValueError(
            f"sentiment max tokens {options.sentiment_max_tokens} > {sentiment_positions} positions"
        )


def _regressor_inputs_factory(sources: ModelSources) -> Callable[[int], Inputs]:
    """Makes regressor inputs of a batch size: corpus texts, seeded random pixels and features."""

    def inputs(batch: int) -> Inputs:
        generator = torch.Generator().manual_seed(batch)
        texts = [clean_text(text) for text in CORPUS[batch : 2 * batch]]
        ids, mask = tokens.encode(
            sources.text_tokenizer, texts, TEXT_MAX_TOKENS, sources.text_pad_id, TEXT_MAX_TOKENS
        )
        size = images.IMAGE_SIZE
        pixels = torch.randn((batch, 3, size, size), generator=generator)
        features = torch.softmax(
            torch.randn((batch, len(sentiment.LABELS)), generator=generator), dim=-1
        )
        return pixels, torch.from_numpy(ids), torch.from_numpy(mask), features

    return inputs


def _sentiment_inputs_factory(sources: ModelSources) -> Callable[[int, int], Inputs]:
    """Makes classifier inputs `[batch, length]` from corpus texts of growing length."""

    def inputs(batch: int, length: int) -> Inputs:
        texts = [" ".join(CORPUS[row : 1 + 5 * row]) for row in range(batch)]
        ids, mask = tokens.encode(
            sources.sentiment_tokenizer, texts, length, sources.sentiment_pad_id, length
        )
        return torch.from_numpy(ids), torch.from_numpy(mask)

    return inputs


def _manifest_body(
    sources: ModelSources,
    options: ExportOptions,
    special: dict[str, tokens.SpecialTokens],
    counts: ParameterCounts,
    merged: CLIPEngagementRegressor,
) -> dict:
    """The manifest but `files`; `counts` are the LoRA-wrapped model's, `merged` is exported."""
    clip = merged.clip
    vision, text = clip.config.vision_config, clip.config.text_config
    body = {
        "format_version": FORMAT_VERSION,
        "name": sources.name,
        "version": options.version,
        "created_at": options.created_at,
        "created_by": {
            "exporter": __version__,
            "torch": torch.__version__.split("+")[0],
            "transformers": transformers.__version__,
            "peft": peft.__version__,
        },
        "base_models": sources.base_models,
        "architecture": {
            "regressor": CLIPEngagementRegressor.__name__,
            "clip": {
                "projection_dim": clip.config.projection_dim,
                "vision_hidden_size": vision.hidden_size,
                "vision_layers": vision.num_hidden_layers,
                "patch_size": vision.patch_size,
                "text_hidden_size": text.hidden_size,
                "text_layers": text.num_hidden_layers,
                "vocab_size": text.vocab_size,
            },
            "head_hidden_dims": list(sources.head_hidden_dims),
            "sentiment": type(sources.sentiment_model).__name__,
        },
        parts.SECTION: parts.manifest_section(clip.config.projection_dim),
        "image": images.manifest_section(),
        "text": {
            "tokenizer": TEXT_TOKENIZER_FILE,
            "max_tokens": TEXT_MAX_TOKENS,
            "special_tokens": special["text"].manifest_section(),
        },
        "sentiment": sentiment.manifest_section(
            SENTIMENT_TOKENIZER_FILE,
            options.sentiment_max_tokens,
            padding="longest",
            special_tokens=special["sentiment"].manifest_section(),
        ),
        "lora": options.lora.manifest_section(merged=True),
        "parameters": {
            "total": counts.total,
            "trainable": counts.trainable,
            "regressor_after_merge": count_parameters(merged).total,
            "sentiment": count_parameters(sources.sentiment_model).total,
        },
        "reference": {
            "cases": CASES_FILE,
            "tolerance": REFERENCE_TOLERANCE
            if options.precision == precision.FP32
            else precision.REDUCED_REFERENCE_TOLERANCE,
        },
    }
    if options.precision != precision.FP32:
        # fp32 bundles leave it out, so that their manifests stay as they were.
        body["precision"] = options.precision
    if options.training is not None:
        body["training"] = options.training
    return body
