"""Journey: vote with the keyboard only (Tab, Shift+Tab, Enter, Space, and the arrow keys inside
a radio group), from the cycle's votes to the receipt. At every stop the focus is visible and
the stops follow the order of the page; JavaScript on and off."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.async_api import Page, expect

from ballots.model import BallotKind, BallotSpec
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.journeys import database, mode, sign_in_for_tests
from tests.browser.support import evaluate
from tests.browser.test_keyboard import FOCUSED, assert_focus_visible
from tests.support.voting import PotSpec, make_voting_cycle

pytestmark = pytest.mark.browser

SLUG = "keyboard-2026"


@pytest.fixture(scope="module")
async def keyboard_cycle(server: Server) -> str:
    async with database(server) as pool:
        await make_voting_cycle(
            pool,
            [
                PotSpec(
                    "City", BallotSpec(BallotKind.SINGLE_CHOICE), [30_000_00, 20_000_00, 10_000_00]
                )
            ],
            slug=SLUG,
        )
    return SLUG


async def tab_until(
    page: Page, wanted: Callable[[dict[str, Any]], bool], limit: int = 60
) -> list[dict[str, Any]]:
    """Press Tab until the focused element is `wanted`; every stop on the way must show its
    focus and come later in the page than the one before. The stops, the last one wanted."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await evaluate(page, FOCUSED)
        assert focused is not None, f"focus left the page after {[s['text'] for s in stops]}"
        assert_focus_visible(focused)
        if stops:
            assert focused["index"] > stops[-1]["index"], (
                f"Tab went back up the page: from {stops[-1]} to {focused}"
            )
        stops.append(focused)
        if wanted(focused):
            return stops
    raise AssertionError(f"Tab never reached it; stops: {[s['text'] for s in stops]}")


def text_is(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda focused: focused["text"] == text


async def test_vote_with_the_keyboard_only(page: Page, keyboard_cycle: str) -> None:
    await sign_in_for_tests(page, f"keyboard-{mode(page)}", f"/cycles/{keyboard_cycle}/vote")
    await assert_accessible(page)

    # The votes page: the skip link first, then on to the ballot's link; Enter follows it.
    stops = await tab_until(page, text_is("Vote in City"))
    assert stops[0]["text"] == "Skip to main content"
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Ballot: City")
    await assert_accessible(page)

    # The radio group takes one Tab stop; the arrow keys choose within it.
    await tab_until(page, lambda focused: focused["id"] == "project")
    await page.keyboard.press("ArrowDown")
    second = page.get_by_role("radio", name="City project 2")
    await expect(second).to_be_checked()
    await expect(second).to_be_focused()
    assert_focus_visible(await evaluate(page, FOCUSED))
    stops = await tab_until(page, text_is("Review my choices"))
    assert all(stop["tag"] != "input" for stop in stops), "Tab left the group in one stop"
    # Shift+Tab goes back the same way.
    await page.keyboard.press("Shift+Tab")
    back = await evaluate(page, FOCUSED)
    assert_focus_visible(back)
    assert back["index"] == stops[-2]["index"]
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")

    # The review page: Space presses "Cast my ballot".
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your ballot")
    await expect(page.get_by_role("table", name="Your choices")).to_contain_text("City project 2")
    await assert_accessible(page)
    await tab_until(page, text_is("Cast my ballot"))
    await page.keyboard.press("Space")

    # The receipt: every control is reachable, in order, with its focus visible.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your ballot is cast")
    await assert_accessible(page)
    stops = await tab_until(page, text_is("Check a receipt against the public board"))
    assert any(stop["text"] == "Download my receipt (JSON file)" for stop in stops)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check a receipt")
    await assert_accessible(page)
