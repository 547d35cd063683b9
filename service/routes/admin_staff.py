"""Administrators manage staff accounts; observers may read the list."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals.errors import InvalidSettings, NotFound
from proposals.i18n import _
from service import repository
from service.accounts import ROLE_NAMES, Role, StaffAccount
from service.forms import read_form
from service.routes.common import errors_of, see_other
from service.staff_auth import require_staff, signed_in_staff
from service.templating import render
from service.workflows import staff as workflow

ADMIN = Role.ADMINISTRATOR
ROLE_OPTIONS = [
    (
        Role.ADMINISTRATOR.value,
        ROLE_NAMES["administrator"],
        _("Configures cycles and manages staff."),
    ),
    (
        Role.REVIEWER.value,
        ROLE_NAMES["reviewer"],
        _("Reviews proposals, makes projects, answers complaints."),
    ),
    (Role.DESK.value, ROLE_NAMES["desk"], _("Enters paper ballots at an assisted-voting desk.")),
    (
        Role.OBSERVER.value,
        ROLE_NAMES["observer"],
        _("Reads the administration pages; changes nothing."),
    ),
]


def _role(value: str) -> Role | None:
    try:
        return Role(value)
    except ValueError:
        return None


async def _member(request: Request) -> StaffAccount:
    account = await repository.fetch_staff(request.state.pool, request.path_params["staff_id"])
    if account is None:
        raise HTTPException(404)
    return account


@require_staff(ADMIN, Role.OBSERVER)
async def staff_list(request: Request) -> Response:
    accounts = await repository.fetch_all_staff(request.state.pool)
    return render(request, "admin/staff_list.html", {"accounts": accounts})


@require_staff(ADMIN, Role.OBSERVER)
async def staff_new(request: Request) -> Response:
    context = {"errors": {}, "values": {"role": Role.REVIEWER.value}, "roles": ROLE_OPTIONS}
    return render(request, "admin/staff_new.html", context)


@require_staff(ADMIN)
async def staff_create(request: Request) -> Response:
    form = await read_form(request)
    values = {k: form.get(k) for k in ("username", "display_name", "role")}
    role = _role(values["role"])
    try:
        if role is None:
            raise InvalidSettings([])
        account, password = await workflow.create_staff(
            request.state.pool,
            signed_in_staff(request),
            values["username"],
            values["display_name"],
            role,
        )
    except InvalidSettings as invalid:
        errors = errors_of(invalid.problems)
        if role is None:
            errors["role"] = _("Choose a role.")
        context = {"errors": errors, "values": values, "roles": ROLE_OPTIONS}
        return render(request, "admin/staff_new.html", context, status_code=422)
    return render(
        request, "admin/one_time_password.html", {"account": account, "password": password}
    )


@require_staff(ADMIN, Role.OBSERVER)
async def staff_member(request: Request) -> Response:
    account = await _member(request)
    context = {"account": account, "errors": {}, "roles": ROLE_OPTIONS, "values": None}
    return render(request, "admin/staff_member.html", context)


@require_staff(ADMIN)
async def staff_update(request: Request) -> Response:
    account = await _member(request)
    form = await read_form(request)
    role = _role(form.get("role"))
    values = {"display_name": form.get("display_name"), "role": form.get("role")}
    try:
        if role is None:
            raise InvalidSettings([])
        await workflow.change_staff(
            request.state.pool, signed_in_staff(request), account.id, role, values["display_name"]
        )
    except (InvalidSettings, NotFound) as error:
        errors = errors_of(error.problems) if isinstance(error, InvalidSettings) else {}
        if role is None:
            errors["role"] = _("Choose a role.")
        context = {"account": account, "errors": errors, "roles": ROLE_OPTIONS, "values": values}
        return render(request, "admin/staff_member.html", context, status_code=422)
    return see_other(request.url.path.removesuffix("/edit"))


@require_staff(ADMIN)
async def staff_activate(request: Request) -> Response:
    account = await _member(request)
    form = await read_form(request)
    try:
        await workflow.set_staff_active(
            request.state.pool, signed_in_staff(request), account.id, form.get("active") == "1"
        )
    except InvalidSettings as invalid:
        context = {
            "account": account,
            "errors": errors_of(invalid.problems),
            "roles": ROLE_OPTIONS,
            "values": None,
        }
        return render(request, "admin/staff_member.html", context, status_code=422)
    return see_other(str(request.app.url_path_for("admin.staff_member", staff_id=account.id)))


@require_staff(ADMIN)
async def staff_reset_password(request: Request) -> Response:
    account = await _member(request)
    account, password = await workflow.reset_staff_password(
        request.state.pool, signed_in_staff(request), account.id
    )
    return render(
        request, "admin/one_time_password.html", {"account": account, "password": password}
    )


routes = [
    Route("/admin/staff", staff_list, methods=["GET"], name="admin.staff_list"),
    Route("/admin/staff/new", staff_new, methods=["GET"], name="admin.staff_new"),
    Route("/admin/staff/new", staff_create, methods=["POST"], name="admin.staff_create"),
    Route("/admin/staff/{staff_id:id}", staff_member, methods=["GET"], name="admin.staff_member"),
    Route(
        "/admin/staff/{staff_id:id}/edit", staff_update, methods=["POST"], name="admin.staff_update"
    ),
    Route(
        "/admin/staff/{staff_id:id}/active",
        staff_activate,
        methods=["POST"],
        name="admin.staff_activate",
    ),
    Route(
        "/admin/staff/{staff_id:id}/reset-password",
        staff_reset_password,
        methods=["POST"],
        name="admin.staff_reset_password",
    ),
]
