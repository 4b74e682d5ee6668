"""Reference cases: fixed posts with procedurally drawn images and the outputs Python computed."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from .pipeline import ReferencePipeline, Scored

REFERENCE_DIR = "reference"
CASES_FILE = f"{REFERENCE_DIR}/cases.json"
EXIF_ORIENTATION = 0x0112
ROTATED_90_CLOCKWISE = 6


def draw_sunset(path: Path) -> None:
    """A 320x240 PNG: sky gradient, sun, darker sea with a little seeded noise."""
    height, width = 240, 320
    rows = np.linspace(0.0, 1.0, height)[:, None, None]
    sky = (1 - rows) * np.array([40, 30, 110]) + rows * np.array([255, 140, 40])
    pixels = np.broadcast_to(sky, (height, width, 3)).copy()
    y, x = np.mgrid[0:height, 0:width]
    pixels[(x - 160) ** 2 + (y - 150) ** 2 < 30**2] = [255, 230, 120]
    pixels[170:] = pixels[170:] * 0.45 + np.array([0, 20, 60])
    pixels += np.random.default_rng(1).normal(0, 4, pixels.shape)
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(path, format="PNG")


def draw_rotated_street(path: Path) -> None:
    """A 400x300 JPEG stored sideways with EXIF orientation 6: upright only once transposed.

    Saved with 4:4:4 chroma (no subsampling) so decoders need no chroma upsampling, the step
    where JPEG decoders differ most.
    """
    rng = np.random.default_rng(2)
    columns = np.linspace(0.0, 1.0, 400)[None, :, None]
    pixels = (1 - columns) * np.array([90, 110, 130]) + columns * np.array([200, 190, 170])
    pixels = np.broadcast_to(pixels, (300, 400, 3)) + rng.normal(0, 6, (300, 400, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 140, 110), fill=(200, 30, 40))
    draw.ellipse((280, 170, 380, 280), fill=(30, 60, 200))
    draw.polygon([(200, 40), (250, 140), (150, 140)], fill=(250, 220, 30))
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = ROTATED_90_CLOCKWISE
    image.save(path, format="JPEG", quality=92, subsampling=0, exif=exif.tobytes())


def draw_palette_shapes(path: Path) -> None:
    """A 180x120 palette GIF (smaller than the model input, so it is scaled up)."""
    image = Image.new("P", (180, 120), 0)
    palette = [20, 20, 30, 230, 60, 60, 60, 200, 90, 70, 90, 230, 240, 240, 240, 250, 200, 0]
    image.putpalette(palette + [0] * (768 - len(palette)))
    draw = ImageDraw.Draw(image)
    for stripe in range(0, 180, 30):
        draw.rectangle((stripe, 0, stripe + 14, 119), fill=4)
    draw.ellipse((20, 20, 80, 80), fill=1)
    draw.rectangle((100, 30, 160, 100), fill=2)
    draw.polygon([(90, 110), (130, 60), (170, 110)], fill=3)
    draw.line((0, 119, 179, 0), fill=5, width=3)
    image.save(path, format="GIF")


@dataclass(frozen=True)
class ReferenceCase:
    """One fixed post; `image` names its file under `reference/` and `draw` writes it."""

    name: str
    raw_text: str
    comments: tuple[str, ...]
    image: str | None = None
    draw: Callable[[Path], None] | None = None


_LONG_TEXT = (
    "Day 3 of our road trip across the country!!! We started at 5am, drove through the desert, "
    "stopped for tacos at a tiny place near the border (best salsa ever 🌶️), then watched the "
    "storm roll in over the mountains. Спасибо всем, кто следит за нашим путешествием! "
    "الطريق طويل لكن المناظر رائعة. Tomorrow: canyons, hot springs and hopefully no flat tires "
    "this time 🤞 Follow @roadtrip_diaries for daily updates and more photos at "
    "www.example.org/roadtrip #roadtrip #travel #adventure #desert #mountains #sunset #vanlife"
)

CASES: tuple[ReferenceCase, ...] = (
    ReferenceCase(
        name="sunset_png",
        raw_text="Check out this amazing sunset! #beautiful #nature",
        comments=("Wow, so beautiful!", "Amazing shot!", "Love this!"),
        image="sunset.png",
        draw=draw_sunset,
    ),
    ReferenceCase(
        name="multilingual_exif_jpeg",
        raw_text=(
            "¡Qué vista! 오늘 노을이 정말 아름다워요 🌅 Trop beau, merci @marie_photo "
            "https://example.com/p/123?ref=feed #Reise #夕日"
        ),
        comments=(
            "¡Precioso! 😍",
            "Wunderschön, danke fürs Teilen",
            "정말 멋있어요",
            "Ужасное качество фото 👎",
        ),
        image="street_exif6.jpg",
        draw=draw_rotated_street,
    ),
    ReferenceCase(
        name="text_only",
        raw_text="आज मैंने अपनी पहली मैराथन पूरी की! 🏃‍♀️ Feeling AMAZING... #Running #Goals2026",
        comments=(),
    ),
    ReferenceCase(
        name="long_text_gif",
        raw_text=_LONG_TEXT,
        comments=(
            "Amazing trip, have fun!",
            "So jealous right now 😭",
            "This looks boring, honestly.",
            "¡Qué envidia! Disfrutad mucho",
            "Magnifique, bonne route !",
            "Gute Fahrt und viel Spaß!",
            "멋진 여행 되세요!",
            "素敵な写真ですね",
            "Очень красиво!",
            "رحلة موفقة",
            "🔥🔥🔥",
            " ".join(
                ["Worst vlog ever, the camera shakes, the audio is bad and the music is too loud."]
                * 6
            ),
        ),
        image="shapes.gif",
        draw=draw_palette_shapes,
    ),
)


def write_reference(bundle_dir: Path, pipeline: ReferencePipeline, cases=CASES) -> None:
    """Draws the cases' images, scores the cases, writes `reference/cases.json` and pixel files."""
    reference_dir = bundle_dir / REFERENCE_DIR
    reference_dir.mkdir(parents=True, exist_ok=True)
    entries = []
    for case in cases:
        image_path = None
        if case.image is not None:
            image_path = reference_dir / case.image
            case.draw(image_path)
        scored = pipeline.score(case.raw_text, image_path, list(case.comments))
        pixels_file = None
        if image_path is not None:
            pixels_file = f"{REFERENCE_DIR}/{case.name}.pixels.f32"
            scored.pixel_values.astype("<f4").tofile(bundle_dir / pixels_file)
        entries.append(_case_entry(case, scored, pixels_file))
    lines = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
    (bundle_dir / CASES_FILE).write_text('{"cases": [\n' + lines + "\n]}\n", encoding="utf-8")


def _case_entry(case: ReferenceCase, scored: Scored, pixels_file: str | None) -> dict:
    """The cases.json object of one scored case."""
    return {
        "name": case.name,
        "raw_text": case.raw_text,
        "image": None if case.image is None else f"{REFERENCE_DIR}/{case.image}",
        "comments": list(case.comments),
        "expected": {
            "cleaned_text": scored.cleaned_text,
            "input_ids": scored.input_ids.tolist(),
            "attention_mask": scored.attention_mask.tolist(),
            "pixel_values": pixels_file,
            "sentiment_input_ids": scored.sentiment_input_ids,
            "sentiment_logits": scored.sentiment_logits.tolist(),
            "sentiment_features": scored.sentiment_features.tolist(),
            "sentiment_score": scored.sentiment_score,
            "engagement_score": scored.engagement_score,
        },
    }


def read_pixels(path: Path, size: int) -> np.ndarray:
    """A `.pixels.f32` file as float32 `[3, size, size]`."""
    return np.fromfile(path, dtype="<f4").reshape(3, size, size)
