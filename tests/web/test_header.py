"""The page header on every page says who is signed in: one way in or one way out, never both."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.identity import import_census, sign_in_staff
from tests.web.test_eligibility_page import sign_in_by_code

Client = tuple[httpx.AsyncClient, dict[str, Any]]

SIGN_IN_LINK = 'href="/identity/sign-in"'


async def test_a_visitor_sees_the_way_in(app_client: Client) -> None:
    client, _state = app_client
    page = (await client.get("/")).text
    assert SIGN_IN_LINK in page
    assert "Sign out" not in page


async def test_a_signed_in_citizen_sees_the_way_out_on_every_page(app_client: Client) -> None:
    client, state = app_client
    await import_census(state)
    await sign_in_by_code(client, state, "12345678", "1980-05-01")
    for path in ("/", "/no/such/page"):
        page = (await client.get(path)).text
        assert 'action="/identity/sign-out"' in page, path
        assert SIGN_IN_LINK not in page, path


async def test_a_signed_in_staff_member_sees_the_staff_area_and_the_way_out(
    app_client: Client,
) -> None:
    client, state = app_client
    await sign_in_staff(client, state)
    page = (await client.get("/")).text
    assert 'href="/staff"' in page
    assert 'action="/staff/sign-out"' in page
    assert SIGN_IN_LINK not in page
