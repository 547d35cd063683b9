"""Public proposal pages, and citizens submitting and editing their own proposals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals import repository as store
from proposals.errors import InvalidSettings, NotFound, Problem, ProposalsError
from proposals.i18n import _
from proposals.model import STATUS_NAMES, Cycle, ItemQuery, Proposal, ProposalDraft, ProposalStatus
from proposals.money import MoneyFormatError, format_money_input, parse_money
from proposals.phases import Action, allows
from proposals.validation import clean_text, proposal_problems
from service.citizens import current_citizen
from service.forms import Form, parse_id, query_page, query_text, read_form
from service.routes.common import (
    PER_PAGE,
    cycle_or_404,
    error_status,
    is_partial,
    pagination,
    refusal_errors,
    see_other,
)
from service.templating import render
from service.workflows import participation
from verification.identity.model import CitizenSession

FIELDS = ("title", "description", "scope", "area", "location", "estimated_cost")


async def lookups(request: Request, cycle: Cycle) -> dict[str, Any]:
    """Scopes and areas of a cycle, as names and as form options."""
    pool = request.state.pool
    scopes = await store.fetch_scopes(pool, cycle.id)
    areas = await store.fetch_areas(pool, cycle.id)
    return {
        "cycle": cycle,
        "phase": cycle.phase_at(datetime.now(UTC)),
        "scope_names": {s.id: s.name for s in scopes},
        "area_names": {a.id: a.name for a in areas},
        "scope_options": [(str(s.id), s.name) for s in scopes],
        "area_options": [(str(a.id), a.name) for a in areas],
    }


def item_query(request: Request, statuses: set[str]) -> ItemQuery:
    """The search and filters of a list page, read leniently (bad values are ignored)."""
    status = request.query_params.get("status") or None
    return ItemQuery(
        text=query_text(request, "q") or None,
        scope_id=parse_id(request.query_params.get("scope")),
        area_id=parse_id(request.query_params.get("area")),
        status=status if status in statuses else None,
        page=query_page(request),
        per_page=PER_PAGE,
    )


async def list_proposals(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await current_citizen(request)
    query = item_query(request, {s.value for s in ProposalStatus})
    found, total = await store.search_proposals(request.state.pool, cycle.id, query)
    context = await lookups(request, cycle)
    context.update(
        proposals=found,
        query=query,
        statuses=[("", _("Any status"))] + [(s.value, _status(s.value)) for s in ProposalStatus],
        paging=pagination(request, total, query.page),
    )
    name = "proposals/_results.html" if is_partial(request) else "proposals/list.html"
    response = render(request, name, context)
    response.headers["Vary"] = "HX-Request"
    return response


def _status(value: str) -> str:
    return STATUS_NAMES.get(value, value)


async def show_proposal(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    pool = request.state.pool
    try:
        proposal = await store.fetch_proposal(pool, cycle.id, request.path_params["proposal_id"])
    except NotFound:
        raise HTTPException(404) from None
    context = await lookups(request, cycle)
    project = (
        await store.fetch_project(pool, cycle.id, proposal.project_id)
        if proposal.project_id
        else None
    )
    context.update(
        proposal=proposal,
        project=project,
        events=await store.fetch_proposal_events(pool, proposal.id),
        complaints=await store.fetch_complaints(pool, cycle.id, proposal_id=proposal.id),
        own=citizen is not None and citizen.person_key == proposal.author_key,
        can_edit=allows(context["phase"], Action.EDIT_PROPOSAL)
        and proposal.status is ProposalStatus.SUBMITTED,
        can_complain=allows(context["phase"], Action.FILE_COMPLAINT)
        and cycle.final_list_published_at is None
        and proposal.status not in (ProposalStatus.SUBMITTED, ProposalStatus.IN_REVIEW),
    )
    return render(request, "proposals/show.html", context)


def sign_in_path(request: Request) -> str:
    """Where a citizen signs in for this cycle, coming back here afterwards."""
    slug = quote(str(request.path_params.get("slug", "")), safe="")
    return f"/identity/sign-in?cycle={slug}&next=" + quote(request.url.path, safe="/")


def _draft(form: Form) -> tuple[ProposalDraft | None, list[Problem]]:
    problems = []
    try:
        cost = parse_money(form.get("estimated_cost"))
    except MoneyFormatError as error:
        problems.append(Problem("estimated_cost", error.message))
        cost = 0
    scope_id = parse_id(form.get("scope"))
    if scope_id is None:
        problems.append(Problem("scope", _("Choose the scope (budget) this belongs to.")))
    draft = ProposalDraft(
        scope_id=scope_id or 0,
        area_id=parse_id(form.get("area")),
        title=clean_text(form.get("title")),
        description=clean_text(form.get("description"), multiline=True),
        location=clean_text(form.get("location")),
        estimated_cost_cents=cost,
    )
    return (None if problems else draft), problems


async def _every_problem(
    request: Request, cycle: Cycle, form: Form, unreadable: list[Problem]
) -> list[Problem]:
    """All that is wrong with a form whose cost or scope could not even be read, so that the
    error summary lists every mistake at once (not the others only after these are fixed)."""
    pool = request.state.pool
    readable = ProposalDraft(
        scope_id=parse_id(form.get("scope")) or 0,
        area_id=parse_id(form.get("area")),
        title=clean_text(form.get("title")),
        description=clean_text(form.get("description"), multiline=True),
        location=clean_text(form.get("location")),
        estimated_cost_cents=1,
    )
    fields = {p.field for p in unreadable}
    others = proposal_problems(
        readable,
        cycle.settings.project_cost_cap_cents,
        await store.fetch_scopes(pool, cycle.id),
        await store.fetch_areas(pool, cycle.id),
    )
    return [*unreadable, *(p for p in others if p.field not in fields)]


def _in_form_order(errors: dict[str, str]) -> dict[str, str]:
    """The error summary follows the order of the form's fields."""
    order = {name: index for index, name in enumerate(FIELDS)}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


async def _form_page(
    request: Request,
    cycle: Cycle,
    citizen: CitizenSession | None,
    proposal: Proposal | None,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = await lookups(request, cycle)
    action = Action.EDIT_PROPOSAL if proposal else Action.SUBMIT_PROPOSAL
    context.update(
        proposal=proposal,
        citizen=citizen,
        values=values,
        errors=errors,
        open=allows(context["phase"], action),
        sign_in=sign_in_path(request),
        ineligible=participation.eligibility_reasons(cycle, citizen) if citizen else [],
    )
    return render(request, "proposals/form.html", context, status_code=status)


async def new_proposal(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    return await _form_page(request, cycle, citizen, None, {}, {})


async def create_proposal(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    form = await read_form(request)
    values = {k: form.get(k) for k in FIELDS}
    if citizen is None:
        errors = {"title": _("Sign in to submit a proposal. Nothing was stored.")}
        return await _form_page(request, cycle, None, None, values, errors, 403)
    draft, problems = _draft(form)
    try:
        if draft is None:
            raise InvalidSettings(await _every_problem(request, cycle, form, problems))
        proposal = await participation.submit_proposal(
            request.state.pool, citizen, cycle.slug, draft
        )
    except ProposalsError as error:
        errors = _in_form_order(refusal_errors(error, "title"))
        return await _form_page(request, cycle, citizen, None, values, errors, error_status(error))
    path = request.app.url_path_for("proposals.show", slug=cycle.slug, proposal_id=proposal.id)
    return see_other(f"{path}?submitted=1")


async def _own_or_404(request: Request, cycle: Cycle, citizen: CitizenSession) -> Proposal:
    try:
        return await participation.fetch_own_proposal(
            request.state.pool, cycle, citizen, request.path_params["proposal_id"]
        )
    except NotFound:
        raise HTTPException(404) from None


async def edit_proposal(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    if citizen is None:
        return await _form_page(request, cycle, None, None, {}, {})
    proposal = await _own_or_404(request, cycle, citizen)
    values = {
        "title": proposal.title,
        "description": proposal.description,
        "scope": str(proposal.scope_id),
        "area": str(proposal.area_id or ""),
        "location": proposal.location,
        "estimated_cost": format_money_input(proposal.estimated_cost_cents),
    }
    return await _form_page(request, cycle, citizen, proposal, values, {})


async def update_proposal(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    form = await read_form(request)
    values = {k: form.get(k) for k in FIELDS}
    if citizen is None:
        errors = {"title": _("Sign in to change your proposal. Nothing was stored.")}
        return await _form_page(request, cycle, None, None, values, errors, 403)
    proposal = await _own_or_404(request, cycle, citizen)
    draft, problems = _draft(form)
    try:
        if draft is None:
            raise InvalidSettings(await _every_problem(request, cycle, form, problems))
        await participation.edit_proposal(
            request.state.pool, citizen, cycle.slug, proposal.id, draft
        )
    except ProposalsError as error:
        errors = _in_form_order(refusal_errors(error, "title"))
        return await _form_page(
            request, cycle, citizen, proposal, values, errors, error_status(error)
        )
    path = request.app.url_path_for("proposals.show", slug=cycle.slug, proposal_id=proposal.id)
    return see_other(f"{path}?saved=1")


async def my_proposals(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    context = await lookups(request, cycle)
    mine = (
        await store.fetch_author_proposals(request.state.pool, cycle.id, citizen.person_key)
        if citizen
        else []
    )
    context.update(proposals=mine, sign_in=sign_in_path(request))
    return render(request, "proposals/mine.html", context)


_C = "/cycles/{slug}"
routes = [
    Route(f"{_C}/proposals", list_proposals, methods=["GET"], name="proposals.list"),
    Route(f"{_C}/proposals/new", new_proposal, methods=["GET"], name="proposals.new"),
    Route(f"{_C}/proposals/new", create_proposal, methods=["POST"], name="proposals.create"),
    Route(
        f"{_C}/proposals/{{proposal_id:id}}", show_proposal, methods=["GET"], name="proposals.show"
    ),
    Route(
        f"{_C}/proposals/{{proposal_id:id}}/edit",
        edit_proposal,
        methods=["GET"],
        name="proposals.edit",
    ),
    Route(
        f"{_C}/proposals/{{proposal_id:id}}/edit",
        update_proposal,
        methods=["POST"],
        name="proposals.update",
    ),
    Route(f"{_C}/my-proposals", my_proposals, methods=["GET"], name="proposals.mine"),
]
