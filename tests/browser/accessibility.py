"""`assert_accessible(page)`: axe-core on the page as it is now, zero violations of any impact.

Call it on every page a journey visits. With JavaScript enabled, axe (pinned in package.json)
is evaluated in the live page through the DevTools protocol, which the page's CSP does not
govern, so the real CSP stays on. With JavaScript disabled axe cannot run in that page (its
timers never fire), so the page's DOM, exactly as the scriptless browser built it, is loaded
at the same address into an auditing page whose own scripts are refused by CSP, with the
real stylesheet, and axe runs there.
"""

from __future__ import annotations

import json
from typing import Any

from playwright.async_api import Browser, BrowserContext, Page, Route

from tests.browser.support import evaluate, javascript_enabled

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


class Auditor:
    """Runs axe; owns the JavaScript-enabled context used to audit scriptless pages."""

    def __init__(self, browser: Browser, axe_source: str) -> None:
        self.browser = browser
        self.axe_source = axe_source
        self._context: BrowserContext | None = None

    async def close(self) -> None:
        if self._context is not None:
            await self._context.close()

    async def violations(self, page: Page) -> list[dict[str, Any]]:
        if javascript_enabled(page):
            return await self._run_axe(page)
        return await self._audit_snapshot(page)

    async def _run_axe(self, page: Page) -> list[dict[str, Any]]:
        await page.evaluate(self.axe_source)
        result: list[dict[str, Any]] = await page.evaluate(
            "options => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS
        )
        return result

    async def _audit_snapshot(self, page: Page) -> list[dict[str, Any]]:
        html = await evaluate(
            page,
            "(document.doctype ? new XMLSerializer().serializeToString(document.doctype) : '')"
            " + document.documentElement.outerHTML",
        )
        viewport = page.viewport_size
        if self._context is None:
            self._context = await self.browser.new_context(java_script_enabled=True)
        audit = await self._context.new_page()
        try:
            if viewport is not None:
                await audit.set_viewport_size(viewport)
            address = page.url.split("#")[0]

            async def serve_snapshot(route: Route) -> None:
                await route.fulfill(
                    status=200,
                    content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "script-src 'none'"},
                    body=html,
                )

            await audit.route(lambda url: url.split("#")[0] == address, serve_snapshot)
            await audit.goto(address)
            return await self._run_axe(audit)
        finally:
            await audit.close()


def describe(violations: list[dict[str, Any]]) -> str:
    """axe's findings, one rule per paragraph, with the offending elements."""
    lines: list[str] = []
    for violation in violations:
        lines.append(
            f"[{violation.get('impact')}] {violation['id']}: {violation['help']} "
            f"({violation.get('helpUrl', '')})"
        )
        for node in violation.get("nodes", []):
            lines.append(f"    at {json.dumps(node.get('target'))}: {node.get('html', '')[:200]}")
            summary = (node.get("failureSummary") or "").replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


_auditor: Auditor | None = None


def use_auditor(auditor: Auditor | None) -> None:
    """Install the session's auditor (the browser fixture does this)."""
    global _auditor
    _auditor = auditor


async def assert_accessible(page: Page) -> None:
    """Fail, listing every finding, unless axe finds no violation of any impact on `page`."""
    if _auditor is None:
        raise AssertionError("assert_accessible needs the `browser` fixture of tests/browser")
    violations = await _auditor.violations(page)
    mode = "JavaScript on" if javascript_enabled(page) else "JavaScript off"
    assert not violations, f"axe found violations on {page.url} ({mode}):\n{describe(violations)}"
