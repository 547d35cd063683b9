"""Server-side sessions: begin, read, expire, end, and end everywhere for staff."""

from __future__ import annotations

from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from service import repository
from service.accounts import Role
from service.app import create_app
from service.config import Settings
from service.sessions import SESSION_COOKIE, begin_session, current_session, end_session
from tests.support.asgi import running_app


async def who(request: Request) -> Response:
    session = await current_session(request)
    return JSONResponse(None if session is None else {"staff": session.staff_id, **session.data})


async def sign_in(request: Request) -> Response:
    response = JSONResponse({"ok": True})
    staff_id = int(request.query_params["staff"]) if "staff" in request.query_params else None
    await begin_session(request, response, staff_id=staff_id, data={"name": "Ana"})
    return response


async def sign_out(request: Request) -> Response:
    response = JSONResponse({"ok": True})
    await end_session(request, response)
    return response


def session_app(settings: Settings) -> Any:
    app = create_app(settings)
    app.router.routes.extend(
        [Route("/t/who", who), Route("/t/in", sign_in), Route("/t/out", sign_out)]
    )
    return app


async def test_a_session_begins_is_read_and_ends(settings: Settings) -> None:
    async with running_app(session_app(settings)) as (client, state):
        assert (await client.get("/t/who")).json() is None
        response = await client.get("/t/in")
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie
        assert "SameSite=lax" in cookie
        assert (await client.get("/t/who")).json() == {"staff": None, "name": "Ana"}
        token = client.cookies[SESSION_COOKIE]
        stored = await state["pool"].fetchval(
            "SELECT count(*) FROM sessions WHERE data->>'name' = 'Ana'"
        )
        assert stored == 1
        raw = await state["pool"].fetchval(
            "SELECT count(*) FROM sessions WHERE token_hash = $1", token.encode()
        )
        assert raw == 0, "the raw token must not be stored"
        await client.get("/t/out")
        assert (await client.get("/t/who")).json() is None
        assert await state["pool"].fetchval("SELECT count(*) FROM sessions") == 0


async def test_an_expired_session_is_not_honoured(settings: Settings) -> None:
    async with running_app(session_app(settings)) as (client, state):
        await client.get("/t/in")
        await state["pool"].execute("UPDATE sessions SET expires_at = now() - interval '1 second'")
        assert (await client.get("/t/who")).json() is None


async def test_a_new_sign_in_replaces_the_old_session(settings: Settings) -> None:
    async with running_app(session_app(settings)) as (client, state):
        await client.get("/t/in")
        first = client.cookies[SESSION_COOKIE]
        await client.get("/t/in")
        assert client.cookies[SESSION_COOKIE] != first
        assert await state["pool"].fetchval("SELECT count(*) FROM sessions") == 1


async def test_staff_sign_out_everywhere_ends_every_session(settings: Settings) -> None:
    async with running_app(session_app(settings)) as (client, state):
        pool: asyncpg.Pool = state["pool"]
        staff = await repository.put_staff(
            pool, "rita", "Rita", Role.REVIEWER, "x" * 16, must_change_password=False
        )
        await client.get(f"/t/in?staff={staff.id}")
        assert (await client.get("/t/who")).json()["staff"] == staff.id
        await repository.delete_staff_sessions(pool, staff.id)
        assert (await client.get("/t/who")).json() is None
