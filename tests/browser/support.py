"""Helpers for real-browser journeys: Debian's Chromium, page evaluation that works with JavaScript
off, screenshots, and a record of what went wrong in the page (CSP refusals, script errors).

Playwright's `page.evaluate` waits forever in a context with JavaScript disabled, so journeys
read the page with `evaluate` below (the DevTools protocol's Runtime.evaluate, which runs even
when the page's own scripts may not). Locators, clicks and the keyboard work in both modes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from playwright.async_api import BrowserContext, CDPSession, ConsoleMessage, Page, Response

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "docs" / "screenshots"
BROWSER_TESTS = Path(__file__).resolve().parent
AXE_VERSION = json.loads((BROWSER_TESTS / "package.json").read_text())["dependencies"]["axe-core"]
AXE_SCRIPT = BROWSER_TESTS / "node_modules" / "axe-core" / "axe.min.js"

_SESSIONS: WeakKeyDictionary[Page, CDPSession] = WeakKeyDictionary()
_SCRIPTLESS: WeakKeyDictionary[BrowserContext, bool] = WeakKeyDictionary()


def require_chromium() -> Path:
    """Debian's Chromium, or a failure that says how to install it (never a silent skip)."""
    if not CHROMIUM.is_file():
        raise AssertionError(
            f"The browser tests need Debian's Chromium at {CHROMIUM}. Install it with "
            "`apt-get update && apt-get install -y chromium` (.ci/run does this). Never run "
            "`playwright install`: it downloads a browser build, which this network refuses."
        )
    return CHROMIUM


def axe_source() -> str:
    """The pinned axe-core, installed from package-lock.json with `npm ci` when missing."""
    installed = AXE_SCRIPT.parent / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != AXE_VERSION:
        npm = shutil.which("npm")
        if npm is None:
            raise AssertionError(
                "The browser tests need npm to install axe-core (apt-get install npm)"
            )
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
            cwd=BROWSER_TESTS,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"npm ci in {BROWSER_TESTS} failed:\n{result.stderr[-3000:]}")
    return AXE_SCRIPT.read_text()


def mark_scriptless(context: BrowserContext) -> None:
    """Remember that `context` runs with JavaScript disabled."""
    _SCRIPTLESS[context] = True


def javascript_enabled(page: Page) -> bool:
    return not _SCRIPTLESS.get(page.context, False)


async def evaluate(page: Page, expression: str) -> Any:
    """The JSON value of a synchronous JavaScript expression in the page, JavaScript on or off."""
    session = _SESSIONS.get(page)
    if session is None:
        session = await page.context.new_cdp_session(page)
        _SESSIONS[page] = session
    answer = await session.send(
        "Runtime.evaluate", {"expression": expression, "returnByValue": True, "timeout": 10_000}
    )
    if "exceptionDetails" in answer:
        details = answer["exceptionDetails"]
        raise AssertionError(f"in the page: {details.get('exception', details)}")
    return answer["result"].get("value")


async def screenshot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Save docs/screenshots/<name>.png when CIVICA_SCREENSHOTS=1 (for the README)."""
    if os.environ.get("CIVICA_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@dataclass
class PageProblems:
    """What the browser reported as wrong while a journey ran."""

    items: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.items.append(f"script error: {error}"))
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            self.items.append(f"CSP: {text}")
        elif message.type == "error" and not text.startswith("Failed to load resource"):
            self.items.append(f"console error: {text}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            self.items.append(
                f"{response.status} for {response.request.resource_type} {response.url}"
            )
