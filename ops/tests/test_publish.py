"""Publishing: the archive layout the service reads, and the checks before anything is uploaded.

The upload itself is tested end to end by the Java integration test S3ModelSourceIT, which runs
`python -m exporter publish` against a real S3-compatible server and loads the result.
"""

import hashlib
import io
import shutil
import tarfile

import pytest

from exporter.cli import main
from exporter.publish import PublishError, publish, write_archive

from conftest import COMMITTED_TINY


def archive_bytes(bundle) -> bytes:
    out = io.BytesIO()
    write_archive(bundle, out)
    return out.getvalue()


def test_archive_holds_the_bundle_files_at_its_root() -> None:
    with tarfile.open(fileobj=io.BytesIO(archive_bytes(COMMITTED_TINY)), mode="r:gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        assert next(iter(members)) == "manifest.json"
        expected = {
            path.relative_to(COMMITTED_TINY).as_posix()
            for path in COMMITTED_TINY.rglob("*")
            if path.is_file()
        }
        assert set(members) == expected
        regressor = archive.extractfile(members["regressor.pt"]).read()
    assert regressor == (COMMITTED_TINY / "regressor.pt").read_bytes()
    assert all(member.isfile() and member.mode == 0o644 for member in members.values())


def test_archive_is_byte_for_byte_reproducible(tmp_path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(COMMITTED_TINY, copy)
    assert archive_bytes(COMMITTED_TINY) == archive_bytes(copy)


def test_a_modified_bundle_is_not_published(tmp_path) -> None:
    copy = tmp_path / "bundle"
    shutil.copytree(COMMITTED_TINY, copy)
    with (copy / "regressor.pt").open("ab") as regressor:
        regressor.write(b"\0")

    class NoUploads:
        def put_object(self, **request):
            raise AssertionError("a damaged bundle must not be uploaded")

    with pytest.raises(PublishError, match="regressor.pt"):
        publish(copy, "models", "engagement/current.tar.gz", NoUploads())


def test_publish_sends_the_archive_with_its_md5_and_version() -> None:
    class RecordingStore:
        request = None

        def put_object(self, **request):
            body = request.pop("Body").read()
            RecordingStore.request = {**request, "Body": body}
            return {"ETag": '"' + hashlib.md5(body).hexdigest() + '"'}

    published = publish(COMMITTED_TINY, "models", "engagement/current.tar.gz", RecordingStore())

    request = RecordingStore.request
    assert request["Body"] == archive_bytes(COMMITTED_TINY)
    assert request["ContentLength"] == len(request["Body"])
    assert request["Metadata"] == {"bundle-version": "tiny-1"}
    assert published.version == "tiny-1"
    assert published.etag == hashlib.md5(request["Body"]).hexdigest()


def test_publish_refuses_an_etag_that_is_not_the_archive_md5() -> None:
    class CorruptingStore:
        def put_object(self, **request):
            return {"ETag": '"00000000000000000000000000000000"'}

    with pytest.raises(PublishError, match="expected the MD5"):
        publish(COMMITTED_TINY, "models", "k.tar.gz", CorruptingStore())


def test_publish_command_reports_a_missing_bundle(tmp_path, capsys) -> None:
    status = main(["publish", str(tmp_path / "nothing"), "--bucket", "b", "--key", "k"])
    assert status == 1
    assert "not a valid bundle" in capsys.readouterr().err
