"""The bundle directory: output preparation, the manifest and its file hashes."""

import hashlib
import json
import shutil
from pathlib import Path

MANIFEST = "manifest.json"
REGRESSOR_FILE = "regressor.pt"
IMAGE_ENCODER_FILE = "image_encoder.pt"
TEXT_ENCODER_FILE = "text_encoder.pt"
HEAD_FILE = "head.pt"
SENTIMENT_FILE = "sentiment.pt"
TEXT_TOKENIZER_FILE = "text_tokenizer.json"
SENTIMENT_TOKENIZER_FILE = "sentiment_tokenizer.json"
FORMAT_VERSION = 1


class BundleError(RuntimeError):
    """A bundle directory is not what its manifest says."""


def prepare_output(directory: Path) -> None:
    """Creates an empty bundle directory, replacing a bundle (a directory with a manifest) there."""
    if directory.exists() and any(directory.iterdir()):
        if not (directory / MANIFEST).is_file():
            raise BundleError(
                f"{directory} is neither empty nor a bundle; refusing to overwrite it"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)


def file_entries(directory: Path) -> dict[str, dict]:
    """`{relative path: {"sha256", "size"}}` for every file in the bundle but the manifest."""
    return {
        path.relative_to(directory).as_posix(): {
            "sha256": sha256(path),
            "size": path.stat().st_size,
        }
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.relative_to(directory).as_posix() != MANIFEST
    }


def sha256(path: Path) -> str:
    """Hex sha256 of a file's content."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_manifest(directory: Path, body: dict) -> dict:
    """Writes `manifest.json`: `body` plus the `files` of the directory as it is now."""
    manifest = {**body, "files": file_entries(directory)}
    (directory / MANIFEST).write_text(to_json(manifest) + "\n", encoding="utf-8")
    return manifest


def to_json(value, indent: str = "") -> str:
    """JSON with one key per line and lists of plain values kept on one line."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(key)}: {to_json(item, inner)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{indent}}}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return "[\n" + ",\n".join(inner + to_json(item, inner) for item in value) + f"\n{indent}]"
    return json.dumps(value, ensure_ascii=False)


def read_manifest(directory: Path) -> dict:
    """The parsed manifest of a bundle directory."""
    return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))


def check_files(directory: Path, manifest: dict) -> None:
    """Raises unless the bundle holds exactly the manifest's files, with their sizes and hashes."""
    actual = file_entries(directory)
    problems = [
        f"{name}: manifest says {expected}, found {actual.get(name, 'no file')}"
        for name, expected in manifest["files"].items()
        if actual.get(name) != expected
    ]
    problems += [f"{name}: not in the manifest" for name in actual if name not in manifest["files"]]
    if problems:
        raise BundleError(f"bundle {directory}: " + "; ".join(problems))
