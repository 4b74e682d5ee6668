"""Training data: the JSON Lines loader and its bad-row reports, labels, split, metrics."""

import json
import math
from datetime import UTC, datetime

import numpy as np
import pytest
from PIL import Image

from training.dataset import DatasetError, Post, load_posts
from training.labels import LabelNormalisation
from training.metrics import average_ranks, regression_metrics, spearman
from training.split import split_posts
from training.synthetic import KEYWORD, write_synthetic


@pytest.fixture
def folder(tmp_path):
    """A dataset folder with one real image, `images/a.png`, and a file that is not an image."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (8, 8), (200, 100, 50)).save(tmp_path / "images" / "a.png")
    (tmp_path / "images" / "notes.png").write_text("not an image")
    return tmp_path


def good_row(**changes) -> dict:
    row = {
        "post_id": "p1",
        "text": "Sunset! #nature",
        "image": "images/a.png",
        "comments": ["Wow", "Nice"],
        "engagement": 120,
        "created_at": "2026-01-02T03:04:05Z",
    }
    return {**row, **changes}


def write_lines(folder, lines: list) -> object:
    path = folder / "posts.jsonl"
    text = [line if isinstance(line, str) else json.dumps(line) for line in lines]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def load_one_bad(folder, row, **options) -> str:
    """Loads a good row and `row` (line 2); returns the reason line 2 was left out."""
    loaded = load_posts(write_lines(folder, [good_row(post_id="ok"), row]), max_bad_share=0.6)
    assert [post.post_id for post in loaded.posts] == ["ok"]
    assert [bad.line for bad in loaded.bad_rows] == [2]
    return loaded.bad_rows[0].reason


def test_a_good_row_becomes_a_post(folder) -> None:
    loaded = load_posts(write_lines(folder, [good_row()]))
    assert loaded.bad_rows == []
    assert loaded.posts == [
        Post(
            line=1,
            post_id="p1",
            text="Sunset! #nature",
            image=folder / "images" / "a.png",
            comments=("Wow", "Nice"),
            label=120.0,
            created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        )
    ]


def test_optional_fields_may_be_absent_or_null(folder) -> None:
    rows = [
        {"post_id": 7, "text": "", "engagement": 0},
        {"post_id": "p2", "text": "x", "engagement": 1.5, "image": None, "comments": None},
    ]
    posts = load_posts(write_lines(folder, rows)).posts
    assert [(p.post_id, p.image, p.comments, p.created_at) for p in posts] == [
        ("7", None, (), None),
        ("p2", None, (), None),
    ]


def test_images_resolve_absolute_paths_and_file_uris(folder) -> None:
    image = folder / "images" / "a.png"
    rows = [
        good_row(post_id="abs", image=str(image)),
        good_row(post_id="uri", image=image.as_uri()),
    ]
    assert [post.image for post in load_posts(write_lines(folder, rows)).posts] == [image, image]


def test_timestamps_without_a_zone_are_utc(folder) -> None:
    posts = load_posts(write_lines(folder, [good_row(created_at="2026-01-02T03:04:05")])).posts
    assert posts[0].created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"text": "x", "engagement": 1}, "post_id: missing"),
        (good_row(text=None), "text: must be a string, got null"),
        (good_row(engagement="12"), 'engagement: must be a number, got string "12"'),
        (good_row(engagement=True), "engagement: must be a number, got boolean true"),
        (good_row(engagement=-3), "engagement: must be a finite number >= 0, got -3"),
        (good_row(engagement=float("nan")), "engagement: must be a finite number >= 0, got nan"),
        (good_row(engagement=float("inf")), "engagement: must be a finite number >= 0, got inf"),
        (good_row(post_id=""), "post_id: must be a non-empty string or an integer"),
        (good_row(comments="great"), "comments: must be a list of strings"),
        (good_row(comments=["ok", 3]), "comments: items [1] are not strings"),
        (good_row(created_at="yesterday"), "created_at: not an ISO 8601 timestamp"),
        (good_row(image="images/missing.png"), "image: no such file"),
        (good_row(image="images/notes.png"), "image: not a readable image"),
        (good_row(image="s3://bucket/a.png"), "image: unsupported URI scheme 's3'"),
        (good_row(image=5), "image: must be a path or file:// URI"),
    ],
)
def test_a_bad_row_is_reported_with_its_problem(folder, row, reason) -> None:
    assert reason in load_one_bad(folder, row)


def test_every_problem_of_a_row_is_named(folder) -> None:
    reason = load_one_bad(folder, {"post_id": "p2", "engagement": -1, "comments": {}})
    assert reason.count(";") == 2
    assert "text: missing" in reason and "engagement:" in reason and "comments:" in reason


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"post_id": "p2", "text": "x", ', "malformed JSON"),
        ("[1, 2]", "expected a JSON object, got array"),
        ('"just text"', "expected a JSON object, got string"),
    ],
)
def test_lines_that_are_not_objects_are_reported(folder, line, reason) -> None:
    assert reason in load_one_bad(folder, line)


def test_a_repeated_post_id_is_reported_with_the_first_line(folder) -> None:
    reason = load_one_bad(folder, good_row(post_id="ok"))
    assert reason == "post_id: 'ok' repeats line 1"


def test_blank_lines_are_skipped_and_line_numbers_stay_true(folder) -> None:
    path = write_lines(folder, [good_row(post_id="a"), "", "   ", good_row(engagement=-1)])
    loaded = load_posts(path, max_bad_share=0.5)
    assert loaded.rows == 2
    assert str(loaded.bad_rows[0]).startswith("line 4: engagement:")
    assert loaded.summary().endswith("2 rows, 1 valid, 1 bad (50.0%)")


def test_the_label_field_is_configurable(folder) -> None:
    row = {"post_id": "p", "text": "t", "likes": 42}
    assert load_posts(write_lines(folder, [row]), label_field="likes").posts[0].label == 42.0


def test_too_many_bad_rows_stop_the_load_with_the_report(folder) -> None:
    lines = [good_row(post_id="a"), good_row(post_id="b", engagement=-1), "{oops"]
    with pytest.raises(DatasetError) as raised:
        load_posts(write_lines(folder, lines), max_bad_share=0.5)
    message = str(raised.value)
    assert "more than 50% of the rows are bad" in message
    assert "posts.jsonl:line 2: engagement" in message
    assert "posts.jsonl:line 3: malformed JSON" in message
    assert "3 rows, 1 valid, 2 bad (66.7%)" in message


def test_a_dataset_without_valid_rows_is_refused(folder) -> None:
    with pytest.raises(DatasetError, match="no valid rows"):
        load_posts(write_lines(folder, ["{oops"]), max_bad_share=1.0)


def test_the_report_lists_the_first_bad_rows_and_counts_the_rest(folder) -> None:
    lines = [good_row(post_id="ok"), *[good_row(post_id=f"b{i}", engagement=-1) for i in range(25)]]
    report = load_posts(write_lines(folder, lines), max_bad_share=1.0).report(limit=20)
    assert len(report) == 22
    assert report[20] == "... and 5 more bad rows"


def test_labels_are_log1p_min_max_of_the_training_split() -> None:
    labels = LabelNormalisation.fit([0, 9, 99], "engagement")
    assert (labels.log_min, labels.log_max) == (0.0, pytest.approx(math.log(100)))
    assert labels.targets([0, 9, 99]) == pytest.approx([0, 0.5, 1])
    assert labels.targets([999, -0.0]) == pytest.approx([1, 0])  # clipped to [0, 1]
    assert labels.count(0.5) == pytest.approx(9)
    section = labels.manifest_section()
    assert section["method"] == "log1p_minmax" and section["field"] == "engagement"


def test_constant_training_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="all equal"):
        LabelNormalisation.fit([5, 5, 5], "likes")


def posts_at(days: list[int | None]) -> list[Post]:
    return [
        Post(
            line=index + 1,
            post_id=f"p{index}",
            text="",
            image=None,
            comments=(),
            label=float(index),
            created_at=None if day is None else datetime(2026, 1, 1 + day, tzinfo=UTC),
        )
        for index, day in enumerate(days)
    ]


def test_split_by_time_validates_on_the_newest_posts() -> None:
    split = split_posts(posts_at([5, 1, 9, 3, 7, 0, 8, 2, 6, 4]), "auto", 0.2, seed=0)
    assert [post.post_id for post in split.validation] == ["p6", "p2"]
    assert len(split.train) == 8
    assert split.details["method"] == "time"
    assert split.details["validation_from"].startswith("2026-01-09")


def test_without_timestamps_the_split_is_random_and_seeded() -> None:
    posts = posts_at([None, *range(9)])
    first = split_posts(posts, "auto", 0.3, seed=4)
    assert first.details == {"method": "random", "validation_share": 0.3, "seed": 4}
    assert len(first.validation) == 3
    assert first.validation == split_posts(posts, "auto", 0.3, seed=4).validation
    assert {p.post_id for p in first.train} | {p.post_id for p in first.validation} == {
        p.post_id for p in posts
    }


def test_a_time_split_needs_timestamps_and_enough_posts() -> None:
    with pytest.raises(ValueError, match="created_at"):
        split_posts(posts_at([None, 1, 2, 3]), "time", 0.5, seed=0)
    with pytest.raises(ValueError, match="at least 2"):
        split_posts(posts_at([1, 2, 3]), "auto", 0.2, seed=0)


def test_spearman_ranks_ties_by_their_mean_rank() -> None:
    assert average_ranks(np.array([10, 20, 20, 5])).tolist() == [1, 2.5, 2.5, 0]
    assert spearman(np.array([1, 2, 3, 4]), np.array([10, 20, 30, 1000])) == pytest.approx(1)
    assert spearman(np.array([1, 2, 3, 4]), np.array([4, 3, 2, 1])) == pytest.approx(-1)
    # rho for x = [1, 2, 3, 4, 5], y = [2, 1, 4, 3, 5]: 1 - 6 * 4 / (5 * 24) = 0.8
    assert spearman(np.arange(1, 6), np.array([2, 1, 4, 3, 5])) == pytest.approx(0.8)
    assert math.isnan(spearman(np.array([1, 2, 3]), np.array([7, 7, 7])))


def test_regression_metrics() -> None:
    metrics = regression_metrics(np.array([0.1, 0.5, 0.9]), np.array([0.2, 0.5, 0.6]))
    assert metrics["loss"] == pytest.approx((0.01 + 0 + 0.09) / 3)
    assert metrics["mae"] == pytest.approx((0.1 + 0 + 0.3) / 3)
    assert metrics["spearman"] == pytest.approx(1)


def test_synthetic_data_loads_and_carries_its_planted_signal(tmp_path) -> None:
    loaded = load_posts(write_synthetic(tmp_path, rows=60, seed=3))
    assert loaded.rows == 60 and not loaded.bad_rows
    assert any(post.comments for post in loaded.posts)
    keyword = np.array([KEYWORD in post.text.lower() for post in loaded.posts])
    brightness = np.array(
        [np.asarray(Image.open(post.image), dtype=float).mean() for post in loaded.posts]
    )
    labels = np.log1p([post.label for post in loaded.posts])
    assert spearman(0.6 * brightness / 255 + 0.4 * keyword, labels) > 0.9
    assert (
        write_synthetic(tmp_path / "again", 60, 3).read_text()
        == (tmp_path / "posts.jsonl").read_text()
    )
