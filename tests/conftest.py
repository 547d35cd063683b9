"""Fixtures shared by every test: a real PostgreSQL and the app driven through ASGI."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from service.app import create_app
from service.config import Settings
from tests.support.asgi import running_app
from tests.support.database import (
    ensure_template,
    fresh_database,
    server_url_from_env,
    start_embedded_server,
    with_database,
)

# No time limits on examples: these machines are shared and noisy, and a slow example is not
# a failure (speed is measured by the benchmarks, never asserted in tests).
hypothesis_settings.register_profile(
    "civica", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("civica")


@pytest.fixture(scope="session")
def database_server() -> Iterator[str]:
    """URL of the PostgreSQL server for this run: CIVICA_TEST_DATABASE_URL or the embedded one."""
    url = server_url_from_env()
    if url is not None:
        yield url
        return
    server = start_embedded_server()
    try:
        yield with_database(server.url, "postgres")
    finally:
        server.stop()


@pytest.fixture(scope="session")
async def template_database(database_server: str) -> str:
    return await ensure_template(database_server)


@pytest.fixture
async def database_url(database_server: str, template_database: str) -> AsyncIterator[str]:
    """A fresh, migrated database for one test."""
    async with fresh_database(database_server, template_database) as url:
        yield url


@pytest.fixture
async def empty_database_url(database_server: str) -> AsyncIterator[str]:
    """A fresh database with no migrations applied."""
    async with fresh_database(database_server, None) as url:
        yield url


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(database_url: str, data_dir: Path) -> Settings:
    # The keeper (opening and closing votes, checkpoints on a timer) is off: tests drive each
    # step themselves; tests/web/test_keeper.py runs it.
    return Settings.from_env(
        {"DATABASE_URL": database_url, "CIVICA_DATA_DIR": str(data_dir), "CIVICA_KEEPER": "0"}
    )


@pytest.fixture
async def app_client(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any]]]:
    """An HTTP client talking to the real app (lifespan run, real database), and its state."""
    async with running_app(create_app(settings)) as (client, state):
        yield client, state


@pytest.fixture
def client(app_client: tuple[httpx.AsyncClient, dict[str, Any]]) -> httpx.AsyncClient:
    return app_client[0]
