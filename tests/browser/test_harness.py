"""The harness itself can fail: axe and the problem watcher catch what they are there to catch."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import Page, Route

from tests.browser import support
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import Server

pytestmark = pytest.mark.browser

BROKEN = """<!doctype html><html><head><title></title>
<link rel="stylesheet" href="/static/css/civica.css"></head>
<body><div><img src="/static/favicon.svg"><input name="q"></div></body></html>"""


async def test_axe_reports_violations_with_javascript_on_and_off(
    page: Page, server: Server
) -> None:
    async def serve_broken(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BROKEN)

    await page.route(f"{server.url}/broken-on-purpose", serve_broken)
    await page.goto("/broken-on-purpose")
    with pytest.raises(AssertionError) as failure:
        await assert_accessible(page)
    report = str(failure.value)
    for rule in ("html-has-lang", "image-alt", "label", "document-title", "landmark-one-main"):
        assert rule in report, f"{rule} missing from:\n{report}"


def test_a_missing_chromium_fails_loudly(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(support, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(AssertionError, match="apt-get install -y chromium"):
        support.require_chromium()
