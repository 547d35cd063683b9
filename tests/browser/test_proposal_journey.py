"""Journey: a citizen submits a proposal. A first attempt with mistakes shows the error summary
(linked to each field, the fields marked and described by their errors), then it succeeds."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from proposals.phases import Phase
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.journeys import database, mode, sign_in_for_tests
from tests.browser.support import evaluate, javascript_enabled
from tests.support.proposals import make_cycle

pytestmark = pytest.mark.browser

SLUG = "propose-2026"


@pytest.fixture(scope="module")
async def proposal_cycle(server: Server) -> str:
    """A cycle in its proposal phase: scopes National and Norte, areas Culture, Environment."""
    async with database(server) as pool:
        await make_cycle(pool, SLUG, Phase.PROPOSALS)
    return SLUG


async def test_submit_a_proposal(page: Page, proposal_cycle: str) -> None:
    await page.goto(f"/cycles/{proposal_cycle}")
    await expect(page.get_by_text("Current phase: Proposals")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("link", name="Submit a proposal").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Submit a proposal")
    await expect(
        page.get_by_text("You need to prove who you are before you propose")
    ).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("main").get_by_role("link", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await expect(page.get_by_role("link", name="development sign-in")).to_be_visible()
    await assert_accessible(page)

    form_path = f"/cycles/{proposal_cycle}/proposals/new"
    await sign_in_for_tests(page, f"proposer-{mode(page)}", form_path)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Submit a proposal")
    await assert_accessible(page)

    # First attempt: no title, a description, no area, a cost that is not an amount.
    await page.get_by_role("textbox", name="Description").fill(
        "Twenty benches along the river walk, for older people who walk there every day."
    )
    await page.get_by_role("combobox", name="Scope").select_option(label="Norte")
    await page.get_by_role("textbox", name="Estimated cost, in euros").fill("lots")
    await page.get_by_role("button", name="Submit proposal").click()

    await expect(page).to_have_title("Error: Submit a proposal · civica")
    summary = page.get_by_role("alert")
    await expect(summary.get_by_role("heading", level=2)).to_have_text("There is a problem")
    links = summary.get_by_role("link")
    targets = [await link.get_attribute("href") for link in await links.all()]
    assert targets == ["#title", "#area", "#estimated_cost"], targets
    for target in targets:
        assert target is not None
        field = page.locator(target)
        await expect(field).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("textbox", name="Title")).to_have_accessible_description(
        re.compile(r"Error: .+")
    )
    # What was typed is kept.
    await expect(page.get_by_role("textbox", name="Description")).to_have_value(
        re.compile("^Twenty benches")
    )
    if javascript_enabled(page):
        await expect(page.locator("#error-summary")).to_be_focused()  # civica.js, after load
    await assert_accessible(page)

    # The summary's link takes focus to its field.
    await links.last.click()
    assert await evaluate(page, "document.activeElement.id") == "estimated_cost"

    # Corrected, it is submitted.
    await page.get_by_role("textbox", name="Title").fill("Benches by the river")
    await page.get_by_role("combobox", name="Thematic area").select_option(label="Culture")
    await page.get_by_role("textbox", name="Estimated cost, in euros").fill("25 000,50")
    await page.get_by_role("button", name="Submit proposal").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Benches by the river")
    await expect(page.get_by_role("main").get_by_role("status")).to_contain_text(
        "Your proposal is submitted"
    )
    await expect(page.get_by_text("€25,000.50")).to_be_visible()
    await assert_accessible(page)
