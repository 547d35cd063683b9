"""The development sign-in: pick the attributes an identity provider would vouch for.

It exists so the pages and tests can act as citizens before the real providers land; with
`CIVICA_ENV=production` every route here answers 404.
"""

from __future__ import annotations

from datetime import date

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals.i18n import _
from proposals.validation import REGION_CODE
from service.citizens import sign_in_citizen, sign_out_citizen
from service.forms import read_form
from service.redirects import local_path
from service.routes.common import see_other
from service.templating import render
from verification.eligibility import STATUSES
from verification.identity.model import VerifiedIdentity

STATUS_OPTIONS = [(s, s.replace("_", " "), None) for s in STATUSES] + [
    ("other", _("other (e.g. a visitor)"), None)
]


def _refuse_in_production(request: Request) -> None:
    if request.app.state.settings.is_production:
        raise HTTPException(404)


def _next(value: str) -> str:
    return local_path(value)


async def sign_in_page(request: Request) -> Response:
    _refuse_in_production(request)
    values = {
        "subject": "dev-citizen-1",
        "birth_date": "1980-05-17",
        "residence": "norte",
        "status": "citizen",
        "next": _next(request.query_params.get("next", "/")),
    }
    return render(
        request, "dev/sign_in.html", {"values": values, "errors": {}, "statuses": STATUS_OPTIONS}
    )


async def sign_in(request: Request) -> Response:
    _refuse_in_production(request)
    form = await read_form(request)
    values = {k: form.get(k) for k in ("subject", "birth_date", "residence", "status", "next")}
    errors = {}
    subject = values["subject"].strip()
    if not 1 <= len(subject) <= 100 or not subject.isprintable():
        errors["subject"] = _("Enter a name for this test identity (1 to 100 characters).")
    born = None
    if values["birth_date"].strip():
        try:
            born = date.fromisoformat(values["birth_date"].strip())
        except ValueError:
            errors["birth_date"] = _("Enter a date such as 1980-05-17.")
    if not REGION_CODE.match(values["residence"].strip() or "none"):
        errors["residence"] = _("Use letters, digits, dots, hyphens and underscores.")
    if values["status"] not in {s for s, _t, _h in STATUS_OPTIONS}:
        errors["status"] = _("Choose a status.")
    if errors:
        context = {"values": values, "errors": errors, "statuses": STATUS_OPTIONS}
        return render(request, "dev/sign_in.html", context, status_code=422)
    identity = VerifiedIdentity(
        provider="dev",
        subject_key=f"dev:{subject}",
        birth_date=born,
        residence=values["residence"].strip() or None,
        status=values["status"],
        census_member=form.get("census_member") == "1",
    )
    response = see_other(_next(values["next"]))
    await sign_in_citizen(request, response, identity)
    return response


async def sign_out(request: Request) -> Response:
    _refuse_in_production(request)
    response = see_other("/")
    await sign_out_citizen(request, response)
    return response


routes = [
    Route("/dev/sign-in", sign_in_page, methods=["GET"], name="dev.sign_in"),
    Route("/dev/sign-in", sign_in, methods=["POST"], name="dev.sign_in_submit"),
    Route("/dev/sign-out", sign_out, methods=["POST"], name="dev.sign_out"),
]
