"""Administrators configure cycles, scopes and phases; reviewers and observers read them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ballots.model import BallotKind
from proposals import repository as store
from proposals.errors import InvalidSettings, ProposalsError
from proposals.i18n import _
from proposals.model import Cycle, Scope
from proposals.phases import DATED_PHASES, Action, allows, next_phase
from proposals.tally_choice import (
    COMPLETION_NAMES,
    COMPLETIONS,
    RULE_NAMES,
    TIE_BREAK_NAMES,
    UTILITIES,
    UTILITY_NAMES,
)
from proposals.validation import cycle_problems
from service import i18n
from service.accounts import Role
from service.audit import staff_actor
from service.forms import parse_moment, read_form
from service.identity import PROVIDER_NAMES
from service.routes.common import cycle_or_404, error_status, errors_of, refusal_errors, see_other
from service.routes.cycle_forms import (
    cycle_form_values,
    parse_cycle_form,
    parse_scope_form,
    scope_form_values,
)
from service.staff_auth import READERS, require_staff, signed_in_staff
from service.template_helpers import BALLOT_KIND_NAMES
from service.templating import render
from service.workflows import cycles as workflow
from verification.eligibility import STATUS_NAMES, STATUSES

ADMIN = Role.ADMINISTRATOR
BALLOT_KINDS = [
    (
        kind.value,
        BALLOT_KIND_NAMES[kind.value],
        _("As OPP.") if kind is BallotKind.SINGLE_CHOICE else None,
    )
    for kind in BallotKind
]


def _form_context(
    cycle: Cycle | None, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "values": values,
        "errors": errors,
        "phases": DATED_PHASES,
        "providers": [(p, PROVIDER_NAMES[p], None) for p in ("oidc", "credential", "census")],
        "statuses": [(s, STATUS_NAMES[s], None) for s in STATUSES],
        "schedule_editable": cycle is None
        or allows(cycle.phase_at(datetime.now(UTC)), Action.EDIT_SCHEDULE),
    }


@require_staff(*READERS)
async def cycles(request: Request) -> Response:
    found = await store.fetch_cycles(request.state.pool)
    return render(request, "admin/cycles.html", {"cycles": found, "now": datetime.now(UTC)})


@require_staff(ADMIN, Role.OBSERVER)
async def cycle_new(request: Request) -> Response:
    default_language = i18n.locale_settings(request).default_locale
    values = cycle_form_values(None, default_language=default_language)
    return render(request, "admin/cycle_form.html", _form_context(None, values, {}))


@require_staff(ADMIN)
async def cycle_create(request: Request) -> Response:
    form = await read_form(request)
    settings, problems = parse_cycle_form(form, None)
    try:
        if problems:
            raise InvalidSettings(problems + cycle_problems(settings))
        cycle = await workflow.create_cycle(
            request.state.pool, staff_actor(signed_in_staff(request)), settings
        )
    except ProposalsError as error:
        context = _form_context(None, cycle_form_values(None, form), refusal_errors(error, "slug"))
        return render(request, "admin/cycle_form.html", context, status_code=error_status(error))
    return see_other(str(request.app.url_path_for("admin.cycle", slug=cycle.slug)))


@require_staff(*READERS)
async def cycle(request: Request) -> Response:
    found = await cycle_or_404(request)
    pool = request.state.pool
    context = {
        "cycle": found,
        "phase": found.phase_at(datetime.now(UTC)),
        "scopes": await store.fetch_scopes(pool, found.id),
        "changes": await store.fetch_phase_changes(pool, found.id),
        "areas": await store.fetch_areas(pool, found.id),
    }
    return render(request, "admin/cycle.html", context)


@require_staff(ADMIN, Role.OBSERVER)
async def cycle_edit(request: Request) -> Response:
    found = await cycle_or_404(request)
    return render(
        request, "admin/cycle_form.html", _form_context(found, cycle_form_values(found), {})
    )


@require_staff(ADMIN)
async def cycle_update(request: Request) -> Response:
    found = await cycle_or_404(request)
    form = await read_form(request)
    settings, problems = parse_cycle_form(form, found.slug)
    if not _form_context(found, {}, {})["schedule_editable"]:
        settings = replace(settings, schedule=found.settings.schedule)
        problems = [p for p in problems if not p.field.startswith("phases.")]
    try:
        if problems:
            raise InvalidSettings(problems + cycle_problems(settings))
        await workflow.update_cycle(
            request.state.pool, staff_actor(signed_in_staff(request)), found.slug, settings
        )
    except ProposalsError as error:
        context = _form_context(
            found, cycle_form_values(found, form), refusal_errors(error, "name")
        )
        return render(request, "admin/cycle_form.html", context, status_code=error_status(error))
    return see_other(str(request.app.url_path_for("admin.cycle", slug=found.slug)))


def _scope_context(
    cycle: Cycle, scope: Scope | None, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "cycle": cycle,
        "scope": scope,
        "values": values,
        "errors": errors,
        "ballot_kinds": BALLOT_KINDS,
        "rules": list(RULE_NAMES.items()),
        "completions": [(c, COMPLETION_NAMES[c]) for c in COMPLETIONS],
        "utilities": [(u, UTILITY_NAMES[u]) for u in UTILITIES],
        "tie_breaks": list(TIE_BREAK_NAMES.items()),
        "statuses": [(s, STATUS_NAMES[s], None) for s in STATUSES],
    }


async def _scope_or_404(request: Request, cycle: Cycle) -> Scope:
    scopes = await store.fetch_scopes(request.state.pool, cycle.id)
    scope = next((s for s in scopes if s.id == request.path_params["scope_id"]), None)
    if scope is None:
        raise HTTPException(404)
    return scope


@require_staff(ADMIN, Role.OBSERVER)
async def scope_new(request: Request) -> Response:
    found = await cycle_or_404(request)
    context = _scope_context(found, None, scope_form_values(None), {})
    return render(request, "admin/scope_form.html", context)


@require_staff(ADMIN, Role.OBSERVER)
async def scope_edit(request: Request) -> Response:
    found = await cycle_or_404(request)
    scope = await _scope_or_404(request, found)
    context = _scope_context(found, scope, scope_form_values(scope), {})
    return render(request, "admin/scope_form.html", context)


@require_staff(ADMIN)
async def scope_save(request: Request) -> Response:
    found = await cycle_or_404(request)
    scope = await _scope_or_404(request, found) if "scope_id" in request.path_params else None
    form = await read_form(request)
    settings, problems = parse_scope_form(form)
    try:
        if settings is None:
            raise InvalidSettings(problems)
        await workflow.save_scope(
            request.state.pool,
            staff_actor(signed_in_staff(request)),
            found.slug,
            settings,
            scope.id if scope else None,
        )
    except ProposalsError as error:
        context = _scope_context(
            found, scope, scope_form_values(scope, form), refusal_errors(error, "name")
        )
        return render(request, "admin/scope_form.html", context, status_code=error_status(error))
    return see_other(str(request.app.url_path_for("admin.cycle", slug=found.slug)))


async def _phase_context(
    request: Request, cycle: Cycle, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    phase = cycle.phase_at(datetime.now(UTC))
    return {
        "changes": await store.fetch_phase_changes(request.state.pool, cycle.id),
        "cycle": cycle,
        "phase": phase,
        "following": next_phase(phase),
        "end": cycle.settings.schedule.end_of(phase) if phase.value != "upcoming" else None,
        "values": values,
        "errors": errors,
    }


@require_staff(ADMIN, Role.OBSERVER)
async def phase_page(request: Request) -> Response:
    found = await cycle_or_404(request)
    context = await _phase_context(request, found, {"kind": "advance"}, {})
    return render(request, "admin/phase.html", context)


@require_staff(ADMIN)
async def phase_change(request: Request) -> Response:
    found = await cycle_or_404(request)
    form = await read_form(request)
    values = {k: form.get(k) for k in ("kind", "reason", "new_end")}
    new_end = None
    errors: dict[str, str] = {}
    if values["kind"] == "extend":
        new_end = parse_moment(values["new_end"], ZoneInfo(found.settings.timezone))
        if new_end is None:
            errors["new_end"] = _("Enter the new end as a date and time, e.g. 2018-05-10 18:00.")
    elif values["kind"] != "advance":
        errors["kind"] = _("Choose to advance or to extend the phase.")
    if not errors:
        try:
            await workflow.change_phase(
                request.state.pool,
                staff_actor(signed_in_staff(request)),
                signed_in_staff(request).id,
                found.slug,
                kind=values["kind"],
                reason=values["reason"],
                new_end=new_end,
            )
            return see_other(str(request.app.url_path_for("admin.cycle", slug=found.slug)))
        except ProposalsError as error:
            field = "reason" if error_status(error) == 422 else "kind"
            errors = (
                errors_of(error.problems)
                if isinstance(error, InvalidSettings)
                else {field: error.message}
            )
            status = error_status(error)
    else:
        status = 422
    context = await _phase_context(request, found, values, errors)
    return render(request, "admin/phase.html", context, status_code=status)


routes = [
    Route("/admin", cycles, methods=["GET"], name="admin.home"),
    Route("/admin/cycles", cycles, methods=["GET"], name="admin.cycles"),
    Route("/admin/cycles/new", cycle_new, methods=["GET"], name="admin.cycle_new"),
    Route("/admin/cycles/new", cycle_create, methods=["POST"], name="admin.cycle_create"),
    Route("/admin/cycles/{slug}", cycle, methods=["GET"], name="admin.cycle"),
    Route("/admin/cycles/{slug}/edit", cycle_edit, methods=["GET"], name="admin.cycle_edit"),
    Route("/admin/cycles/{slug}/edit", cycle_update, methods=["POST"], name="admin.cycle_update"),
    Route("/admin/cycles/{slug}/scopes/new", scope_new, methods=["GET"], name="admin.scope_new"),
    Route(
        "/admin/cycles/{slug}/scopes/new", scope_save, methods=["POST"], name="admin.scope_create"
    ),
    Route(
        "/admin/cycles/{slug}/scopes/{scope_id:id}",
        scope_edit,
        methods=["GET"],
        name="admin.scope_edit",
    ),
    Route(
        "/admin/cycles/{slug}/scopes/{scope_id:id}",
        scope_save,
        methods=["POST"],
        name="admin.scope_update",
    ),
    Route("/admin/cycles/{slug}/phase", phase_page, methods=["GET"], name="admin.phase"),
    Route("/admin/cycles/{slug}/phase", phase_change, methods=["POST"], name="admin.phase_change"),
]
