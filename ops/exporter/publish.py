"""Publishes a bundle to S3 (or an S3-compatible store) in the layout the service reads.

The service reads one object: a gzip-compressed tar archive with the bundle's files at its root
(`manifest.json`, `regressor.pt`, ...). One object rather than a prefix of files because a single
PUT is atomic: a reader never sees half of a new version, and the object's ETag names the version.

    python -m exporter.publish BUNDLE_DIR --bucket BUCKET --key KEY [--endpoint-url URL]

Credentials come from boto3's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile,
an instance role). This module needs boto3 only, not torch, so a slim container can run it.
"""

import argparse
import base64
import gzip
import hashlib
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .bundle import MANIFEST, BundleError, check_files, read_manifest

# S3 takes at most 5 GiB in one PUT; larger objects would need a multipart upload, whose ETag is
# not the object's MD5 and so could not be checked by the service.
MAX_SINGLE_PUT_BYTES = 5 * 1024**3
CONTENT_TYPE = "application/gzip"


class PublishError(RuntimeError):
    """The bundle could not be published; the message says why."""


@dataclass(frozen=True)
class Published:
    """What was uploaded: where, which bundle version, and the object's ETag and size."""

    bucket: str
    key: str
    version: str
    etag: str
    size: int


def write_archive(bundle: Path, out) -> str:
    """Writes the bundle as a deterministic .tar.gz to the binary stream `out`; returns its version.

    The bundle is checked first (every file's size and sha256 against the manifest), so a
    damaged bundle is never published. Entries are sorted, owned by root, with mode 0644 and
    mtime 0, so the same bundle always gives the same bytes and the same ETag.
    """
    manifest = read_manifest(bundle)
    check_files(bundle, manifest)
    names = [MANIFEST, *sorted(manifest["files"])]
    # mtime=0 and no file name in the gzip header too, or the bytes would change with the clock.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0) as compressed:
        with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name in names:
                path = bundle / name
                info = tarfile.TarInfo(name)
                info.size = path.stat().st_size
                info.mode = 0o644
                info.mtime = 0
                with path.open("rb") as stream:
                    archive.addfile(info, stream)
    return manifest["version"]


def publish(
    bundle: Path,
    bucket: str,
    key: str,
    client,
    create_bucket: bool = False,
    progress=lambda message: None,
) -> Published:
    """Archives `bundle` and uploads it to s3://bucket/key in one PUT with its MD5 checked."""
    with tempfile.TemporaryFile() as archive:
        try:
            version = write_archive(bundle, archive)
        except (OSError, KeyError, ValueError, BundleError) as error:
            raise PublishError(f"{bundle} is not a valid bundle: {error}") from error
        size = archive.tell()
        if size > MAX_SINGLE_PUT_BYTES:
            raise PublishError(
                f"the archive is {size} bytes; one S3 PUT takes at most {MAX_SINGLE_PUT_BYTES}"
            )
        archive.seek(0)
        md5 = hashlib.md5()
        for block in iter(lambda: archive.read(1 << 20), b""):
            md5.update(block)
        archive.seek(0)
        if create_bucket:
            _ensure_bucket(client, bucket, progress)
        progress(f"uploading {version} ({size} bytes) to s3://{bucket}/{key}")
        response = client.put_object(
            Bucket=bucket,
            Key=key,
            Body=archive,
            ContentLength=size,
            ContentMD5=base64.b64encode(md5.digest()).decode("ascii"),
            ContentType=CONTENT_TYPE,
            Metadata={"bundle-version": version},
        )
    etag = response["ETag"].strip('"')
    if etag != md5.hexdigest():
        raise PublishError(f"the store answered ETag {etag}, expected the MD5 {md5.hexdigest()}")
    return Published(bucket, key, version, etag, size)


def _ensure_bucket(client, bucket: str, progress) -> None:
    """Creates `bucket` unless it exists already."""
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
            raise
        progress(f"creating bucket {bucket}")
        client.create_bucket(Bucket=bucket)


def s3_client(endpoint_url: str | None, region: str | None, path_style: bool):
    """A boto3 S3 client; path-style addressing for S3-compatible stores such as MinIO."""
    import boto3
    from botocore.config import Config

    options = {"s3": {"addressing_style": "path" if path_style else "auto"}}
    if endpoint_url:
        # S3-compatible stores often refuse the flexible-checksum headers that newer SDKs send by
        # default (s3proxy answers 501); Content-MD5 still protects the upload.
        options["request_checksum_calculation"] = "when_required"
        options["response_checksum_validation"] = "when_required"
    return boto3.client(
        "s3", endpoint_url=endpoint_url, region_name=region, config=Config(**options)
    )


def main(argv: list[str] | None = None) -> int:
    """`python -m exporter.publish`: returns the process exit status."""
    args = parser().parse_args(argv)
    return run(args)


def parser(prog: str = "python -m exporter.publish") -> argparse.ArgumentParser:
    """The command line of `publish`, shared with `python -m exporter publish`."""
    command = argparse.ArgumentParser(prog=prog, description="upload a bundle to S3")
    add_arguments(command)
    return command


def add_arguments(command: argparse.ArgumentParser) -> None:
    """Adds publish's options to `command`."""
    command.add_argument("bundle", type=Path, help="bundle directory (as written by export)")
    command.add_argument("--bucket", required=True)
    command.add_argument("--key", required=True, help="object key, e.g. engagement/current.tar.gz")
    command.add_argument("--endpoint-url", help="S3-compatible endpoint, e.g. http://minio:9000")
    command.add_argument("--region", help="AWS region (default: boto3's configuration)")
    command.add_argument(
        "--path-style",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="path-style addressing (default: on with --endpoint-url, off for AWS)",
    )
    command.add_argument(
        "--create-bucket", action="store_true", help="create the bucket when it does not exist"
    )


def run(args: argparse.Namespace) -> int:
    """Publishes as `args` say; prints one line per step and the result."""
    path_style = args.path_style if args.path_style is not None else bool(args.endpoint_url)
    client = s3_client(args.endpoint_url, args.region, path_style)
    try:
        published = publish(
            args.bundle, args.bucket, args.key, client, args.create_bucket, _progress
        )
    except PublishError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # botocore's errors: credentials, endpoint, bucket, permissions
        print(f"FAILED: uploading to s3://{args.bucket}/{args.key}: {error}", file=sys.stderr)
        return 1
    _progress(
        f"published {published.version} to s3://{published.bucket}/{published.key} "
        f"(ETag {published.etag}, {published.size} bytes)"
    )
    return 0


def _progress(message: str) -> None:
    """Prints one progress line."""
    print(f"[publish] {message}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
