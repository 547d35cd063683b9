"""Error pages: every failure is a plain page with a reason, never a stack trace.

Titles and explanations are message ids marked with `N_`; the page translates them into the
visitor's language (`| translate`), the JSON API keeps them in English.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from service.i18n import N_, locale_for

log = logging.getLogger(__name__)

TITLES = {
    400: N_("The request could not be understood"),
    403: N_("You cannot do that"),
    404: N_("Page not found"),
    405: N_("That action is not allowed here"),
    409: N_("That conflicts with what is already recorded"),
    413: N_("What you sent is too large"),
    422: N_("Some details need correcting"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong on our side"),
    503: N_("The service is not available right now"),
}

EXPLANATIONS = {
    "csrf": N_(
        "This form expired or was sent from another site. Go back, reload the page and send it "
        "again. Nothing was changed."
    ),
    "too_large": N_("What you sent is larger than this service accepts. Nothing was changed."),
    404: N_("Check the address, or start again from the home page."),
    405: N_("Use the links and buttons on the page to do this."),
    500: N_("Nothing you sent was lost or half-recorded. Please try again in a moment."),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def render_error(request: Request, status: int, detail: str | None = None) -> Response:
    """Render the error page (or JSON for the API) for `status`."""
    title = TITLES.get(status, N_("The request could not be completed"))
    explanation = detail or str(EXPLANATIONS.get(status, ""))
    if wants_json(request):
        return JSONResponse({"error": title, "detail": explanation}, status_code=status)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return PlainTextResponse(f"{title}\n{explanation}", status_code=status)
    context: dict[str, Any] = {"status": status, "title": title, "explanation": explanation}
    response: Response = templates.TemplateResponse(
        request, "errors/error.html", context, status_code=status
    )
    response.headers["Content-Language"] = locale_for(request)
    return response


async def http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.detail and exc.detail != TITLES.get(exc.status_code) else None
    if detail and detail.startswith(("Not Found", "Method Not Allowed")):
        detail = None
    response = render_error(request, exc.status_code, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return render_error(request, 500)


async def reject_request(
    scope: Scope, receive: Receive, send: Send, status: int, reason: str
) -> None:
    """Used by the CSRF middleware to refuse a request before any route runs."""
    request = Request(scope, receive)
    response = render_error(request, status, str(EXPLANATIONS.get(reason, "")) or None)
    await response(scope, receive, send)
