"""Staff sign-in: passwords, the forced change, throttling, sign-out here and everywhere."""

from __future__ import annotations

from typing import Any

import httpx

from service import staff_auth
from service.accounts import Role
from service.app import create_app
from service.repository import put_staff
from tests.support.asgi import running_app
from tests.support.proposals import PASSWORD, make_staff, post_form, sign_in_staff

App = tuple[httpx.AsyncClient, dict[str, Any]]


async def test_sign_in_and_out(app_client: App) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    assert (await client.get("/admin/cycles")).headers["location"].startswith("/staff/sign-in")
    response = await sign_in_staff(client, state, "ana")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    page = await client.get("/staff")
    assert "Signed in as Ana (Administrator)" in page.text
    assert (await client.get("/admin/cycles")).status_code == 200
    await post_form(client, state, "/staff/sign-out", {})
    assert (await client.get("/admin/cycles")).status_code == 303


async def test_wrong_passwords_and_unknown_users_get_the_same_answer(app_client: App) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    wrong = await sign_in_staff(client, state, "ana", "not the password")
    unknown = await sign_in_staff(client, state, "nobody", PASSWORD)
    assert wrong.status_code == unknown.status_code == 422
    assert "The user name or password is not right." in wrong.text
    assert "The user name or password is not right." in unknown.text
    assert 'href="#username"' in wrong.text


async def test_a_one_time_password_must_be_changed_first(app_client: App) -> None:
    client, state = app_client
    await put_staff(
        state["pool"], "rita", "Rita", Role.REVIEWER, "one-time-pass", must_change_password=True
    )
    response = await sign_in_staff(client, state, "rita", "one-time-pass")
    assert response.headers["location"] == "/staff/password"
    blocked = await client.get("/admin/cycles")
    assert blocked.status_code == 303
    assert blocked.headers["location"] == "/staff/password"
    short = await post_form(
        client,
        state,
        "/staff/password",
        {"current_password": "one-time-pass", "new_password": "short", "confirm_password": "x"},
    )
    assert short.status_code == 422
    assert 'href="#new_password"' in short.text
    assert 'href="#confirm_password"' in short.text
    changed = await post_form(
        client,
        state,
        "/staff/password",
        {
            "current_password": "one-time-pass",
            "new_password": PASSWORD,
            "confirm_password": PASSWORD,
        },
    )
    assert changed.status_code == 303
    assert (await client.get("/admin/cycles")).status_code == 200
    assert not await state["pool"].fetchval(
        "SELECT must_change_password FROM staff WHERE username = 'rita'"
    )


async def test_an_account_locks_after_repeated_failures(app_client: App) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    for _ in range(staff_auth.LOCK_AFTER):
        assert (await sign_in_staff(client, state, "ana", "wrong")).status_code == 422
    locked = await sign_in_staff(client, state, "ana")
    assert locked.status_code == 429
    assert "locked" in locked.text
    seconds = await state["pool"].fetchval(
        "SELECT extract(epoch FROM locked_until - now()) FROM staff WHERE username = 'ana'"
    )
    assert 0 < seconds <= staff_auth.FIRST_LOCK_S
    await state["pool"].execute("UPDATE staff SET locked_until = now() WHERE username = 'ana'")
    assert (await sign_in_staff(client, state, "ana", "wrong")).status_code == 422
    seconds = await state["pool"].fetchval(
        "SELECT extract(epoch FROM locked_until - now()) FROM staff WHERE username = 'ana'"
    )
    assert staff_auth.FIRST_LOCK_S < seconds <= 2 * staff_auth.FIRST_LOCK_S, "the delay doubles"


def test_lock_delays_grow_and_are_capped() -> None:
    delays = [staff_auth.lock_seconds(n) for n in range(1, 20)]
    assert delays[: staff_auth.LOCK_AFTER - 1] == [0] * (staff_auth.LOCK_AFTER - 1)
    assert delays == sorted(delays)
    assert max(delays) == staff_auth.MAX_LOCK_S


async def test_one_address_is_throttled_across_accounts(app_client: App) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    await state["pool"].executemany(
        "INSERT INTO sign_in_failures (client_address) VALUES ($1)",
        [("127.0.0.1",)] * staff_auth.ADDRESS_LIMIT,
    )
    response = await sign_in_staff(client, state, "ana")
    assert response.status_code == 429
    assert "network" in response.text


async def test_sign_out_everywhere_ends_other_sessions(app_client: App, settings: Any) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    await sign_in_staff(client, state, "ana")
    async with running_app(create_app(settings)) as (other, other_state):
        await sign_in_staff(other, other_state, "ana")
        assert (await other.get("/admin/cycles")).status_code == 200
        await post_form(client, state, "/staff/sign-out-everywhere", {})
        assert (await other.get("/admin/cycles")).status_code == 303
    assert (await client.get("/admin/cycles")).status_code == 303


async def test_expired_sessions_and_deactivated_accounts(app_client: App) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    await sign_in_staff(client, state, "ana")
    await state["pool"].execute("UPDATE sessions SET expires_at = now() - interval '1 second'")
    assert (await client.get("/admin/cycles")).status_code == 303
    await state["pool"].execute("UPDATE staff SET active = false WHERE username = 'ana'")
    assert (await sign_in_staff(client, state, "ana")).status_code == 422


async def test_next_only_goes_to_local_pages(app_client: App) -> None:
    client, state = app_client
    await make_staff(state["pool"], "ana", Role.ADMINISTRATOR)
    await client.get("/staff/sign-in")
    response = await post_form(
        client,
        state,
        "/staff/sign-in",
        {"username": "ana", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["location"] == "/staff"
