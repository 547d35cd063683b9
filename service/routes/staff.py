"""Staff sign-in, sign-out (here or everywhere), the forced password change and the staff home."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals.errors import InvalidSettings
from proposals.i18n import _
from service import repository
from service.forms import read_form
from service.routes.common import errors_of, see_other
from service.sessions import begin_session, end_session
from service.staff_auth import (
    ALL_STAFF,
    SignInRefused,
    authenticate,
    client_address,
    current_staff,
    require_staff,
    signed_in_staff,
)
from service.templating import render
from service.workflows import staff as staff_workflow

USERNAME_CHARACTERS = re.compile(r"[^a-z0-9._-]")


def _next_path(value: str) -> str:
    """A safe place to go after signing in: a local path only."""
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff"


async def sign_in_page(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is not None and not staff.must_change_password:
        return see_other("/staff")
    context = {"errors": {}, "username": "", "next": request.query_params.get("next", "")}
    return render(request, "staff/sign_in.html", context)


async def sign_in(request: Request) -> Response:
    form = await read_form(request)
    username = form.get("username").strip().lower()[:100]
    password = form.get("password")[:1000]
    next_path = _next_path(form.get("next"))
    try:
        staff = await authenticate(request.state.pool, username, password, client_address(request))
    except SignInRefused as refused:
        shown = USERNAME_CHARACTERS.sub("", username)
        context = {"errors": {"username": refused.message}, "username": shown, "next": next_path}
        return render(
            request, "staff/sign_in.html", context, status_code=429 if refused.throttled else 422
        )
    response = see_other("/staff/password" if staff.must_change_password else next_path)
    await begin_session(request, response, staff_id=staff.id)
    return response


async def sign_out(request: Request) -> Response:
    response = see_other("/staff/sign-in")
    await end_session(request, response)
    return response


async def sign_out_everywhere(request: Request) -> Response:
    staff = await current_staff(request)
    response = see_other("/staff/sign-in")
    if staff is not None:
        await repository.delete_staff_sessions(request.state.pool, staff.id)
    await end_session(request, response)
    return response


async def password_page(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return see_other("/staff/sign-in")
    return render(
        request, "staff/password.html", {"errors": {}, "forced": staff.must_change_password}
    )


async def change_password(request: Request) -> Response:
    staff = await current_staff(request)
    if staff is None:
        return see_other("/staff/sign-in")
    form = await read_form(request)
    try:
        account = await staff_workflow.change_own_password(
            request.state.pool,
            staff,
            form.get("current_password"),
            form.get("new_password"),
            form.get("confirm_password"),
        )
    except InvalidSettings as invalid:
        context = {"errors": errors_of(invalid.problems), "forced": staff.must_change_password}
        return render(request, "staff/password.html", context, status_code=422)
    response = see_other("/staff?changed=1")
    await begin_session(request, response, staff_id=account.id)
    return response


@require_staff(*ALL_STAFF)
async def home(request: Request) -> Response:
    notice = _("Your password is changed.") if request.query_params.get("changed") else None
    return render(request, "staff/home.html", {"staff": signed_in_staff(request), "notice": notice})


routes = [
    Route("/staff/sign-in", sign_in_page, methods=["GET"], name="staff.sign_in"),
    Route("/staff/sign-in", sign_in, methods=["POST"], name="staff.sign_in_submit"),
    Route("/staff/sign-out", sign_out, methods=["POST"], name="staff.sign_out"),
    Route(
        "/staff/sign-out-everywhere",
        sign_out_everywhere,
        methods=["POST"],
        name="staff.sign_out_everywhere",
    ),
    Route("/staff/password", password_page, methods=["GET"], name="staff.password"),
    Route("/staff/password", change_password, methods=["POST"], name="staff.password_submit"),
    Route("/staff", home, methods=["GET"], name="staff.home"),
]
