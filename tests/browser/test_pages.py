"""Journeys through the pages that exist now, each with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.support import evaluate, javascript_enabled, screenshot

pytestmark = pytest.mark.browser


async def test_home_page(page: Page) -> None:
    response = await page.goto("/")
    assert response is not None
    assert response.status == 200
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    await expect(page).to_have_title("Participatory budget · civica")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Participatory budget")
    await expect(page.get_by_role("main")).to_be_visible()
    await expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert await evaluate(page, "document.querySelectorAll('h1').length") == 1
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "home-en")


async def test_a_missing_page_explains_and_leads_home(page: Page) -> None:
    response = await page.goto("/no/such/page")
    assert response is not None
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await expect(page.get_by_text("Check the address")).to_be_visible()
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "not-found")
    await page.get_by_role("link", name="Go to the home page").click()
    await expect(page).to_have_url(re.compile(r"/$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Participatory budget")


async def test_switching_to_portuguese_and_back(page: Page) -> None:
    await page.goto("/no/such/page?from=journey")
    switch = page.get_by_role("navigation", name="Language").get_by_role("button")
    await expect(switch).to_have_text("Português")
    await expect(switch).to_have_attribute("lang", "pt-PT")
    await switch.click()

    # Back on the same page, now in European Portuguese, and the choice sticks.
    await expect(page).to_have_url(re.compile(r"/no/such/page\?from=journey$"))
    await expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Página não encontrada")
    await assert_accessible(page)
    await page.get_by_role("link", name="Ir para a página inicial").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Orçamento Participativo")
    await expect(page).to_have_title("Orçamento Participativo · civica")
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "home-pt-PT")

    english = page.get_by_role("navigation", name="Idioma").get_by_role("button")
    await expect(english).to_have_text("English")
    await expect(english).to_have_attribute("lang", "en")
    await english.click()
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Participatory budget")
    await expect(page).to_have_url(re.compile(r"/$"))
