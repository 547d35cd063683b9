"""The real command on the embedded PostgreSQL: start, survive SIGKILL, stop cleanly."""

from __future__ import annotations

import os
import shutil
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.process import (
    REPO,
    civica_env,
    free_port,
    run_civica,
    start_civica,
    wait_until_healthy,
)


@pytest.fixture
def public_data_dir() -> Iterator[Path]:
    """A data folder outside private (0700) directories, as the embedded server needs as root."""
    folder = REPO / ".test-data" / "runs" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True, mode=0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        pid = int((data_dir / "pg" / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    return pid if Path(f"/proc/{pid}").exists() else None


def test_serve_survives_sigkill_and_stops_cleanly(public_data_dir: Path) -> None:
    env = civica_env(public_data_dir)
    port = free_port()
    log = public_data_dir / "serve.log"

    first = start_civica(["serve", "--port", str(port)], env, log)
    try:
        wait_until_healthy(port, first)
        assert httpx.get(f"http://127.0.0.1:{port}/").status_code == 200
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        assert postmaster_pid(public_data_dir) is not None, "the killed process left PostgreSQL up"

        second = start_civica(["serve", "--port", str(port)], env, log)
        try:
            wait_until_healthy(port, second)
            assert "adopting" in log.read_text()
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0
        finally:
            if second.poll() is None:
                second.kill()
        assert postmaster_pid(public_data_dir) is None, "SIGTERM left PostgreSQL running"
    finally:
        if first.poll() is None:
            first.kill()

    migrate = run_civica(["migrate"], env)
    assert migrate.returncode == 0, migrate.stderr
    assert "nothing to apply" in migrate.stdout
    assert postmaster_pid(public_data_dir) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="the private-parent rule applies when run as root")
def test_a_data_folder_inside_a_private_directory_is_refused_clearly(public_data_dir: Path) -> None:
    private = public_data_dir / "private"
    private.mkdir(mode=0o700)
    result = run_civica(["migrate"], civica_env(private / "data"))
    assert result.returncode == 1
    assert "is private" in result.stderr
    assert "CIVICA_DATA_DIR" in result.stderr
    assert stat_mode(private) == 0o700, "civica must not loosen the permissions of its parents"


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777
