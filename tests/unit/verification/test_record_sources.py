"""Reading a record from a folder, a .zip, a .tar.gz and over HTTP; unusable inputs."""

import functools
import http.server
import shutil
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from verification.record import (
    RECORD_FILES,
    HashedLines,
    RecordInputError,
    hash_file,
    open_record,
    read_file,
)
from verification.verifier import verify_record

CLEAN = Path(__file__).resolve().parents[2] / "vectors" / "clean"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served_record(tmp_path: Path) -> Iterator[str]:
    """The clean record served by a real HTTP server under /cycles/opp-test/record/."""
    shutil.copytree(CLEAN, tmp_path / "cycles" / "opp-test" / "record")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/cycles/opp-test/record"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_folder_verifies() -> None:
    assert verify_record(str(CLEAN)).ok


@pytest.mark.parametrize("inner", ["", "record-2018/"])
def test_a_zip_verifies_with_files_at_the_top_or_in_one_folder(tmp_path: Path, inner: str) -> None:
    archive = tmp_path / "record.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for name in RECORD_FILES:
            out.write(CLEAN / name, inner + name)
    report = verify_record(str(archive))
    assert report.ok, report.findings


def test_a_tar_gz_verifies(tmp_path: Path) -> None:
    archive = tmp_path / "record.tar.gz"
    with tarfile.open(archive, "w:gz") as out:
        for name in RECORD_FILES:
            out.add(CLEAN / name, f"record/{name}")
    assert verify_record(str(archive)).ok


def test_a_url_verifies(served_record: str) -> None:
    report = verify_record(served_record)
    assert report.ok, report.findings
    assert verify_record(served_record + "/").ok


def test_a_url_without_the_record_is_unusable(served_record: str) -> None:
    with pytest.raises(RecordInputError, match="404"):
        verify_record(served_record.replace("opp-test", "other"))


@pytest.mark.parametrize("location", ["ftp://example.org/record", "http://", "/no/such/record"])
def test_bad_locations_are_unusable(location: str) -> None:
    with pytest.raises(RecordInputError):
        open_record(location)


def test_a_missing_file_is_unusable(tmp_path: Path) -> None:
    shutil.copytree(CLEAN, tmp_path / "record")
    (tmp_path / "record" / "results.json").unlink()
    with pytest.raises(RecordInputError, match=r"results\.json"):
        verify_record(str(tmp_path / "record"))


def test_a_corrupt_archive_is_unusable(tmp_path: Path) -> None:
    archive = tmp_path / "record.tar.gz"
    archive.write_bytes(b"\x1f\x8b\x08" + b"not really gzip" * 10)
    with pytest.raises(RecordInputError):
        verify_record(str(archive))


def test_an_archive_with_two_manifests_is_unusable(tmp_path: Path) -> None:
    archive = tmp_path / "record.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(CLEAN / "manifest.json", "a/manifest.json")
        out.write(CLEAN / "manifest.json", "manifest.json")
    with pytest.raises(RecordInputError, match="twice"):
        open_record(str(archive))


def test_lines_are_hashed_as_they_are_read(tmp_path: Path) -> None:
    path = tmp_path / "lines"
    path.write_bytes(b"one\ntwo\nthree")
    source = open_record(str(tmp_path))
    lines = HashedLines(source.open("lines"), "lines")
    assert list(lines) == [b"one", b"two", b"three"]
    lines.close()
    assert lines.unterminated
    assert (lines.digest, lines.size) == hash_file(source, "lines")
    with pytest.raises(RecordInputError, match="larger"):
        read_file(source, "lines", limit=4)
