"""Reading an election record (§1) from a folder, a `.zip`, a `.tar.gz` or a civica URL.

Every source answers `open(name)` with a binary stream of one record file, so the verifier can
stream the large files (`entries.jsonl`, `ballots.jsonl`) line by line while hashing them,
without holding the record in memory. Any problem reaching a file is a `RecordInputError`
(the verifier's exit status 2), never a finding.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Protocol

MANIFEST = "manifest.json"
CHECKPOINTS = "checkpoints.jsonl"
ENTRIES = "entries.jsonl"
SEALING_KEY = "sealing-key.json"
BALLOTS = "ballots.jsonl"
RESULTS = "results.json"
CLOSING = "closing.json"
RECORD_FILES = (MANIFEST, CHECKPOINTS, ENTRIES, SEALING_KEY, BALLOTS, RESULTS, CLOSING)

SMALL_FILE_LIMIT = 256 << 20
_CHUNK = 1 << 20
_HTTP_TIMEOUT_S = 60


class RecordInputError(Exception):
    """The record cannot be read: a missing file, an unreadable archive or a bad URL."""


class RecordSource(Protocol):
    """Where a record's files come from."""

    description: str

    def open(self, name: str) -> IO[bytes]:
        """A binary stream of the record file `name`; raises `RecordInputError` if absent."""
        ...

    def close(self) -> None:
        """Release files, connections and temporary folders."""
        ...


class FolderSource:
    """A record as a folder on disk."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.description = str(folder)

    def open(self, name: str) -> IO[bytes]:
        try:
            return (self.folder / name).open("rb")
        except OSError as error:
            raise RecordInputError(
                f"cannot read {name} in {self.folder}: {error.strerror}"
            ) from None

    def close(self) -> None:
        pass


class ZipSource:
    """A record as a `.zip` archive: the files at its top or in one folder."""

    def __init__(self, path: Path) -> None:
        self.description = str(path)
        try:
            self._zip = zipfile.ZipFile(path)
            names = self._zip.namelist()
        except (OSError, zipfile.BadZipFile) as error:
            raise RecordInputError(f"cannot read the zip archive {path}: {error}") from None
        self._members = _locate_members(names, str(path))

    def open(self, name: str) -> IO[bytes]:
        member = self._members.get(name)
        if member is None:
            raise RecordInputError(f"{self.description} holds no {name}")
        try:
            return self._zip.open(member)
        except (OSError, zipfile.BadZipFile, RuntimeError) as error:
            raise RecordInputError(f"cannot read {name} in {self.description}: {error}") from None

    def close(self) -> None:
        self._zip.close()


class TarSource(FolderSource):
    """A record as a `.tar.gz` archive, unpacked once into a temporary folder.

    A compressed tar cannot be read at two places at once, and the verifier reads
    `entries.jsonl` and `ballots.jsonl` side by side, so the record files are copied out first
    (only regular files with the record's names; nothing else is extracted).
    """

    def __init__(self, path: Path) -> None:
        self._temporary = tempfile.TemporaryDirectory(prefix="civica-record-")
        super().__init__(Path(self._temporary.name))
        self.description = str(path)
        try:
            with tarfile.open(path, "r:*") as archive:
                members = [m for m in archive.getmembers() if m.isfile()]
                chosen = _locate_members([m.name for m in members], str(path))
                by_name = {m.name: m for m in members}
                for name, member_name in chosen.items():
                    source = archive.extractfile(by_name[member_name])
                    if source is None:
                        continue
                    with source, (self.folder / name).open("wb") as target:
                        shutil.copyfileobj(source, target, _CHUNK)
        except (OSError, tarfile.TarError, EOFError) as error:
            self._temporary.cleanup()
            raise RecordInputError(f"cannot read the tar archive {path}: {error}") from None
        except RecordInputError:
            self._temporary.cleanup()
            raise

    def close(self) -> None:
        self._temporary.cleanup()


class UrlSource:
    """A record served by a running civica: each file is GET <base URL>/<file name>."""

    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise RecordInputError(f"{base_url!r} is not an http(s) URL")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.description = self.base_url

    def open(self, name: str) -> IO[bytes]:
        url = self.base_url + name
        # The scheme was checked to be http or https when the source was made.
        request = urllib.request.Request(url, headers={"User-Agent": "civica-verify"})  # noqa: S310
        try:
            response: IO[bytes] = urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_S)  # noqa: S310
        except urllib.error.HTTPError as error:
            raise RecordInputError(f"GET {url} answered {error.code} {error.reason}") from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = getattr(error, "reason", error)
            raise RecordInputError(f"cannot GET {url}: {reason}") from None
        return response

    def close(self) -> None:
        pass


def open_record(location: str) -> RecordSource:
    """Open a record given as a folder, a .zip, a .tar.gz (.tgz) or an http(s) base URL."""
    if location.startswith(("http://", "https://")):
        return UrlSource(location)
    path = Path(location)
    if path.is_dir():
        return FolderSource(path)
    if not path.exists():
        raise RecordInputError(f"{location} does not exist")
    if zipfile.is_zipfile(path):
        return ZipSource(path)
    if path.name.endswith((".tar.gz", ".tgz", ".tar")) or _is_tar(path):
        return TarSource(path)
    raise RecordInputError(f"{location} is neither a folder, a zip or tar archive, nor a URL")


def _is_tar(path: Path) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except OSError:
        return False


def _locate_members(names: list[str], where: str) -> dict[str, str]:
    """Record file name -> archive member, for files at the top or all in one folder."""
    found: dict[str, str] = {}
    folders: set[str] = set()
    for member in names:
        path = PurePosixPath(member)
        if path.name in RECORD_FILES and len(path.parts) <= 2:
            if path.name in found:
                raise RecordInputError(f"{where} holds {path.name} twice")
            found[path.name] = member
            folders.add(str(path.parent))
    if len(folders) > 1:
        raise RecordInputError(f"{where} spreads the record over folders {sorted(folders)}")
    return found


def read_file(source: RecordSource, name: str, limit: int = SMALL_FILE_LIMIT) -> bytes:
    """The whole content of a small record file."""
    with source.open(name) as stream:
        try:
            data = stream.read(limit + 1)
        except OSError as error:
            raise RecordInputError(f"cannot read {name}: {error}") from None
    if len(data) > limit:
        raise RecordInputError(f"{name} is larger than {limit} bytes")
    return data


class HashedLines:
    """Iterate over a file's lines (without their newline) while hashing its bytes.

    After iteration, `digest` is the SHA-256 of the file, `size` its length, and
    `unterminated` tells whether the last line lacked its newline.
    """

    def __init__(self, stream: IO[bytes], name: str) -> None:
        self._stream = stream
        self.name = name
        self._sha256 = hashlib.sha256()
        self.size = 0
        self.unterminated = False

    def __iter__(self) -> Iterator[bytes]:
        rest = b""
        while True:
            try:
                chunk = self._stream.read(_CHUNK)
            except OSError as error:
                raise RecordInputError(f"cannot read {self.name}: {error}") from None
            if not chunk:
                break
            self._sha256.update(chunk)
            self.size += len(chunk)
            lines = (rest + chunk).split(b"\n") if rest else chunk.split(b"\n")
            rest = lines.pop()
            yield from lines
        if rest:
            self.unterminated = True
            yield rest

    @property
    def digest(self) -> bytes:
        return self._sha256.digest()

    def close(self) -> None:
        self._stream.close()


def hash_file(source: RecordSource, name: str) -> tuple[bytes, int]:
    """SHA-256 and size of a record file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with source.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.digest(), size


def bytes_source(files: dict[str, bytes]) -> RecordSource:
    """A record held in memory (tests and tools)."""
    return _MemorySource(files)


class _MemorySource:
    def __init__(self, files: dict[str, bytes]) -> None:
        self._files = files
        self.description = "memory"

    def open(self, name: str) -> IO[bytes]:
        if name not in self._files:
            raise RecordInputError(f"the record holds no {name}")
        return io.BytesIO(self._files[name])

    def close(self) -> None:
        pass
