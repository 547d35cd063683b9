"""Administrators create staff accounts, change roles, deactivate and reset passwords."""

from __future__ import annotations

import re
from typing import Any

import httpx

from service.accounts import Role
from tests.support.proposals import count, make_staff, post_form, second_client, sign_in_staff

App = tuple[httpx.AsyncClient, dict[str, Any]]


def one_time_password(html: str) -> str:
    match = re.search(r'<p class="one-time-password">([^<]+)</p>', html)
    assert match, html
    return match[1]


async def admin_client(app_client: App) -> App:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    await sign_in_staff(client, state, "ana")
    return client, state


async def test_create_an_account_whose_holder_chooses_a_password(app_client: App) -> None:
    client, state = await admin_client(app_client)
    created = await post_form(
        client,
        state,
        "/admin/staff/new",
        {"username": "Rita", "display_name": "Rita Reviewer", "role": "reviewer"},
    )
    assert created.status_code == 200
    password = one_time_password(created.text)
    row = await state["pool"].fetchrow(
        "SELECT role, must_change_password, password_hash FROM staff WHERE username = 'rita'"
    )
    assert row["role"] == "reviewer"
    assert row["must_change_password"]
    assert row["password_hash"].startswith("$argon2id$")
    assert password not in row["password_hash"]
    audit = await state["pool"].fetchval("SELECT after::text FROM audit_log")
    assert password not in audit
    await post_form(client, state, "/staff/sign-out", {})
    signed_in = await sign_in_staff(client, state, "rita", password)
    assert signed_in.headers["location"] == "/staff/password"


async def test_bad_accounts_are_refused(app_client: App) -> None:
    client, state = await admin_client(app_client)
    for form, field in (
        ({"username": "no spaces", "display_name": "X", "role": "reviewer"}, "username"),
        ({"username": "ana", "display_name": "Again", "role": "reviewer"}, "username"),
        ({"username": "new", "display_name": "", "role": "reviewer"}, "display_name"),
        ({"username": "new", "display_name": "New", "role": "king"}, "role"),
    ):
        response = await post_form(client, state, "/admin/staff/new", form)
        assert response.status_code == 422, form
        assert f'href="#{field}"' in response.text
    assert await count(state["pool"], "staff") == 1


async def test_roles_deactivation_and_password_resets(app_client: App) -> None:
    client, state = await admin_client(app_client)
    pool = state["pool"]
    rita = await make_staff(pool, "rita", Role.REVIEWER)
    url = f"/admin/staff/{rita.id}"
    changed = await post_form(
        client, state, f"{url}/edit", {"display_name": "Rita R.", "role": "observer"}
    )
    assert changed.status_code == 303
    assert await pool.fetchval("SELECT role FROM staff WHERE id = $1", rita.id) == "observer"

    async with second_client(client) as other:
        await sign_in_staff(other, state, "rita")
        assert (await other.get("/admin/cycles")).status_code == 200
        deactivated = await post_form(client, state, f"{url}/active", {"active": "0"})
        assert deactivated.status_code == 303
        assert (await other.get("/admin/cycles")).status_code == 303, "her sessions ended"
        assert (await sign_in_staff(other, state, "rita")).status_code == 422
        await post_form(client, state, f"{url}/active", {"active": "1"})
        reset = await post_form(client, state, f"{url}/reset-password", {})
        password = one_time_password(reset.text)
        assert (await sign_in_staff(other, state, "rita", password)).headers["location"] == (
            "/staff/password"
        )
    actions = [r["action"] for r in await pool.fetch("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["staff.update", "staff.deactivate", "staff.activate", "staff.reset_password"]


async def test_there_is_always_an_active_administrator(app_client: App) -> None:
    client, state = await admin_client(app_client)
    pool = state["pool"]
    ana_id = await pool.fetchval("SELECT id FROM staff WHERE username = 'ana'")
    demote = await post_form(
        client, state, f"/admin/staff/{ana_id}/edit", {"display_name": "Ana", "role": "reviewer"}
    )
    assert demote.status_code == 422
    assert "your own administrator access" in demote.text
    myself = await post_form(client, state, f"/admin/staff/{ana_id}/active", {"active": "0"})
    assert myself.status_code == 422
    assert await pool.fetchval("SELECT active FROM staff WHERE id = $1", ana_id)
