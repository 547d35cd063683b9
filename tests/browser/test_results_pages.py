"""A closed cycle's results in a real browser: no CSP refusal (the charts have no inline style),
axe-core finds nothing, the charts read as images with their summaries, and the page reflows at
320 CSS px and prints; with JavaScript on and off."""

from __future__ import annotations

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
