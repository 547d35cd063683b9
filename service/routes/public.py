"""Public pages that belong to no domain: the home page, the health check, the language switch
and the "stay signed in" action shared by citizens and staff."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from ballots.repository import fetch_cycles_with_record
from proposals.repository import fetch_cycles
from service import i18n, repository
from service.i18n import N_
from service.middleware import is_https
from service.redirects import local_path
from service.sessions import ABSOLUTE_TIMEOUT_S, IDLE_TIMEOUT_S, current_session
from service.templating import render, seconds_until

UNKNOWN_LANGUAGE = N_("That language is not available. Choose English or Português.")


async def home(request: Request) -> Response:
    await current_session(request)  # so the layout can tell a signed-in visitor when it ends
    cycles = await fetch_cycles(request.state.pool)
    published = await fetch_cycles_with_record(request.state.pool, [c.id for c in cycles])
    return render(
        request,
        "home.html",
        {"cycles": cycles, "now": datetime.now(UTC), "results_published": published},
    )


async def healthz(request: Request) -> Response:
    """Report whether the database answers; 503 when it does not."""
    pool: asyncpg.Pool = request.state.pool
    try:
        async with pool.acquire(timeout=5) as conn:
            await conn.fetchval("SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


async def switch_language(request: Request) -> Response:
    """Remember the chosen language in a cookie and go back to the page the visitor was on."""
    form = await request.form()
    chosen = form.get("locale")
    if chosen not in i18n.LOCALES:
        raise HTTPException(400, UNKNOWN_LANGUAGE)
    assert isinstance(chosen, str)
    response = RedirectResponse(local_path(form.get("next")), status_code=303)
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        chosen,
        max_age=i18n.LANGUAGE_COOKIE_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request.scope, request.state.settings.trust_proxy_headers),
    )
    return response


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def extend_session(request: Request) -> Response:
    """Restart the idle timer of the current session (the "Stay signed in" button).

    Browsers without JavaScript post the form and are sent back to `next`; `civica.js` posts it
    with `Accept: application/json` and gets the new expiry to announce.
    """
    session = await current_session(request)
    seconds_left = 0
    expires_at = None
    if session is not None:
        pool: asyncpg.Pool = request.state.pool
        await repository.touch_session(pool, session.token_hash, IDLE_TIMEOUT_S, ABSOLUTE_TIMEOUT_S)
        row = await repository.fetch_live_session(pool, session.token_hash)
        if row is not None:
            expires_at = row["expires_at"]
            seconds_left = seconds_until(expires_at)
    if _wants_json(request):
        if expires_at is None:
            return JSONResponse({"signed_in": False, "seconds_left": 0}, status_code=401)
        locale = i18n.locale_for(request)
        zone = i18n.locale_settings(request).timezone
        return JSONResponse(
            {
                "signed_in": True,
                "seconds_left": seconds_left,
                "expires_at": expires_at.isoformat(),
                "expires_at_text": i18n.format_time(expires_at, locale, zone),
            }
        )
    form = await request.form()
    return RedirectResponse(local_path(form.get("next")), status_code=303)


routes = [
    Route("/", home, name="public.home"),
    Route("/healthz", healthz, name="public.healthz"),
    Route("/language", switch_language, methods=["POST"], name="public.language"),
    Route("/session/extend", extend_session, methods=["POST"], name="public.extend_session"),
]
