"""Helpers shared by the route modules: domain errors to responses, paging, htmx partials."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from proposals import repository as store
from proposals.errors import (
    CycleExists,
    InvalidSettings,
    ListNotReady,
    NotFound,
    Problem,
    ProposalsError,
    ReasonRequired,
)
from proposals.model import Cycle
from proposals.validation import SLUG
from service.errors import render_error
from service.routes import convertors  # noqa: F401  (registers the "id" path convertor)
from service.workflows.participation import NotEligible

PER_PAGE = 20


async def cycle_or_404(request: Request) -> Cycle:
    """The cycle named by the `slug` path parameter; 404 if there is none."""
    slug = request.path_params["slug"]
    if not SLUG.match(slug):
        raise HTTPException(404)
    try:
        return await store.fetch_cycle(request.state.pool, slug)
    except NotFound:
        raise HTTPException(404) from None


def errors_of(problems: list[Problem]) -> dict[str, str]:
    """Problems as the {field: message} dict the form macros take (first message per field)."""
    errors: dict[str, str] = {}
    for problem in problems:
        errors.setdefault(problem.field, problem.message)
    return errors


def error_status(error: ProposalsError) -> int:
    """422 for bad input, 404 for something missing, 409 for a step the state refuses."""
    if isinstance(error, InvalidSettings | ReasonRequired):
        return 422
    if isinstance(error, NotFound):
        return 404
    return 409


def refusal_errors(error: ProposalsError, field: str) -> dict[str, str]:
    """An error summary for a refused action, with the reasons a list is not ready."""
    if isinstance(error, InvalidSettings):
        return errors_of(error.problems)
    if isinstance(error, NotEligible):  # each reason, so each is shown in the page's language
        return {f"{field}-{i}" if i else field: reason for i, reason in enumerate(error.reasons)}
    errors = {field: error.message}
    if isinstance(error, ListNotReady):
        for index, reason in enumerate(error.reasons):
            errors[f"{field}-{index}"] = reason
    return errors


def refuse(request: Request, error: ProposalsError) -> Response:
    """A plain error page for a refused action (used where no form can be re-rendered)."""
    if isinstance(error, CycleExists):
        return render_error(request, 409, error.message)
    return render_error(request, error_status(error), error.message)


def see_other(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


def is_partial(request: Request) -> bool:
    """Whether htmx asked for the fragment (not a full page, not a history restore)."""
    return (
        request.headers.get("hx-request") == "true"
        and request.headers.get("hx-history-restore-request") != "true"
    )


def pagination(request: Request, total: int, page: int, per_page: int = PER_PAGE) -> dict[str, Any]:
    """Page numbers and the links to the previous and next pages, keeping the filters."""
    pages = max(1, math.ceil(total / per_page))
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]

    def link(number: int) -> str:
        return request.url.path + "?" + urlencode([*params, ("page", str(number))])

    return {
        "page": page,
        "pages": pages,
        "total": total,
        "previous": link(page - 1) if page > 1 else None,
        "next": link(page + 1) if page < pages else None,
    }
