"""Train/validation split: by time when every post has `created_at`, else seeded and random.

A time split validates on the newest posts, as the model will be used: trained on the past,
scoring posts that come later. Without timestamps a seeded permutation keeps runs reproducible.
"""

import math
from dataclasses import dataclass

import numpy as np

from .dataset import Post

SPLIT_METHODS = ("auto", "time", "random")
MIN_VALIDATION_POSTS = 2  # a rank correlation needs at least two


@dataclass(frozen=True)
class Split:
    """The two parts and how they were made (for the manifest and MLflow)."""

    train: list[Post]
    validation: list[Post]
    details: dict


def split_posts(posts: list[Post], method: str, validation_share: float, seed: int) -> Split:
    """Splits `posts`; `method` is "time", "random" or "auto" (time when possible)."""
    if method not in SPLIT_METHODS:
        raise ValueError(f"split method {method!r}, expected one of {SPLIT_METHODS}")
    if not 0 < validation_share < 1:
        raise ValueError(f"validation share {validation_share} is not between 0 and 1")
    size = math.ceil(len(posts) * validation_share)
    if size < MIN_VALIDATION_POSTS or size >= len(posts):
        raise ValueError(
            f"{len(posts)} posts with validation share {validation_share} give {size} validation"
            f" posts: need at least {MIN_VALIDATION_POSTS} and some left to train on"
        )
    timed = all(post.created_at is not None for post in posts)
    if method == "time" and not timed:
        raise ValueError("split by time needs created_at on every post")
    if method == "random" or not timed:
        return _random_split(posts, size, validation_share, seed)
    return _time_split(posts, size, validation_share)


def _time_split(posts: list[Post], size: int, validation_share: float) -> Split:
    """The newest `size` posts validate (ties in time ordered by post id)."""
    ordered = sorted(posts, key=lambda post: (post.created_at, post.post_id))
    train, validation = ordered[:-size], ordered[-size:]
    return Split(
        train=train,
        validation=validation,
        details={
            "method": "time",
            "validation_share": validation_share,
            "validation_from": validation[0].created_at.isoformat(),
        },
    )


def _random_split(posts: list[Post], size: int, validation_share: float, seed: int) -> Split:
    """A seeded random `size` posts validate; both parts keep the file's order."""
    chosen = set(np.random.default_rng(seed).permutation(len(posts))[:size].tolist())
    return Split(
        train=[post for index, post in enumerate(posts) if index not in chosen],
        validation=[post for index, post in enumerate(posts) if index in chosen],
        details={"method": "random", "validation_share": validation_share, "seed": seed},
    )
