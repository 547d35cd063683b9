"""Journeys: sign in through each identity provider, with JavaScript on and off.

- Census roll and a one-time code: the roll imported with `civica import-census`, the code
  read from the outbox file the service writes (its development gateway).
- A signed identity credential issued by `civica issue-credential` for the nonce on the page.
- OpenID Connect against the real local oidc-provider (tests/oidc, on Node.js), with a
  second `civica serve` configured for it through the environment.

Each ends on the eligibility page, which names the provider used. axe audits every page of
civica; the provider's own login and consent pages are a stand-in for a third party's and
are not audited.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest
from playwright.async_api import Page, expect

from service.commands.issue_credential import trust_test_issuer
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import OidcServer, Server
from tests.browser.journeys import civica, mode
from tests.browser.support import javascript_enabled

pytestmark = pytest.mark.browser

CENSUS = (
    "id_number,birth_date,residence,phone,email,status\n"
    "31415926,1975-03-14,PT-11,,maria.js@example.org,citizen\n"
    "27182818,1988-08-27,PT-13,+351 912 000 271,,legal_resident\n"
)
PEOPLE = {"js": ("31415926", "1975-03-14"), "nojs": ("27182818", "1988-08-27")}


@pytest.fixture(scope="module")
def census_roll(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The roll, imported by the CLI into the shared server's database; the outbox file."""
    roll = tmp_path_factory.mktemp("census") / "census.csv"
    roll.write_text(CENSUS)
    civica(server, "import-census", str(roll))
    return server.data_dir / "outbox" / "codes.jsonl"


def newest_code(outbox: Path, contact: str) -> str | None:
    """The newest code in the outbox file for `contact`, if there is one yet."""
    if not outbox.exists():
        return None
    for line in reversed(outbox.read_text().splitlines()):
        message = json.loads(line)
        if contact in (message["email"], message["phone"]):
            found = re.search(r"code is (\d{6,8})", message["text"])
            assert found, message
            return found.group(1)
    return None


async def code_sent_to(outbox: Path, contact: str) -> str:
    """The code the service wrote to the outbox for `contact` (it sends after the page)."""
    for _ in range(300):
        code = newest_code(outbox, contact)
        if code is not None:
            return code
        await asyncio.sleep(0.1)
    raise AssertionError(f"no code was written to {outbox} for {contact}")


async def test_sign_in_with_the_census_roll_and_a_one_time_code(
    page: Page, census_roll: Path
) -> None:
    id_number, born = PEOPLE[mode(page)]
    contact = "maria.js@example.org" if javascript_enabled(page) else "+351912000271"
    await page.goto("/identity/sign-in")
    await assert_accessible(page)
    await page.get_by_role("link", name="ID number and a one-time code").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your ID number")
    await assert_accessible(page)

    # Forgetting the birth date: the error summary, linked to the field.
    await page.get_by_role("textbox", name="ID number").fill(id_number)
    await page.get_by_role("button", name="Send me a code").click()
    summary = page.get_by_role("alert")
    await expect(summary.get_by_role("link")).to_have_count(1)
    assert await summary.get_by_role("link").get_attribute("href") == "#birth_date"
    await expect(page.get_by_label("Date of birth")).to_have_attribute("aria-invalid", "true")
    await expect(page.get_by_role("textbox", name="ID number")).to_have_value(id_number)
    await assert_accessible(page)

    await page.get_by_label("Date of birth").fill(born)
    await page.get_by_role("button", name="Send me a code").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    await assert_accessible(page)
    code = await code_sent_to(census_roll, contact)
    await page.get_by_role("textbox", name="One-time code").fill(code)
    await page.get_by_role("button", name="Sign in").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("What you can take part in")
    await expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "You are signed in with: ID number and a one-time code."
    )
    await assert_accessible(page)


async def test_sign_in_with_a_signed_credential(page: Page, server: Server) -> None:
    trust_test_issuer(server.data_dir, server.data_dir / "trusted_issuers.json")
    await page.goto("/identity/sign-in")
    await assert_accessible(page)
    await page.get_by_role("link", name="Signed identity credential").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Sign in with a signed credential"
    )
    await assert_accessible(page)

    # Something that is not a credential: refused, with the error next to the field.
    box = page.get_by_role("textbox", name="Your signed credential")
    await box.fill("not.a.credential")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert").get_by_role("link")).to_have_count(1)
    await expect(box).to_have_attribute("aria-invalid", "true")
    await expect(box).to_have_accessible_description(re.compile(r"Error: "))
    await assert_accessible(page)

    # The wallet's part, done by `civica issue-credential` for this page's nonce.
    nonce = await page.locator("#nonce").inner_text()
    audience = await page.locator("dl.facts code").nth(1).inner_text()
    id_number = "55500011" if javascript_enabled(page) else "55500022"
    credential = civica(
        server, "issue-credential", "--id-number", id_number, "--birth-date", "1990-01-31",
        "--residence", "PT-11", "--nonce", nonce, "--audience", audience,
    ).strip()  # fmt: skip
    assert credential.count(".") == 2
    await box.fill(credential)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("What you can take part in")
    await expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "You are signed in with: Signed identity credential."
    )
    await assert_accessible(page)


async def test_sign_in_with_openid_connect(page: Page, oidc_server: OidcServer) -> None:
    base = oidc_server.server.url
    await page.goto(f"{base}/identity/sign-in")
    await assert_accessible(page)
    await page.get_by_role("link", name="Test eID").click()

    # At the provider (oidc-provider's development login and consent pages).
    await page.wait_for_url(f"{oidc_server.issuer}/**")
    login = "ana" if javascript_enabled(page) else "bruno"
    await page.locator("input[name=login]").fill(login)
    await page.locator("input[name=password]").fill("any password")
    await page.locator("button[type=submit]").click()
    await page.locator("button[type=submit]").click()  # consent: "Continue"

    await page.wait_for_url(f"{base}/**")
    await expect(page.get_by_role("heading", level=1)).to_have_text("What you can take part in")
    await expect(page.get_by_role("main").get_by_role("status")).to_have_text(
        "You are signed in with: Test eID."
    )
    await assert_accessible(page)
