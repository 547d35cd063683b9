"""Real-browser fixtures: the real `civica serve` on a free port, Debian's Chromium through
Playwright, and a page per test in a context with JavaScript on or off (each journey runs twice).
"""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from tests.browser.accessibility import Auditor, use_auditor
from tests.browser.support import (
    CHROMIUM_ARGS,
    PageProblems,
    axe_source,
    mark_scriptless,
    require_chromium,
)
from tests.support.database import fresh_database
from tests.support.oidc_provider import CLIENT_ID, client_secret, running_provider
from tests.support.process import civica_env, free_port, start_civica, wait_until_healthy


@dataclass(frozen=True)
class Server:
    """The service under test."""

    url: str
    database_url: str
    data_dir: Path
    log: Path


@pytest.fixture(scope="session")
async def browser_database_url(database_server: str, template_database: str) -> AsyncIterator[str]:
    async with fresh_database(database_server, template_database) as url:
        yield url


@contextmanager
def serving(
    database_url: str, folder: Path, port: int | None = None, **extra_env: str
) -> Iterator[Server]:
    """`python -m service.cli serve` on 127.0.0.1, stopped by its pid afterwards.

    The keeper signs a checkpoint every 2 seconds, so a receipt is on the board soon after a
    vote (what a voter checking a receipt expects to see)."""
    data_dir = folder / "data"
    data_dir.mkdir()
    log = folder / "civica.log"
    port = port or free_port()
    env = civica_env(
        data_dir,
        DATABASE_URL=database_url,
        CIVICA_HOST="127.0.0.1",
        CIVICA_PORT=str(port),
        CIVICA_DEFAULT_LOCALE="en",
        CIVICA_TIMEZONE="Europe/Lisbon",
        CIVICA_CHECKPOINT_INTERVAL="2",
        **extra_env,
    )
    process = start_civica(["serve"], env, log)
    try:
        try:
            wait_until_healthy(port, process)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{log.read_text()[-3000:]}") from None
        yield Server(f"http://127.0.0.1:{port}", database_url, data_dir, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def server(browser_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The service every browser test shares (one database, one data folder)."""
    with serving(browser_database_url, tmp_path_factory.mktemp("browser-server")) as running:
        yield running


@dataclass(frozen=True)
class OidcServer:
    """A second service, configured with the real local OpenID Connect provider."""

    server: Server
    issuer: str


@pytest.fixture(scope="session")
async def oidc_database_url(database_server: str, template_database: str) -> AsyncIterator[str]:
    async with fresh_database(database_server, template_database) as url:
        yield url


@pytest.fixture(scope="session")
def oidc_server(
    oidc_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OidcServer]:
    """panva/oidc-provider on Node (tests/oidc) and a `civica serve` that trusts it, configured
    through the environment as a deployment is (docs/identity.md)."""
    folder = tmp_path_factory.mktemp("browser-oidc")
    port = free_port()
    callback = f"http://127.0.0.1:{port}/identity/oidc/callback"
    env = {
        "CIVICA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "CIVICA_OIDC_CLIENT_ID": CLIENT_ID,
        "CIVICA_OIDC_CLIENT_SECRET": client_secret(CLIENT_ID),
        "CIVICA_OIDC_SCOPES": "openid civica",
        "CIVICA_OIDC_CLAIMS": (
            "national_id=national_id,birth_date=birthdate,residence=residence,status=status"
        ),
        "CIVICA_OIDC_NAME": "Test eID",
    }
    with running_provider(folder / "provider.log", (callback,)) as provider:
        env["CIVICA_OIDC_ISSUER"] = provider.issuer
        with serving(oidc_database_url, folder, port, **env) as running:
            yield OidcServer(running, provider.issuer)


@pytest.fixture(scope="session")
async def playwright() -> AsyncIterator[Playwright]:
    require_chromium()
    async with async_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
async def browser(playwright: Playwright) -> AsyncIterator[Browser]:
    chromium = require_chromium()
    browser = await playwright.chromium.launch(
        executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS
    )
    auditor = Auditor(browser, axe_source())
    use_auditor(auditor)
    try:
        yield browser
    finally:
        use_auditor(None)
        await auditor.close()
        await browser.close()


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Each journey runs with JavaScript enabled and disabled."""
    enabled: bool = request.param
    return enabled


@pytest.fixture
def context_options(request: pytest.FixtureRequest) -> dict[str, object]:
    """Extra `new_context` options from `@pytest.mark.context(viewport=..., reduced_motion=...)`."""
    marker = request.node.get_closest_marker("context")
    return dict(marker.kwargs) if marker else {}


@pytest.fixture
async def context(
    browser: Browser, server: Server, javascript: bool, context_options: dict[str, object]
) -> AsyncIterator[BrowserContext]:
    options: dict[str, object] = {
        "base_url": server.url,
        "java_script_enabled": javascript,
        "locale": "en-GB",
        "viewport": {"width": 1280, "height": 900},
        **context_options,
    }
    context = await browser.new_context(**options)  # type: ignore[arg-type]
    if not javascript:
        mark_scriptless(context)
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        await context.close()


@pytest.fixture
async def page(context: BrowserContext) -> AsyncIterator[Page]:
    """A page whose CSP refusals, script errors and failed sub-resources fail the test."""
    page = await context.new_page()
    problems = PageProblems()
    problems.watch(page)
    yield page
    assert not problems.items, "the browser reported problems:\n" + "\n".join(problems.items)
