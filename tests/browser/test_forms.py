"""The form macros in a real browser: GOV.UK error summary, labels, hints and fieldsets."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.support import evaluate, javascript_enabled
from tests.browser.test_layout import open_sample

pytestmark = pytest.mark.browser

ERRORS = {
    "title": "Enter a title",
    "cost": "Enter the cost in euros, like 1 234,56",
    "area": "Choose a thematic area",
    "scope": "Choose where the project is",
}


async def test_a_form_with_errors(page: Page, server: Server) -> None:
    await open_sample(page, server, "form_sample.html", errors=ERRORS)
    await expect(page).to_have_title("Error: Submit a proposal · civica")
    summary = page.get_by_role("alert")
    await expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    await expect(summary.get_by_role("link")).to_have_text(list(ERRORS.values()))
    # First in main, before the heading.
    first = await evaluate(page, "document.querySelector('main').firstElementChild.id")
    assert first == "error-summary"
    if javascript_enabled(page):
        await expect(page.locator("#error-summary")).to_be_focused()  # civica.js, after load
    await assert_accessible(page)

    # Each field is reachable by its label, with its hint and error as its description.
    title = page.get_by_role("textbox", name="Title")
    await expect(title).to_have_accessible_description(
        "At most 120 characters Error: Enter a title"
    )
    await expect(title).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("group", name="Where is the project?")).to_be_visible()
    await expect(page.get_by_role("group", name="Who is it for?")).to_be_visible()
    await expect(page.get_by_role("radio", name="Norte")).to_have_accessible_description(
        "Porto, Braga and the north"
    )

    # A link in the summary takes focus to its field.
    await summary.get_by_role("link", name="Choose where the project is").click()
    assert await evaluate(page, "document.activeElement.id") == "scope"
    await summary.get_by_role("link", name="Enter the cost in euros, like 1 234,56").click()
    assert await evaluate(page, "document.activeElement.id") == "cost"
