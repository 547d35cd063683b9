"""Journeys: vote in each ballot type (single choice, k-approval, knapsack, cumulative) and in
the OPP two-scope vote (national + one region); review, then cast; an invalid selection shows
the error next to the form. The single-choice journey goes on to the receipt: read it,
download receipt.json, and check it on the receipt-check page. JavaScript on and off."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page, expect

from ballots.model import BallotKind, BallotSpec
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.journeys import database, mode, sign_in_for_tests, wait_for_checkpoint
from tests.browser.support import evaluate, javascript_enabled, screenshot
from tests.browser.test_layout import NO_HORIZONTAL_SCROLL, assert_receipt_prints_alone
from tests.support.voting import PotSpec, make_voting_cycle

pytestmark = pytest.mark.browser

BALLOTS = "ballots-2026"
OPP = "opp-vote-2026"
SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


@pytest.fixture(scope="module")
async def ballots_cycle(server: Server) -> str:
    """One cycle, four votes (vote groups), one of each ballot type."""
    async with database(server) as pool:
        await make_voting_cycle(
            pool,
            [
                PotSpec("Single", SINGLE, [30_000_00, 20_000_00, 10_000_00], group="single"),
                PotSpec(
                    "Approval",
                    BallotSpec(BallotKind.K_APPROVAL, max_choices=2),
                    [10_000_00, 20_000_00, 30_000_00],
                    group="approval",
                ),
                PotSpec(
                    "Knapsack",
                    BallotSpec(BallotKind.KNAPSACK),
                    [60_000_00, 30_000_00, 20_000_00],
                    group="knapsack",
                ),
                PotSpec(
                    "Points",
                    BallotSpec(BallotKind.CUMULATIVE, points=5, max_points_per_project=3),
                    [10_000_00, 20_000_00, 30_000_00],
                    group="points",
                ),
            ],
            slug=BALLOTS,
        )
    return BALLOTS


@pytest.fixture(scope="module")
async def opp_cycle(server: Server) -> str:
    """OPP's shape: a national vote, and a regional vote in any one of two regions."""
    async with database(server) as pool:
        await make_voting_cycle(
            pool,
            [
                PotSpec("National", SINGLE, [100_000_00, 200_000_00], group="national"),
                PotSpec("Norte", SINGLE, [10_000_00, 20_000_00], group="regional", region="norte"),
                PotSpec(
                    "Algarve", SINGLE, [30_000_00, 40_000_00], group="regional", region="algarve"
                ),
            ],
            slug=OPP,
        )
    return OPP


async def open_ballot(page: Page, slug: str, scope: str, voter: str) -> None:
    """Sign in, then from the cycle's votes page follow the link to one ballot."""
    await sign_in_for_tests(page, f"{voter}-{mode(page)}", f"/cycles/{slug}/vote")
    await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("^Vote in "))
    await assert_accessible(page)
    await page.get_by_role("link", name=f"Vote in {scope}").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Ballot: {scope}")
    await assert_accessible(page)


async def review_then_cast(page: Page, chosen: list[str], screenshots: bool = False) -> None:
    """On the review page: the choices listed, nothing cast yet; then cast."""
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your ballot")
    table = page.get_by_role("table", name="Your choices")
    await expect(table.locator("tbody tr td:first-child")).to_have_text(chosen)
    await expect(page.get_by_text("It is not cast yet.")).to_be_visible()
    await assert_accessible(page)
    if screenshots and javascript_enabled(page):
        await screenshot(page, "review", full_page=False)
    await page.get_by_role("button", name="Cast my ballot").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your ballot is cast")
    await expect(page.get_by_role("region", name="Your receipt")).to_be_visible()
    await assert_accessible(page)


async def assert_ballot_error(page: Page, message: str, field: str) -> None:
    """The GOV.UK error pattern on a refused ballot: summary first, linked to the field; the
    same message inside the fieldset, which it describes."""
    await expect(page).to_have_title(re.compile(r"^Error: Ballot: "))
    summary = page.get_by_role("alert")
    link = summary.get_by_role("link")
    await expect(link).to_have_text(re.compile(re.escape(message)))
    assert await link.get_attribute("href") == f"#{field}"
    group = page.get_by_role("group").filter(has=page.locator(f"#{field}"))
    await expect(group).to_have_accessible_description(re.compile(re.escape(message)))
    if javascript_enabled(page):
        # civica.js moves focus once the page has loaded: wait for it rather than race it
        await expect(page.locator("#error-summary")).to_be_focused()
    await assert_accessible(page)
    await link.click()
    assert await evaluate(page, "document.activeElement.id") == field


async def test_single_choice_vote_then_keep_and_check_the_receipt(
    page: Page, server: Server, ballots_cycle: str, tmp_path: Path
) -> None:
    await page.goto(f"/cycles/{ballots_cycle}/vote")
    await expect(page.get_by_role("link", name="Sign in to vote")).to_be_visible()
    await assert_accessible(page)
    await open_ballot(page, ballots_cycle, "Single", "single")
    projects = page.get_by_role("group", name="Projects")
    await expect(projects.get_by_role("radio")).to_have_count(3)
    await expect(
        projects.get_by_role("radio", name="Single project 2")
    ).to_have_accessible_description(re.compile(r"€20,000\.00"))
    if javascript_enabled(page):
        await screenshot(page, "ballot", full_page=False)
    await projects.get_by_role("radio", name="Single project 2").check()
    await page.get_by_role("button", name="Review my choices").click()
    await review_then_cast(page, ["Single project 2"], screenshots=True)

    # The receipt: a short code, its place on the board, the QR code as an image.
    receipt = page.get_by_role("region", name="Your receipt")
    short_code = (await receipt.locator("code.receipt-code").inner_text()).strip()
    assert short_code
    await expect(receipt.get_by_role("img", name="Your receipt as a QR code")).to_be_visible()
    shown: dict[str, Any] = json.loads(
        await page.locator("input[name=receipt]").get_attribute("value") or "{}"
    )
    await expect(receipt).to_contain_text(f"Entry {shown['index']}")
    await expect(receipt).to_contain_text(shown["leaf_hash"])
    # The time it will be on the board, for people (in the page's language), and for machines.
    on_board_by = receipt.locator("time")
    await expect(on_board_by).to_have_attribute("datetime", shown["include_by"])
    await expect(on_board_by).not_to_have_text(re.compile(r"\d{4}-\d\d-\d\dT"))
    await expect(on_board_by).to_have_text(re.compile(r"\b20\d\d\b.*\d:\d\d"))
    if javascript_enabled(page):
        await screenshot(page, "receipt", full_page=False)

    # Download receipt.json: the same signed receipt.
    async with page.expect_download() as downloading:
        await page.get_by_role("button", name="Download my receipt (JSON file)").click()
    download = await downloading.value
    assert download.suggested_filename == f"civica-receipt-{short_code}.json"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    assert json.loads(saved.read_text()) == shown
    assert "selections" not in saved.read_text()

    # Check it on the receipt-check page: a tampered one is refused, the real file is found.
    await page.get_by_role("link", name="Check a receipt against the public board").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
    await assert_accessible(page)
    await wait_for_checkpoint(server, ballots_cycle, shown["index"] + 1)
    tampered = dict(shown, leaf_hash="00" * 32)
    await page.get_by_role("textbox", name="Receipt text").fill(json.dumps(tampered))
    await page.get_by_role("button", name="Check my receipt").click()
    result = page.get_by_role("region", name=re.compile("receipt|ballot"))
    await expect(result.get_by_role("heading", level=2)).to_have_text(
        "This receipt does not check out"
    )
    await assert_accessible(page)
    await page.get_by_label("Or the receipt file").set_input_files(saved)
    await page.get_by_role("button", name="Check my receipt").click()
    await expect(result.get_by_role("heading", level=2)).to_have_text("Your ballot is on the board")
    await expect(result).to_contain_text(short_code)
    await assert_accessible(page)
    if javascript_enabled(page):
        await screenshot(page, "receipt-check", full_page=False)


async def test_k_approval_vote_with_too_many_choices_first(page: Page, ballots_cycle: str) -> None:
    await open_ballot(page, ballots_cycle, "Approval", "approval")
    await expect(page.get_by_text("Choose up to 2 projects.")).to_be_visible()
    projects = page.get_by_role("group", name="Projects")
    for n in (1, 2, 3):
        await projects.get_by_role("checkbox", name=f"Approval project {n}").check()
    await page.get_by_role("button", name="Review my choices").click()
    await assert_ballot_error(page, "Choose at most 2 projects", "project")
    # The choices are kept; untick one and go on.
    await expect(projects.get_by_role("checkbox", checked=True)).to_have_count(3)
    await projects.get_by_role("checkbox", name="Approval project 2").uncheck()
    await page.get_by_role("button", name="Review my choices").click()
    await review_then_cast(page, ["Approval project 1", "Approval project 3"])


async def test_knapsack_vote_with_the_running_total(page: Page, ballots_cycle: str) -> None:
    await open_ballot(page, ballots_cycle, "Knapsack", "knapsack")
    projects = page.get_by_role("group", name="Projects")
    total = page.locator("#running-total")
    await projects.get_by_role("checkbox", name="Knapsack project 1").check()
    await projects.get_by_role("checkbox", name="Knapsack project 2").check()
    if javascript_enabled(page):
        # htmx asks the server for the cost so far after each change.
        await expect(total).to_contain_text("Cost of the projects you chose: €90,000.00.")
        await expect(total).to_contain_text("Left in the budget: €10,000.00.")
        await screenshot(page, "ballot-knapsack", full_page=False)
        await projects.get_by_role("checkbox", name="Knapsack project 3").check()
        await expect(total).to_contain_text("Over the budget by €10,000.00.")
        await assert_accessible(page)
    else:
        # Without JavaScript nothing updates in place: the page says the review shows it.
        await expect(total).to_be_hidden()
        await expect(page.get_by_text("the total cost of your choices")).to_be_visible()
        await projects.get_by_role("checkbox", name="Knapsack project 3").check()
    await page.get_by_role("button", name="Review my choices").click()
    await assert_ballot_error(page, "more than the budget", "project")
    await projects.get_by_role("checkbox", name="Knapsack project 3").uncheck()
    if javascript_enabled(page):
        await expect(total).to_contain_text("Left in the budget: €10,000.00.")
    await page.get_by_role("button", name="Review my choices").click()
    await expect(page.get_by_text("Total cost: €90,000.00 of €100,000.00.")).to_be_visible()
    await review_then_cast(page, ["Knapsack project 1", "Knapsack project 2"])


async def test_cumulative_vote_with_too_many_points_first(page: Page, ballots_cycle: str) -> None:
    await open_ballot(page, ballots_cycle, "Points", "points")
    group = page.get_by_role("group", name="Points for each project")
    await group.get_by_role("spinbutton", name="Points project 1").fill("3")
    await group.get_by_role("spinbutton", name="Points project 2").fill("3")
    await page.get_by_role("button", name="Review my choices").click()
    first = await page.locator("input.input-points").first.get_attribute("id")
    assert first is not None
    await assert_ballot_error(page, "You have 5 points to give; you gave 6.", first)
    await expect(group.get_by_role("spinbutton", name="Points project 2")).to_have_value("3")
    await group.get_by_role("spinbutton", name="Points project 2").fill("1")
    await group.get_by_role("spinbutton", name="Points project 3").fill("1")
    await page.get_by_role("button", name="Review my choices").click()
    await expect(page.get_by_text("Points given: 5 of 5.")).to_be_visible()
    await review_then_cast(page, ["Points project 1", "Points project 2", "Points project 3"])


async def test_the_opp_two_scope_vote(page: Page, opp_cycle: str) -> None:
    await open_ballot(page, opp_cycle, "National", "opp")
    await page.get_by_role("radio", name="National project 1").check()
    await page.get_by_role("button", name="Review my choices").click()
    await review_then_cast(page, ["National project 1"])
    await page.get_by_role("link", name=re.compile("^Back to the votes of")).click()

    # The regional vote: any one region, whatever the residence.
    regional = page.get_by_role("region", name="Choose one of 2 pots")
    await expect(regional.get_by_role("link")).to_have_text(["Vote in Norte", "Vote in Algarve"])
    national = page.get_by_role("region", name="National")
    await expect(national).to_contain_text("You have voted in this vote.")
    await expect(national.get_by_role("link")).to_have_count(0)
    await assert_accessible(page)
    await regional.get_by_role("link", name="Vote in Algarve").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ballot: Algarve")
    await assert_accessible(page)
    await page.get_by_role("radio", name="Algarve project 2").check()
    await page.get_by_role("button", name="Review my choices").click()
    await review_then_cast(page, ["Algarve project 2"])
    await page.get_by_role("link", name=re.compile("^Back to the votes of")).click()
    await expect(page.get_by_text("You have voted in this vote.")).to_have_count(2)
    await expect(
        page.get_by_role("main").get_by_role("link", name=re.compile("^Vote in"))
    ).to_have_count(0)
    await assert_accessible(page)


@pytest.mark.context(viewport={"width": 320, "height": 640})
async def test_a_vote_at_320_css_pixels_and_the_real_receipt_prints(
    page: Page, ballots_cycle: str
) -> None:
    """400% zoom (320 CSS px): the ballot, the review and the receipt never scroll sideways;
    the receipt the service issued prints on its own."""
    await open_ballot(page, ballots_cycle, "Approval", "narrow")
    assert await evaluate(page, NO_HORIZONTAL_SCROLL), "the ballot scrolls sideways at 320 px"
    await page.get_by_role("group", name="Projects").get_by_role("checkbox").first.check()
    await page.get_by_role("button", name="Review my choices").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your ballot")
    assert await evaluate(page, NO_HORIZONTAL_SCROLL), "the review scrolls sideways at 320 px"
    await page.get_by_role("button", name="Cast my ballot").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your ballot is cast")
    assert await evaluate(page, NO_HORIZONTAL_SCROLL), "the receipt scrolls sideways at 320 px"
    await assert_accessible(page)
    await assert_receipt_prints_alone(page, "receipt-print-real")
