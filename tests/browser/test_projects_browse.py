"""Journey: browse a cycle (phase timeline, budgets) and its projects (search, a filter,
pagination, a project's page), with JavaScript on (htmx swaps the results) and off."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from ballots.model import BallotKind, BallotSpec
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.journeys import database
from tests.browser.support import javascript_enabled, screenshot
from tests.support.voting import PotSpec, make_voting_cycle

pytestmark = pytest.mark.browser

SLUG = "browse-2026"
NAME = "Test cycle browse-2026"
SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


@pytest.fixture(scope="module")
async def browse_cycle(server: Server) -> str:
    """A cycle in its voting phase: 22 projects in Lisboa and 4 in Norte (two pages of 20)."""
    async with database(server) as pool:
        voting = await make_voting_cycle(
            pool,
            [
                PotSpec("Lisboa", SINGLE, [10_000_00 + n * 1_000_00 for n in range(22)]),
                PotSpec("Norte", SINGLE, [5_000_00, 6_000_00, 7_000_00, 8_000_00]),
            ],
            slug=SLUG,
        )
        await pool.execute(
            "UPDATE projects SET title = 'Bicycle lanes by the river',"
            " description = 'Two kilometres of protected lanes.', location = 'Ribeira'"
            " WHERE id = $1",
            voting.projects["norte"][1],
        )
    return SLUG


async def test_browse_a_cycle_and_its_projects(page: Page, browse_cycle: str) -> None:
    response = await page.goto(f"/cycles/{browse_cycle}")
    assert response is not None
    assert response.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    await expect(page.get_by_text("Current phase: Voting")).to_be_visible()
    # The timeline: five phases in order, the running one marked as the current step.
    timeline = page.locator("ol.timeline > li")
    await expect(timeline).to_have_count(5)
    current = page.locator("ol.timeline > li[aria-current=step]")
    await expect(current).to_have_count(1)
    await expect(current).to_contain_text("Voting: from")
    await expect(current).to_contain_text("(current phase)")
    await expect(current).to_contain_text("Final list published")
    # The budgets, one row per scope, with the total above.
    budgets = page.get_by_role("table", name="Budget per scope")
    await expect(budgets.get_by_role("rowheader")).to_have_text(["Lisboa", "Norte"])
    await expect(budgets.get_by_role("row", name=re.compile("^Lisboa"))).to_contain_text(
        "€100,000.00"
    )
    await expect(page.get_by_text("Total: €200,000.00.")).to_be_visible()
    await expect(page.get_by_role("link", name="Vote now", exact=True)).to_be_visible()
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "cycle", full_page=False)

    # The project list: 26 projects, 20 to a page.
    await page.get_by_role("link", name="Projects", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    results = page.locator("#results")
    await expect(results.get_by_role("status")).to_have_text("26 projects found")
    await expect(results.get_by_role("heading", level=2)).to_have_count(20)
    pages = page.get_by_role("navigation", name="Pages")
    await expect(pages).to_contain_text("Page 1 of 2")
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "projects", full_page=False)

    await pages.get_by_role("link", name="Next page").click()
    await expect(pages).to_contain_text("Page 2 of 2")
    await expect(results.get_by_role("heading", level=2)).to_have_count(6)
    await expect(page).to_have_url(re.compile(r"page=2"))
    await expect(pages.get_by_role("link", name="Previous page")).to_be_visible()
    await assert_accessible(page)

    # A filter: only Norte's projects (htmx swaps the results in; without JS the form is sent).
    await page.get_by_label("Scope").select_option(label="Norte")
    await page.get_by_role("button", name="Search").click()
    await expect(results.get_by_role("status")).to_have_text("4 projects found")
    await expect(page).to_have_url(re.compile(r"scope=\d+"))
    await expect(pages).to_have_count(0)
    await assert_accessible(page)

    # The search, within the filter.
    await page.get_by_role("searchbox", name="Search titles and descriptions").fill("river")
    await page.get_by_role("button", name="Search").click()
    await expect(results.get_by_role("status")).to_have_text("1 project found")
    await expect(page).to_have_url(re.compile(r"q=river"))
    await assert_accessible(page)

    # A project's page.
    await results.get_by_role("link", name="Bicycle lanes by the river").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Bicycle lanes by the river")
    facts = page.locator("dl.facts")
    await expect(facts).to_contain_text("Norte")
    await expect(facts).to_contain_text("Ribeira")
    await expect(facts).to_contain_text("€6,000.00")
    await expect(page.get_by_text("Two kilometres of protected lanes.")).to_be_visible()
    await assert_accessible(page)
    await page.get_by_role("link", name=f"Projects of {NAME}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Projects")
    await assert_accessible(page)


@pytest.fixture(scope="module")
async def portuguese_cycle(server: Server) -> str:
    """A cycle whose texts the municipality wrote in Portuguese (its content language)."""
    async with database(server) as pool:
        voting = await make_voting_cycle(
            pool, [PotSpec("Norte", SINGLE, [5_000_00, 6_000_00])], slug="lingua-2026"
        )
        await pool.execute(
            "UPDATE cycles SET content_language = 'pt-PT', name = 'Orçamento Participativo 2026'"
            " WHERE slug = 'lingua-2026'"
        )
        await pool.execute(
            "UPDATE projects SET title = 'Ciclovia junto ao rio',"
            " description = 'Dois quilómetros de ciclovia protegida.' WHERE id = $1",
            voting.projects["norte"][0],
        )
    return "lingua-2026"


async def test_portuguese_texts_on_an_english_page_carry_their_language(
    page: Page, portuguese_cycle: str
) -> None:
    await page.goto(f"/cycles/{portuguese_cycle}/projects")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    title = page.get_by_role("link", name="Ciclovia junto ao rio")
    await expect(title.locator("span")).to_have_attribute("lang", "pt-PT")
    back = page.get_by_role("link", name="Orçamento Participativo 2026")
    await expect(back.locator("span")).to_have_attribute("lang", "pt-PT")
    await expect(page.get_by_role("option", name="Norte")).to_have_attribute("lang", "pt-PT")
    await assert_accessible(page)  # axe's valid-lang rule checks every lang attribute
    await title.click()
    heading = page.get_by_role("heading", level=1)
    await expect(heading).to_have_text("Ciclovia junto ao rio")
    await expect(heading.locator("span")).to_have_attribute("lang", "pt-PT")
    description = page.get_by_text("Dois quilómetros de ciclovia protegida.")
    await expect(description).to_have_attribute("lang", "pt-PT")
    await assert_accessible(page)

    # The same page in Portuguese: the texts are in the page's language, so nothing is marked.
    await page.get_by_role("button", name="Português").click()
    await expect(page.locator("html")).to_have_attribute("lang", "pt-PT")
    await expect(heading).to_have_text("Ciclovia junto ao rio")
    await expect(heading.locator("[lang]")).to_have_count(0)
    await assert_accessible(page)
