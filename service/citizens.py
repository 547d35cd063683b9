"""Signing citizens in and out: every identity provider ends in `sign_in_citizen`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from service.sessions import begin_session, current_session, end_session, save_session_data
from verification.identity.model import CitizenSession, VerifiedIdentity, citizen_session_for

CITIZEN_KEY = "citizen"


async def sign_in_citizen(
    request: Request, response: Response, identity: VerifiedIdentity
) -> CitizenSession:
    """Begin a citizen session for a verified identity."""
    citizen = citizen_session_for(request.state.keys.identifier_pepper, identity)
    await begin_session(request, response, data={CITIZEN_KEY: citizen.to_dict()})
    request.state.citizen = citizen
    return citizen


async def current_citizen(request: Request) -> CitizenSession | None:
    """The signed-in citizen, or None."""
    session = await current_session(request)
    if session is None or CITIZEN_KEY not in session.data:
        return None
    citizen = CitizenSession.from_dict(session.data[CITIZEN_KEY])
    request.state.citizen = citizen
    return citizen


async def sign_out_citizen(request: Request, response: Response) -> None:
    """End the citizen's session."""
    await end_session(request, response)


async def remember_before_sign_in(
    request: Request, response: Response, key: str, value: dict[str, Any]
) -> None:
    """Keep a sign-in flow's server-side state (OIDC state, code handle) in the session."""
    session = await current_session(request)
    if session is None:
        await begin_session(request, response, data={key: value})
    else:
        await save_session_data(request, {**session.data, key: value})


async def take_before_sign_in(request: Request, key: str) -> dict[str, Any] | None:
    """Remove and return a sign-in flow's state, so it can be used only once."""
    session = await current_session(request)
    if session is None or key not in session.data:
        return None
    data = dict(session.data)
    value = data.pop(key)
    await save_session_data(request, data)
    return dict(value) if isinstance(value, dict) else None


async def peek_before_sign_in(request: Request, key: str) -> dict[str, Any] | None:
    """A sign-in flow's state, left in place."""
    session = await current_session(request)
    value = None if session is None else session.data.get(key)
    return dict(value) if isinstance(value, dict) else None
