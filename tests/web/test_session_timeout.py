"""Timeouts announced and extendable (WCAG 2.2.1): the layout's notice and "Stay signed in"."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import asyncpg
import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service import repository
from service.accounts import Role
from service.app import create_app
from service.citizens import sign_in_citizen
from service.config import Settings
from service.sessions import IDLE_TIMEOUT_S, begin_session
from tests.support.asgi import csrf_token, running_app
from verification.identity.model import VerifiedIdentity

IDENTITY = VerifiedIdentity("census", "12345678", date(1990, 5, 17), "Lisboa", "citizen")


async def citizen_in(request: Request) -> Response:
    response = JSONResponse({"ok": True})
    await sign_in_citizen(request, response, IDENTITY)
    return response


async def staff_in(request: Request) -> Response:
    response = JSONResponse({"ok": True})
    await begin_session(request, response, staff_id=int(request.query_params["staff"]))
    return response


async def anonymous_session(request: Request) -> Response:
    """A session that holds data but no signed-in person (e.g. a sign-in in progress)."""
    response = JSONResponse({"ok": True})
    await begin_session(request, response, data={"oidc_state": "x"})
    return response


def timeout_app(settings: Settings) -> Any:
    app = create_app(settings)
    app.router.routes.extend(
        [
            Route("/t/citizen", citizen_in),
            Route("/t/staff", staff_in),
            Route("/t/anonymous", anonymous_session),
        ]
    )
    return app


def seconds_left(page: str) -> int:
    match = re.search(r'data-seconds-left="(\d+)"', page)
    assert match is not None, "no session notice on the page"
    return int(match.group(1))


async def test_no_notice_without_a_signed_in_session(settings: Settings) -> None:
    async with running_app(timeout_app(settings)) as (client, _):
        assert "session-notice" not in (await client.get("/")).text
        await client.get("/t/anonymous")
        assert "session-notice" not in (await client.get("/")).text


async def test_a_signed_in_citizen_is_told_when_the_session_ends(settings: Settings) -> None:
    async with running_app(timeout_app(settings)) as (client, _):
        await client.get("/t/citizen")
        page = (await client.get("/")).text
        assert IDLE_TIMEOUT_S - 5 <= seconds_left(page) <= IDLE_TIMEOUT_S
        assert re.search(
            r"you will be signed out at <time class=\"session-expiry\" datetime=\"[^\"]+\">"
            r"\d{1,2}:\d\d\u202f[AP]M</time> if you do nothing",
            page,
        )
        assert 'action="/session/extend"' in page
        assert 'role="status"' in page
        assert "nothing happened for 30 minutes" in page
        portuguese = (await client.get("/", headers={"Accept-Language": "pt-PT"})).text
        assert re.search(r"a sessão termina às <time[^>]*>\d\d:\d\d</time>", portuguese)
        assert "Manter a sessão iniciada" in portuguese


async def test_staff_get_the_same_notice(settings: Settings) -> None:
    async with running_app(timeout_app(settings)) as (client, state):
        staff = await repository.put_staff(
            state["pool"], "rita", "Rita", Role.REVIEWER, "x" * 16, must_change_password=False
        )
        await client.get(f"/t/staff?staff={staff.id}")
        assert seconds_left((await client.get("/")).text) > 0


async def test_stay_signed_in_restarts_the_idle_timer(settings: Settings) -> None:
    async with running_app(timeout_app(settings)) as (client, state):
        pool: asyncpg.Pool = state["pool"]
        await client.get("/t/citizen")
        await client.get("/")
        # 28.5 minutes idle: 90 seconds left (the last request was just now, so it is not touched).
        await pool.execute("UPDATE sessions SET expires_at = now() + interval '90 seconds'")
        assert seconds_left((await client.get("/")).text) <= 90
        response = await client.post(
            "/session/extend",
            data={"csrf_token": csrf_token(client, state), "next": "/no/such?page=2"},
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/no/such?page=2"
        left = await pool.fetchval("SELECT extract(epoch FROM expires_at - now()) FROM sessions")
        assert IDLE_TIMEOUT_S - 5 <= left <= IDLE_TIMEOUT_S


async def test_stay_signed_in_answers_json_for_the_script(settings: Settings) -> None:
    async with running_app(timeout_app(settings)) as (client, state):
        await client.get("/t/citizen")
        await client.get("/")
        await state["pool"].execute("UPDATE sessions SET expires_at = now() + interval '60 s'")
        response = await client.post(
            "/session/extend",
            data={"csrf_token": csrf_token(client, state), "next": "https://evil.example/"},
            headers={"Accept": "application/json", "Accept-Language": "pt-PT"},
        )
        answer = response.json()
        assert answer["signed_in"] is True
        assert IDLE_TIMEOUT_S - 5 <= answer["seconds_left"] <= IDLE_TIMEOUT_S
        assert re.fullmatch(r"\d\d:\d\d", answer["expires_at_text"])


async def test_stay_signed_in_without_a_session(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]],
) -> None:
    client, state = app_client
    await client.get("/")
    token = csrf_token(client, state)
    as_json = await client.post(
        "/session/extend", data={"csrf_token": token}, headers={"Accept": "application/json"}
    )
    assert as_json.status_code == 401
    assert as_json.json() == {"signed_in": False, "seconds_left": 0}
    plain = await client.post("/session/extend", data={"csrf_token": token, "next": "//evil"})
    assert plain.status_code == 303
    assert plain.headers["location"] == "/"


async def test_stay_signed_in_needs_a_csrf_token(settings: Settings) -> None:
    async with running_app(timeout_app(settings)) as (client, _):
        await client.get("/t/citizen")
        response = await client.post("/session/extend", data={"next": "/"})
        assert response.status_code == 403
