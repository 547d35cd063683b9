"""Visual requirements: reflow at 320 CSS px (400% zoom), reduced motion, and the receipt's print
style, each with JavaScript on and off."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from playwright.async_api import BrowserContext, Page, Route
from starlette.applications import Starlette
from starlette.requests import Request

from service.i18n import LANGUAGE_COOKIE
from service.middleware import CONTENT_SECURITY_POLICY
from service.templating import create_templates
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server
from tests.browser.support import evaluate, javascript_enabled, screenshot

pytestmark = pytest.mark.browser

PAGES = ["/", "/no/such/page"]
NO_HORIZONTAL_SCROLL = (
    "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)
MOVING = """[...document.querySelectorAll('*')].filter(el => {
  const style = getComputedStyle(el);
  const seconds = value => value.split(',').map(parseFloat).some(s => s > 0);
  return seconds(style.transitionDuration) || seconds(style.animationDuration)
    || style.animationName !== 'none';
}).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""


def render_sample(name: str, context: dict[str, object] | None = None) -> str:
    """A page of tests/browser/templates rendered by the real templates and context processor."""
    templates = create_templates()
    own = jinja2.FileSystemLoader(str(Path(__file__).parent / "templates"))
    templates.env.loader = jinja2.ChoiceLoader([own, templates.env.loader])  # type: ignore[list-item]
    app = Starlette()
    app.state.templates = templates
    scope = {
        "type": "http",
        "method": "GET",
        "path": f"/{name.removesuffix('.html').replace('_', '-')}",
        "query_string": b"",
        "headers": [],
        "app": app,
        "state": {"csrf_token": "sample"},
    }
    response = templates.TemplateResponse(Request(scope), name, context or {})
    return bytes(response.body).decode()


async def open_sample(page: Page, server: Server, name: str, **context: object) -> None:
    """Serve a sample page at the server's address, with the real CSP, and open it."""
    html = render_sample(name, context)
    path = f"/{name.removesuffix('.html').replace('_', '-')}"

    async def serve(route: Route) -> None:
        await route.fulfill(
            status=422 if context.get("errors") else 200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
            body=html,
        )

    await page.route(f"{server.url}{path}", serve)
    await page.goto(path)


async def open_receipt_sample(page: Page, server: Server) -> None:
    await open_sample(page, server, "receipt_sample.html")


@pytest.mark.context(viewport={"width": 320, "height": 640})
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("language", ["en", "pt-PT"])
async def test_pages_reflow_at_320_css_pixels(
    page: Page, context: BrowserContext, server: Server, path: str, language: str
) -> None:
    """1280 px at 400% zoom is 320 CSS px: no horizontal scrolling (WCAG 1.4.10)."""
    await context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": server.url}])
    await page.goto(path)
    assert await evaluate(page, "document.documentElement.lang") == language
    assert await evaluate(page, NO_HORIZONTAL_SCROLL), "the page scrolls sideways at 320 px"
    await assert_accessible(page)
    if path == "/" and language == "en" and javascript_enabled(page):
        await screenshot(page, "home-320px")


@pytest.mark.context(viewport={"width": 320, "height": 640})
async def test_the_receipt_reflows_at_320_css_pixels(page: Page, server: Server) -> None:
    await open_receipt_sample(page, server)
    assert await evaluate(page, NO_HORIZONTAL_SCROLL), "the receipt scrolls sideways at 320 px"
    await assert_accessible(page)


@pytest.mark.context(reduced_motion="reduce")
async def test_reduced_motion_stops_every_transition(page: Page) -> None:
    for path in PAGES:
        await page.goto(path)
        assert await evaluate(page, "matchMedia('(prefers-reduced-motion: reduce)').matches")
        assert await evaluate(page, MOVING) == []


@pytest.mark.context(reduced_motion="no-preference")
async def test_without_the_preference_buttons_do_move(page: Page) -> None:
    """The check above can fail: without the preference, the buttons' transitions are found."""
    await page.goto("/")
    assert "button.link-button" in await evaluate(page, MOVING)


async def test_the_receipt_prints_on_its_own(page: Page, server: Server) -> None:
    await open_receipt_sample(page, server)
    await assert_accessible(page)
    await assert_receipt_prints_alone(page)


async def assert_receipt_prints_alone(page: Page, name: str = "receipt-print") -> None:
    """In print, only the receipt: unsplit, black on white, its codes wrapped, one A4 page."""
    display = "selector => getComputedStyle(document.querySelector(selector)).display"
    hidden_in_print = [".site-header nav", ".site-footer", "main form", ".no-print", ".skip-link"]
    await page.emulate_media(media="screen")
    for selector in [".site-header nav", ".site-footer", "main form", ".no-print"]:
        assert await evaluate(page, f"({display})({selector!r})") != "none", selector

    await page.emulate_media(media="print")
    for selector in hidden_in_print:
        assert await evaluate(page, f"({display})({selector!r})") == "none", selector
    receipt = await evaluate(
        page,
        """(() => { const s = getComputedStyle(document.querySelector('.receipt'));
          return {display: s.display, breakInside: s.breakInside, color: s.color,
                  border: s.borderTopStyle}; })()""",
    )
    assert receipt == {
        "display": "block",
        "breakInside": "avoid",
        "color": "rgb(0, 0, 0)",
        "border": "solid",
    }
    overflowing = await evaluate(
        page,
        "[...document.querySelectorAll('.receipt code')]"
        ".filter(c => c.scrollWidth > c.clientWidth + 1).length",
    )
    assert overflowing == 0, "a receipt code runs off the printed page"
    if javascript_enabled(page):
        await screenshot(page, name)
        pdf = await page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
        pages = pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages")
        assert pages == 1, f"the receipt printed on {pages} pages"
