"""Reference image preprocessing: the Python side of the manifest's `image` section."""

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps
from transformers import CLIPImageProcessor
from transformers.image_utils import PILImageResampling

IMAGE_SIZE = 224
RESCALE_FACTOR = 1 / 255
CLIP_MEAN = (0.48145466, 0.4578275, 0.40821073)
CLIP_STD = (0.26862954, 0.26130258, 0.27577711)


def manifest_section() -> dict:
    """The manifest's `image` section."""
    return {
        "size": IMAGE_SIZE,
        "resize_shortest_edge": IMAGE_SIZE,
        "resample": "bicubic",
        "crop": "center",
        "rescale_factor": RESCALE_FACTOR,
        "mean": list(CLIP_MEAN),
        "std": list(CLIP_STD),
        "missing": "zeros",
    }


def image_processor() -> CLIPImageProcessor:
    """CLIP's image processor with the settings of `manifest_section`."""
    return CLIPImageProcessor(
        do_resize=True,
        size={"shortest_edge": IMAGE_SIZE},
        resample=PILImageResampling.BICUBIC,
        do_center_crop=True,
        crop_size={"height": IMAGE_SIZE, "width": IMAGE_SIZE},
        do_rescale=True,
        rescale_factor=RESCALE_FACTOR,
        do_normalize=True,
        image_mean=list(CLIP_MEAN),
        image_std=list(CLIP_STD),
        do_convert_rgb=True,
    )


def load_rgb(path: Path) -> Image.Image:
    """Opens an image file upright (EXIF orientation applied) as RGB."""
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def pixel_values(path: Path | None, processor: CLIPImageProcessor) -> np.ndarray:
    """The float32 `[3, S, S]` model input for an image file, all zeros when there is none."""
    if path is None:
        return np.zeros((3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    batch = processor(images=load_rgb(path), return_tensors="np")["pixel_values"]
    return batch[0].astype(np.float32)
