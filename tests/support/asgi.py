"""Drive the real app through its ASGI interface, lifespan included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from service.middleware import CSRF_COOKIE, csrf_token_for


@asynccontextmanager
async def running_app(
    app: Starlette, *, raise_app_exceptions: bool = True
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any]]]:
    """Start the app's lifespan and yield an HTTP client bound to it, and the lifespan state.

    With `raise_app_exceptions=False` the client sees what a browser would after a crash.
    """
    async with LifespanManager(app) as manager:
        state: dict[str, Any] = manager._state

        async def with_state_copy(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "state": dict(state)}, receive, send)

        transport = httpx.ASGITransport(
            app=with_state_copy, raise_app_exceptions=raise_app_exceptions
        )
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client, state


def csrf_token(client: httpx.AsyncClient, state: dict[str, Any]) -> str:
    """The form token matching the client's CSRF cookie (a GET must have set the cookie)."""
    secret = client.cookies.get(CSRF_COOKIE)
    assert secret, "make a GET request first so the server sets the CSRF cookie"
    return csrf_token_for(secret, state["keys"].session_key)
