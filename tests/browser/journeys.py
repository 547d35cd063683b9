"""Shared steps of the browser journeys: data put in the shared server's database through the
same helpers the web tests use, the CLI run against the server's data folder, and the
development sign-in filled in like a person would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import asyncpg
import httpx
from playwright.async_api import Page, expect

from service.database import create_pool
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.support import javascript_enabled
from tests.support.process import civica_env, run_civica


@asynccontextmanager
async def database(server: Server) -> AsyncIterator[asyncpg.Pool]:
    """A connection pool on the browser server's database, for setting up a journey."""
    pool = await create_pool(server.database_url, min_size=1, max_size=2)
    try:
        yield pool
    finally:
        await pool.close()


def civica(server: Server, *args: str) -> str:
    """Run the `civica` command against the server's database and data folder; its output."""
    env = civica_env(server.data_dir, DATABASE_URL=server.database_url)
    done = run_civica(list(args), env)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def mode(page: Page) -> str:
    """ "js" or "nojs": journeys that store something use it to keep their two runs apart."""
    return "js" if javascript_enabled(page) else "nojs"


async def sign_in_for_tests(
    page: Page, subject: str, then: str, *, residence: str = "norte", born: str = "1980-05-17"
) -> None:
    """The development sign-in (a test deployment's stand-in for a provider), as typed."""
    await page.goto(f"/dev/sign-in?next={quote(then, safe='/')}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Development sign-in")
    await assert_accessible(page)
    await page.get_by_role("textbox", name="Test identity").fill(subject)
    await page.get_by_label("Date of birth").fill(born)
    await page.get_by_role("textbox", name="Residence code").fill(residence)
    await page.get_by_role("radio", name="citizen", exact=True).check()
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: url.endswith(then))


async def wait_for_checkpoint(server: Server, slug: str, size: int) -> None:
    """Wait until the keeper has signed a checkpoint of at least `size` entries."""
    async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
        for _ in range(150):
            found = await client.get(f"/api/cycles/{slug}/board/checkpoints")
            if found.status_code == 200 and any(c["size"] >= size for c in found.json()):
                return
            await asyncio.sleep(0.2)
    raise AssertionError(f"no checkpoint of {size} entries was signed for {slug}")
