"""Timeouts announced and extendable (WCAG 2.2.1), with JavaScript on and off."""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
from datetime import date

import pytest
from playwright.async_api import BrowserContext, Page, expect

from service import repository
from service.citizens import CITIZEN_KEY
from service.database import create_pool
from service.i18n import LANGUAGE_COOKIE
from service.keys import load_or_create_keys
from service.sessions import IDLE_TIMEOUT_S, SESSION_COOKIE
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.support import evaluate, javascript_enabled, screenshot
from verification.identity.model import VerifiedIdentity, citizen_session_for

pytestmark = pytest.mark.browser

IDENTITY = VerifiedIdentity("census", "12345678", date(1990, 5, 17), "Lisboa", "citizen")
SECONDS_LEFT = "Number(document.getElementById('session-notice').dataset.secondsLeft)"


async def sign_in(context: BrowserContext, server: Server, lifetime_s: int) -> None:
    """A citizen session made the way `sign_in_citizen` makes it, ending in `lifetime_s`."""
    pepper = load_or_create_keys(server.data_dir).identifier_pepper
    citizen = citizen_session_for(pepper, IDENTITY)
    token = secrets.token_urlsafe(32)
    pool = await create_pool(server.database_url, min_size=1, max_size=1)
    try:
        await repository.insert_session(
            pool,
            hashlib.sha256(token.encode()).digest(),
            None,
            {CITIZEN_KEY: citizen.to_dict()},
            lifetime_s,
        )
    finally:
        await pool.close()
    await context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": server.url}])


async def test_a_signed_in_citizen_is_told_when_the_session_ends(
    page: Page, context: BrowserContext, server: Server
) -> None:
    await sign_in(context, server, IDLE_TIMEOUT_S)
    await page.goto("/")
    notice = page.locator("#session-notice")
    await expect(notice).to_contain_text(
        re.compile(r"you will be signed out at \d{1,2}:\d\d\s[AP]M if you do nothing")
    )
    await expect(notice.get_by_role("button", name="Stay signed in")).to_be_visible()
    await expect(notice.get_by_role("status")).to_be_empty()  # no warning yet: 30 minutes left
    await assert_accessible(page)


async def test_the_warning_comes_two_minutes_before_and_the_session_can_be_extended(
    page: Page, context: BrowserContext, server: Server
) -> None:
    await sign_in(context, server, 100)
    await page.goto("/?keep=1")
    assert await evaluate(page, SECONDS_LEFT) <= 100
    status = page.locator("#session-notice").get_by_role("status")
    if javascript_enabled(page):
        await expect(status).to_contain_text("You will be signed out in less than 2 minutes")
        await assert_accessible(page)
        await screenshot(page, "session-warning", full_page=False)
    else:
        await expect(status).to_be_empty()
    await page.get_by_role("button", name="Stay signed in").click()
    if javascript_enabled(page):
        await expect(status).to_contain_text(re.compile(r"You will stay signed in until \d"))
    await expect(page).to_have_url(re.compile(r"/\?keep=1$"))
    await expect(page.locator("#session-notice")).to_be_visible()
    assert await evaluate(page, SECONDS_LEFT) >= IDLE_TIMEOUT_S - 10
    await assert_accessible(page)


async def test_the_end_of_a_session_is_announced(
    page: Page, context: BrowserContext, server: Server
) -> None:
    await sign_in(context, server, 3)
    await page.goto("/")
    if javascript_enabled(page):
        status = page.locator("#session-notice").get_by_role("status")
        await expect(status).to_contain_text("You have been signed out", timeout=10_000)
        await expect(page.get_by_role("button", name="Stay signed in")).to_be_hidden()
        await assert_accessible(page)
    else:
        await asyncio.sleep(3.5)
    await page.reload()
    await expect(page.locator("#session-notice")).to_have_count(0)


@pytest.mark.context(viewport={"width": 320, "height": 640})
async def test_the_notice_reflows_at_320_css_pixels_in_portuguese(
    page: Page, context: BrowserContext, server: Server
) -> None:
    await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": "pt-PT", "url": server.url}])
    await sign_in(context, server, 100)
    await page.goto("/")
    await expect(page.get_by_role("button", name="Manter a sessão iniciada")).to_be_visible()
    if javascript_enabled(page):
        await expect(page.get_by_role("status")).to_contain_text("A sua sessão termina")
    assert await evaluate(
        page, "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    await assert_accessible(page)
