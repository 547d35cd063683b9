"""Keyboard only: the skip link comes first, every stop shows its focus, the order is the page's."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.async_api import Page

from tests.browser.accessibility import assert_accessible
from tests.browser.support import evaluate

pytestmark = pytest.mark.browser

# What the focused element looks like: enough to judge whether its focus is visible.
FOCUSED = """(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || '').trim().slice(0, 60),
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    boxShadow: style.boxShadow, width: box.width, height: box.height,
    top: box.top, bottom: box.bottom, left: box.left, right: box.right,
    viewportWidth: innerWidth, viewportHeight: innerHeight,
    index: [...document.querySelectorAll('*')].indexOf(el),
  };
})()"""

TABBABLE = """[...document.querySelectorAll(
  'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, textarea,'
  + ' [tabindex]:not([tabindex="-1"])'
)].filter(el => el.getClientRects().length > 0 || el.classList.contains('skip-link'))
 .map(el => [...document.querySelectorAll('*')].indexOf(el))"""


def assert_focus_visible(focused: dict[str, Any]) -> None:
    """A 2px+ outline or a box shadow, on an element inside the viewport (WCAG 2.4.7, 2.4.11)."""
    outlined = focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2
    shadowed = focused["boxShadow"] not in ("", "none")
    assert outlined or shadowed, f"no visible focus indicator on {focused}"
    assert focused["width"] > 0, f"focused element is hidden: {focused}"
    assert focused["height"] > 0, f"focused element is hidden: {focused}"
    assert focused["top"] >= 0, f"focused element is above the screen: {focused}"
    assert focused["bottom"] <= focused["viewportHeight"], f"focus is below the screen: {focused}"


async def test_tab_reaches_the_skip_link_first_and_it_moves_focus_to_main(page: Page) -> None:
    await page.goto("/")
    await page.keyboard.press("Tab")
    focused = await evaluate(page, FOCUSED)
    assert focused is not None
    assert focused["text"] == "Skip to main content"
    assert_focus_visible(focused)
    await page.keyboard.press("Enter")
    assert await evaluate(page, "document.activeElement.id") == "main"
    assert await evaluate(page, "location.hash") == "#main"
    await assert_accessible(page)


async def test_focus_order_follows_the_page_and_is_always_visible(page: Page) -> None:
    await page.goto("/no/such/page")
    expected = await evaluate(page, TABBABLE)
    visited: list[int] = []
    for _ in range(len(expected)):
        await page.keyboard.press("Tab")
        focused = await evaluate(page, FOCUSED)
        assert focused is not None, f"focus left the page after {len(visited)} stops"
        assert_focus_visible(focused)
        visited.append(focused["index"])
    assert visited == expected, "Tab order differs from the order of the page"
    assert len(visited) >= 5  # skip link, brand, Home, language, the page's own link
    await page.keyboard.press("Tab")
    assert await evaluate(page, FOCUSED) is None, "more stops than the page's focusable elements"

    # Shift+Tab walks the same stops backwards.
    backwards: list[int] = []
    for _ in visited:
        await page.keyboard.press("Shift+Tab")
        focused = await evaluate(page, FOCUSED)
        assert focused is not None
        assert_focus_visible(focused)
        backwards.append(focused["index"])
    assert backwards == visited[::-1]


async def test_the_language_switch_works_from_the_keyboard(page: Page) -> None:
    await page.goto("/")
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await evaluate(page, "document.activeElement.getAttribute('lang')") == "pt-PT":
            break
    else:
        raise AssertionError("Tab never reached the Português button")
    async with page.expect_navigation():
        await page.keyboard.press("Enter")
    assert await evaluate(page, "document.documentElement.lang") == "pt-PT"
    # Space presses a button too.
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await evaluate(page, "document.activeElement.getAttribute('lang')") == "en":
            break
    else:
        raise AssertionError("Tab never reached the English button")
    async with page.expect_navigation():
        await page.keyboard.press("Space")
    assert await evaluate(page, "document.documentElement.lang") == "en"
