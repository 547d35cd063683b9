"""The census provider: ID number and birth date, then a one-time code; and the roll import."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from functools import partial

import asyncpg
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from proposals.i18n import _
from service.accounts import Role
from service.census_codes import (
    CodeRefused,
    CodeRequestsLimited,
    check_attempt_limit,
    check_code,
    check_request_limits,
    request_code,
)
from service.citizens import peek_before_sign_in, remember_before_sign_in, take_before_sign_in
from service.i18n import locale_for, locale_settings, translate_message, translate_text
from service.identity import client_address, deliver_code
from service.middleware import UPLOAD_BODY_LIMIT
from service.routes.identity import services, signed_in
from service.staff_auth import require_staff, signed_in_staff
from service.templating import render
from verification import repository
from verification.identity.census import (
    ID_NUMBER,
    CensusFileRejected,
    entry_for,
    parse_birth_date,
    parse_census,
)
from verification.identity.model import normalise_subject, person_key
from verification.identity.otp import normalise_code

CODE_REQUEST = "census_code_request"
MAX_PROBLEMS_SHOWN = 200


def _too_many(request: Request) -> Response:
    return render(
        request,
        "identity/problem.html",
        {
            "title": _("Too many attempts"),
            "explanation": _(
                "There have been too many code requests or attempts for these details or from "
                "your connection. Wait an hour and try again, or sign in another way."
            ),
        },
        status_code=429,
    )


async def census_start(request: Request) -> Response:
    await repository.purge_expired(request.state.pool)
    return _start_page(request, {}, {}, 200)


def _start_page(
    request: Request, values: dict[str, str], errors: dict[str, str], status_code: int
) -> Response:
    context = {"values": values, "errors": errors}
    return render(request, "identity/census_start.html", context, status_code=status_code)


async def census_start_submit(request: Request) -> Response:
    form = await request.form()
    values = {
        "id_number": str(form.get("id_number", "")).strip()[:64],
        "birth_date": str(form.get("birth_date", "")).strip()[:32],
    }
    id_number = normalise_subject(values["id_number"])
    born = parse_birth_date(values["birth_date"], date.today())
    errors = {}
    if not ID_NUMBER.match(id_number):
        errors["id_number"] = _("Enter your ID number: 5 to 20 letters or digits.")
    if born is None:
        errors["birth_date"] = _("Enter your date of birth as YYYY-MM-DD, for example 1990-05-31.")
    if errors or born is None:
        return _start_page(request, values, errors, 422)
    pool: asyncpg.Pool = request.state.pool
    pepper: bytes = request.state.keys.identifier_pepper
    identity_services = services(request)
    person = person_key(pepper, id_number)
    try:
        await check_request_limits(pool, identity_services, pepper, person, client_address(request))
    except CodeRequestsLimited:
        return _too_many(request)
    requested = await request_code(pool, identity_services, person, born)
    message = requested.message
    if message is not None:  # the code is sent in the language of the page it was asked on
        zone = locale_settings(request).timezone
        in_language = partial(translate_text, locale=locale_for(request), zone=zone)
        message = dataclasses.replace(message, translate=in_language)
    response = RedirectResponse(
        "/identity/census/code",
        status_code=303,
        background=BackgroundTask(deliver_code, identity_services.gateway, message),
    )
    await remember_before_sign_in(request, response, CODE_REQUEST, {"handle": requested.handle})
    return response


def _code_page(request: Request, errors: dict[str, str], status_code: int) -> Response:
    policy = services(request).settings.code_policy
    context = {
        "errors": errors,
        "digits": policy.digits,
        "lifetime_minutes": policy.lifetime_minutes,
    }
    return render(request, "identity/census_code.html", context, status_code=status_code)


async def census_code(request: Request) -> Response:
    if await peek_before_sign_in(request, CODE_REQUEST) is None:
        return RedirectResponse("/identity/census", status_code=303)
    return _code_page(request, {}, 200)


REFUSALS = {
    "wrong": _("That code is not right. Check it and try again."),
    "expired": _("That code has expired. Ask for a new one."),
    "used": _("That code has already been used. Ask for a new one."),
    "exhausted": _("Too many wrong codes. Ask for a new one."),
    "unknown": _("We could not find your code request. Ask for a new code."),
    "not_on_roll": _("You are no longer on the census roll, so you cannot sign in this way."),
}


async def census_code_submit(request: Request) -> Response:
    pending = await peek_before_sign_in(request, CODE_REQUEST)
    if pending is None:
        return RedirectResponse("/identity/census", status_code=303)
    form = await request.form()
    digits = services(request).settings.code_policy.digits
    code = normalise_code(str(form.get("code", "")))
    if len(code) != digits:
        errors = {"code": _("Enter the {n}-digit code we sent you.", n=digits)}
        return _code_page(request, errors, 422)
    pool: asyncpg.Pool = request.state.pool
    pepper: bytes = request.state.keys.identifier_pepper
    try:
        await check_attempt_limit(pool, services(request), pepper, client_address(request))
        identity = await check_code(pool, str(pending["handle"]), code)
    except CodeRequestsLimited:
        return _too_many(request)
    except CodeRefused as refused:
        message = translate_message(request, REFUSALS.get(refused.reason, REFUSALS["unknown"]))
        if refused.reason == "wrong" and refused.attempts_left > 0:
            tries = _("You can try {n} more time(s).", n=refused.attempts_left)
            message += " " + translate_message(request, tries)
        elif refused.reason == "wrong":
            message = REFUSALS["exhausted"]
        status = 429 if refused.reason == "exhausted" else 422
        return _code_page(request, {"code": message}, status)
    await take_before_sign_in(request, CODE_REQUEST)
    return await signed_in(request, identity)


async def _import_page(
    request: Request,
    errors: dict[str, str],
    problems: list[tuple[int, str]],
    status_code: int,
    imported: int | None = None,
) -> Response:
    summary = await repository.census_summary(request.state.pool)
    context = {
        "errors": errors,
        "problems": problems[:MAX_PROBLEMS_SHOWN],
        "more_problems": max(0, len(problems) - MAX_PROBLEMS_SHOWN),
        "summary": summary,
        "imported": imported,
        "limit_mb": UPLOAD_BODY_LIMIT // 1_000_000,
    }
    return render(request, "identity/census_import.html", context, status_code=status_code)


@require_staff(Role.ADMINISTRATOR, Role.OBSERVER)
async def census_import(request: Request) -> Response:
    return await _import_page(request, {}, [], 200)


@require_staff(Role.ADMINISTRATOR)
async def census_import_submit(request: Request) -> Response:
    staff_id = signed_in_staff(request).id
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("census")
        data = await upload.read() if isinstance(upload, UploadFile) else b""
    if not data:
        errors = {"census": _("Choose the census file (CSV) to import.")}
        return await _import_page(request, errors, [], 422)
    pepper: bytes = request.state.keys.identifier_pepper
    try:
        rows = parse_census(data, today=date.today())
    except CensusFileRejected as rejected:
        errors = {
            "census": _(
                "The file was not imported: {n} problem(s), listed below.", n=len(rejected.problems)
            )
        }
        problems = [(p.line, p.message) for p in rejected.problems]
        return await _import_page(request, errors, problems, 422)
    key = services(request).contact_key
    entries = await asyncio.to_thread(lambda: [entry_for(row, pepper, key) for row in rows])
    imported = await repository.replace_census(
        request.state.pool, entries, source="upload", staff_id=staff_id
    )
    return await _import_page(request, {}, [], 200, imported=imported.entries)


routes = [
    Route("/identity/census", census_start, name="identity.census_start"),
    Route(
        "/identity/census",
        census_start_submit,
        methods=["POST"],
        name="identity.census_start_submit",
    ),
    Route("/identity/census/code", census_code, name="identity.census_code"),
    Route(
        "/identity/census/code",
        census_code_submit,
        methods=["POST"],
        name="identity.census_code_submit",
    ),
    Route("/identity/census/import", census_import, name="admin.census_import"),
    Route(
        "/identity/census/import",
        census_import_submit,
        methods=["POST"],
        name="admin.census_import_submit",
    ),
]
