"""Signing citizens in and out: every identity provider ends in `sign_in_citizen`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from service.sessions import begin_session, current_session, end_session
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
    await end_session(request, response)
