"""The labelled-posts dataset: JSON Lines, validated row by row.

One JSON object per line (ops/README.md, "Training data"):

    {"post_id": "p1", "text": "Sunset at the pier #nature", "image": "images/p1.jpg",
     "comments": ["Wow!", "Love it"], "engagement": 1234, "created_at": "2026-01-02T03:04:05Z"}

`post_id` (non-empty string or integer), `text` (string, may be empty) and the label
(`engagement` by default: a finite number >= 0) are required; `image` (a path relative to the
dataset file's folder, an absolute path or a `file://` URI; null or absent: no image), `comments`
(list of strings) and `created_at` (ISO 8601; without a zone it is taken as UTC) are optional.
Other fields are ignored. A row that breaks a rule is reported with its line number and left
out; the load fails only when more than a set share of the rows is bad.
"""

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlparse

from PIL import Image, UnidentifiedImageError

DEFAULT_LABEL_FIELD = "engagement"
DEFAULT_MAX_BAD_SHARE = 0.05
REPORTED_BAD_ROWS = 20


class DatasetError(ValueError):
    """The dataset cannot be used: no valid rows, or too many bad ones."""


class RowError(ValueError):
    """One row breaks the format; the message names every problem found in it."""


@dataclass(frozen=True)
class Post:
    """One valid labelled post."""

    line: int
    post_id: str
    text: str
    image: Path | None
    comments: tuple[str, ...]
    label: float
    created_at: datetime | None


@dataclass(frozen=True)
class BadRow:
    """A row left out, and why."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass(frozen=True)
class LoadedPosts:
    """The valid posts of a dataset file and the rows that were left out."""

    path: Path
    posts: list[Post]
    bad_rows: list[BadRow]

    @property
    def rows(self) -> int:
        """Rows read (blank lines are not rows)."""
        return len(self.posts) + len(self.bad_rows)

    @property
    def bad_share(self) -> float:
        """Share of the rows that were left out."""
        return len(self.bad_rows) / self.rows if self.rows else 0.0

    def summary(self) -> str:
        """One line: rows read, valid and bad."""
        return (
            f"{self.path}: {self.rows} rows, {len(self.posts)} valid, "
            f"{len(self.bad_rows)} bad ({100 * self.bad_share:.1f}%)"
        )

    def report(self, limit: int = REPORTED_BAD_ROWS) -> list[str]:
        """The first `limit` bad rows (`file:line N: reason`), a count of the rest, the summary."""
        lines = [f"{self.path.name}:{row}" for row in self.bad_rows[:limit]]
        if len(self.bad_rows) > limit:
            lines.append(f"... and {len(self.bad_rows) - limit} more bad rows")
        return [*lines, self.summary()]


def load_posts(
    path: Path,
    label_field: str = DEFAULT_LABEL_FIELD,
    max_bad_share: float = DEFAULT_MAX_BAD_SHARE,
) -> LoadedPosts:
    """Reads and validates every row of a JSON Lines file.

    Raises `DatasetError` when no row is valid or more than `max_bad_share` of them are bad;
    otherwise the bad rows are in the result for the caller to report.
    """
    if not path.is_file():
        raise DatasetError(f"{path}: no such dataset file")
    posts: list[Post] = []
    bad_rows: list[BadRow] = []
    first_line_of: dict[str, int] = {}
    for line, text in _numbered_lines(path):
        try:
            post = parse_row(text, line, path.parent, label_field)
            _check_unique(post, first_line_of)
        except RowError as error:
            bad_rows.append(BadRow(line, str(error)))
            continue
        posts.append(post)
    loaded = LoadedPosts(path, posts, bad_rows)
    _check_usable(loaded, max_bad_share)
    return loaded


def _numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The file's non-blank lines with their 1-based line numbers."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, text in enumerate(lines, start=1):
            if text.strip():
                yield number, text


def _check_unique(post: Post, first_line_of: dict[str, int]) -> None:
    """Raises `RowError` when the post id was seen on an earlier line, else records it."""
    first = first_line_of.setdefault(post.post_id, post.line)
    if first != post.line:
        raise RowError(f"post_id: {post.post_id!r} repeats line {first}")


def _check_usable(loaded: LoadedPosts, max_bad_share: float) -> None:
    """Raises `DatasetError`, with the bad-row report, when the dataset cannot be trained on."""
    if not loaded.posts:
        problem = "no valid rows"
    elif loaded.bad_share > max_bad_share:
        problem = f"more than {100 * max_bad_share:g}% of the rows are bad (--max-bad-share)"
    else:
        return
    raise DatasetError("\n".join([f"{loaded.path}: {problem}", *loaded.report()]))


def parse_row(text: str, line: int, folder: Path, label_field: str) -> Post:
    """Validates one JSON Lines row; raises `RowError` naming every problem in it."""
    try:
        row = json.loads(text)
    except json.JSONDecodeError as error:
        raise RowError(f"malformed JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(row, dict):
        raise RowError(f"expected a JSON object, got {_type_name(row)}")
    problems: list[str] = []
    fields = {
        "post_id": _field(row, "post_id", _post_id, problems),
        "text": _field(row, "text", _text, problems),
        "label": _field(row, label_field, _label, problems),
        "image": _field(row, "image", lambda value: _image(value, folder), problems, False),
        "comments": _field(row, "comments", _comments, problems, False) or (),
        "created_at": _field(row, "created_at", _timestamp, problems, False),
    }
    if problems:
        raise RowError("; ".join(problems))
    return Post(line=line, **fields)


def _field(row: dict, name: str, parse, problems: list[str], required: bool = True):
    """Parses one field, appending `name: problem` to `problems` when it is bad.

    An optional field that is absent or null is None; a required one is a problem.
    """
    if name not in row or (row[name] is None and not required):
        if required:
            problems.append(f"{name}: missing")
        return None
    try:
        return parse(row[name])
    except RowError as error:
        problems.append(f"{name}: {error}")
        return None


def _post_id(value) -> str:
    """A non-empty string, or an integer written as one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value
    raise RowError(f"must be a non-empty string or an integer, got {_describe(value)}")


def _text(value) -> str:
    """Any string, the empty one included."""
    if isinstance(value, str):
        return value
    raise RowError(f"must be a string, got {_describe(value)}")


def _label(value) -> float:
    """A finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RowError(f"must be a number, got {_describe(value)}")
    if not math.isfinite(value) or value < 0:
        raise RowError(f"must be a finite number >= 0, got {value}")
    return float(value)


def _comments(value) -> tuple[str, ...]:
    """A list of strings."""
    if not isinstance(value, list):
        raise RowError(f"must be a list of strings, got {_describe(value)}")
    wrong = [index for index, comment in enumerate(value) if not isinstance(comment, str)]
    if wrong:
        raise RowError(f"items {wrong[:5]} are not strings")
    return tuple(value)


def _timestamp(value) -> datetime:
    """An ISO 8601 timestamp, as an aware datetime (UTC when it has no zone)."""
    if not isinstance(value, str):
        raise RowError(f"must be an ISO 8601 string, got {_describe(value)}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RowError(f"not an ISO 8601 timestamp: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _image(value, folder: Path) -> Path:
    """The image file a path or `file://` URI names; it must exist and be a readable image."""
    if not isinstance(value, str) or not value:
        raise RowError(f"must be a path or file:// URI, got {_describe(value)}")
    path = _image_path(value, folder)
    if not path.is_file():
        raise RowError(f"no such file: {path}")
    try:
        with Image.open(path):  # opening reads and checks the header, not the pixels
            pass
    except (UnidentifiedImageError, OSError) as error:
        raise RowError(f"not a readable image: {path} ({error})") from None
    return path


def _image_path(value: str, folder: Path) -> Path:
    """Resolves a `file://` URI, an absolute path, or a path relative to the dataset's folder."""
    uri = urlparse(value)
    if uri.scheme == "file":
        return Path(unquote(uri.path))
    if uri.scheme:
        raise RowError(
            f"unsupported URI scheme {uri.scheme!r} in {value!r}: download the images and use "
            "paths or file:// URIs"
        )
    return folder / value


def _describe(value) -> str:
    """A short description of a JSON value for an error message: its type and a preview."""
    preview = json.dumps(value, ensure_ascii=False)
    if len(preview) > 40:
        preview = preview[:37] + "..."
    return f"{_type_name(value)} {preview}"


def _type_name(value) -> str:
    """The JSON type name of a parsed value."""
    names = {bool: "boolean", int: "number", float: "number", str: "string", list: "array"}
    return "null" if value is None else names.get(type(value), "object")
