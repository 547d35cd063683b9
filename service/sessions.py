"""Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

Sessions expire after `IDLE_TIMEOUT_S` without a request and `ABSOLUTE_TIMEOUT_S` after they
began. A staff member's sessions all end when they sign out everywhere, change their password
or are deactivated (`staff.sessions_valid_after`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from service import repository
from service.middleware import is_https

SESSION_COOKIE = "civica_session"
IDLE_TIMEOUT_S = 30 * 60
ABSOLUTE_TIMEOUT_S = 12 * 60 * 60
TOUCH_EVERY = timedelta(seconds=60)
_CACHE = "_civica_session"


@dataclass(frozen=True)
class Session:
    token_hash: bytes
    staff_id: int | None
    data: dict[str, Any]
    created_at: datetime
    expires_at: datetime

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.expires_at - datetime.now(UTC)).total_seconds()))


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def _session_from(row: asyncpg.Record) -> Session:
    return Session(
        row["token_hash"], row["staff_id"], dict(row["data"]), row["created_at"], row["expires_at"]
    )


async def current_session(request: Request) -> Session | None:
    """The request's live session, or None (looked up once per request)."""
    if hasattr(request.state, _CACHE):
        cached: Session | None = getattr(request.state, _CACHE)
        return cached
    session = None
    token = request.cookies.get(SESSION_COOKIE)
    if token and len(token) <= 128:
        pool: asyncpg.Pool = request.state.pool
        row = await repository.fetch_live_session(pool, _hash(token))
        if row is not None:
            session = _session_from(row)
            if datetime.now(UTC) - row["last_seen_at"] >= TOUCH_EVERY:
                await repository.touch_session(
                    pool, session.token_hash, IDLE_TIMEOUT_S, ABSOLUTE_TIMEOUT_S
                )
    setattr(request.state, _CACHE, session)
    return session


async def begin_session(
    request: Request,
    response: Response,
    *,
    staff_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> Session:
    """Start a new session (ending the current one, so a session id never survives a sign-in)."""
    pool: asyncpg.Pool = request.state.pool
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        await repository.delete_session(pool, _hash(old))
    token = secrets.token_urlsafe(32)
    row = await repository.insert_session(pool, _hash(token), staff_id, data or {}, IDLE_TIMEOUT_S)
    session = _session_from(row)
    setattr(request.state, _CACHE, session)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=ABSOLUTE_TIMEOUT_S,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request.scope, request.state.settings.trust_proxy_headers),
    )
    return session


async def save_session_data(request: Request, data: dict[str, Any]) -> None:
    """Replace the current session's data."""
    session = await current_session(request)
    if session is None:
        raise LookupError("no session to save data in")
    await repository.update_session_data(request.state.pool, session.token_hash, data)
    setattr(
        request.state,
        _CACHE,
        Session(session.token_hash, session.staff_id, data, session.created_at, session.expires_at),
    )


async def end_session(request: Request, response: Response) -> None:
    """End the current session and clear its cookie."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await repository.delete_session(request.state.pool, _hash(token))
    setattr(request.state, _CACHE, None)
    response.delete_cookie(SESSION_COOKIE, path="/")


class SessionLookupMiddleware:
    """Look the session up before a page is drawn, so every page's header knows who is signed in.

    Only GET and HEAD requests that carry the session cookie pay the lookup (one query, cached
    for the route); static files and the health check never do.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in {"GET", "HEAD"}
            and not scope["path"].startswith(("/static/", "/healthz"))
        ):
            request = Request(scope)
            if SESSION_COOKIE in request.cookies and "pool" in scope.get("state", {}):
                await current_session(request)
        await self.app(scope, receive, send)
