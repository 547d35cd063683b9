"""A closed cycle's results in a real browser: no CSP refusal (the charts have no inline style),
axe-core finds nothing, the charts read as images with their summaries, and the page reflows at
320 CSS px and prints; with JavaScript on and off."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.support import evaluate, javascript_enabled, screenshot
from tests.support.process import civica_env, run_civica
from tests.unit.ballots.shared_files import needs_files, path

pytestmark = [pytest.mark.browser, needs_files]

SLUG = "assen-browser"
NO_HORIZONTAL_SCROLL = (
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)


@pytest.fixture(scope="session")
def results_path(server: Server) -> str:
    """Assen 2024 imported, replayed and closed by the CLI into the browser tests' server."""
    env = civica_env(server.data_dir, DATABASE_URL=server.database_url)
    done = run_civica(
        ["import-pb", str(path("Netherlands_Assen_2024")), "--slug", SLUG, "--replay", "--close"],
        env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return f"/cycles/{SLUG}/results/main"


async def test_the_results_page(page: Page, results_path: str) -> None:
    response = await page.goto(results_path)
    assert response is not None
    assert response.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Results: Assen")
    votes = page.get_by_role("img", name="Votes per project")
    await expect(votes).to_be_visible()
    description = await evaluate(page, "document.querySelector('svg.chart-svg desc').textContent")
    assert "Most votes: PopUp Podium, with 43" in description
    await expect(page.get_by_role("img", name="How the budget was allocated")).to_be_visible()
    await expect(
        page.get_by_role("table", name="Votes per project, most voted first")
    ).to_be_visible()
    winners = page.locator("ol.winners li")
    await expect(winners).to_have_count(9)
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "results-assen")


@pytest.mark.context(viewport={"width": 320, "height": 640})
async def test_the_results_page_reflows_at_320_css_pixels(page: Page, results_path: str) -> None:
    await page.goto(results_path)
    assert await evaluate(page, NO_HORIZONTAL_SCROLL)
    width = await evaluate(
        page, "document.querySelector('svg.chart-svg').getBoundingClientRect().width"
    )
    assert 250 <= width <= 320
    label = await evaluate(
        page,
        "parseFloat(getComputedStyle(document.querySelector('svg .chart-label')).fontSize)"
        " * document.querySelector('svg.chart-svg').getBoundingClientRect().width / 360",
    )
    assert label >= 11.5, "chart text stays readable when the chart shrinks"
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "results-assen-320px")


async def test_the_results_page_prints(page: Page, results_path: str) -> None:
    await page.goto(results_path)
    await page.emulate_media(media="print")
    fill = await evaluate(
        page,
        "getComputedStyle(document.querySelector('.chart-bar--selected')).fill",
    )
    assert fill == "rgb(0, 0, 0)"
    assert await evaluate(page, "getComputedStyle(document.querySelector('form')).display") == (
        "none"
    )
    assert await evaluate(page, NO_HORIZONTAL_SCROLL)


async def test_the_results_journey_from_the_cycle_page(page: Page, results_path: str) -> None:
    """From the cycle to a scope's results: each chart is an image whose name and description
    say what it shows, and the table beside it holds the same figures, JS on and off."""
    await page.goto(f"/cycles/{SLUG}")
    await assert_accessible(page)
    await page.get_by_role("link", name="Results", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Results: "))
    scopes = page.get_by_role("table", name="Results per scope")
    await expect(scopes.get_by_role("rowheader")).to_have_count(1)
    await expect(scopes.get_by_role("row").nth(1)).to_contain_text("9")  # winners
    await assert_accessible(page)
    await scopes.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile(re.escape(results_path) + "$"))

    # The votes chart: its text alternative is the title and a summary of the figures.
    votes = page.get_by_role("img", name=re.compile(r"^Votes per project"))
    await expect(votes).to_have_accessible_name(
        re.compile(
            r"^Votes per project 14 projects, the most supported first\. "
            r"Most votes: PopUp Podium, with 43\..* The table below gives the same figures\."
        )
    )
    caption = page.locator("figure.chart figcaption").first
    await expect(caption).to_contain_text("Votes per project")
    # The table beside it: one row per bar, the same figures in the same order.
    table = page.get_by_role("table", name="Votes per project, most voted first")
    rows = table.locator("tbody tr")
    bars = await evaluate(
        page,
        "[...document.querySelectorAll('svg.chart-svg')[0].querySelectorAll('.chart-value')]"
        ".map(t => t.textContent.trim())",
    )
    await expect(rows).to_have_count(len(bars))
    assert await rows.locator("td:nth-child(4)").all_inner_texts() == bars
    await expect(rows.first.get_by_role("rowheader")).to_have_text("PopUp Podium")
    await expect(rows.first).to_contain_text("Yes, selected")
    # A wide table scrolls inside a region the keyboard can reach.
    region = page.get_by_role("region", name="Votes per project, most voted first")
    await expect(region).to_have_attribute("tabindex", "0")

    budget = page.get_by_role("img", name=re.compile(r"^How the budget was allocated"))
    await expect(budget).to_be_visible()
    await expect(
        page.get_by_role("table", name=re.compile(r"^Winners' costs against the budget"))
    ).to_be_visible()
    await assert_accessible(page)
