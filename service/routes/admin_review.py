"""Reviewers review proposals, make projects, publish the lists and answer complaints;
administrators and observers read the same pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals import repository as store
from proposals import review
from proposals.errors import InvalidSettings, NotFound, Problem, ProposalsError
from proposals.i18n import _
from proposals.model import (
    ComplaintOutcome,
    ComplaintStatus,
    Cycle,
    ItemQuery,
    Project,
    ProjectDraft,
    ProposalStatus,
)
from proposals.money import MoneyFormatError, format_money_input, parse_money
from proposals.validation import clean_text
from service.accounts import Role
from service.forms import Form, parse_id, query_page, read_form
from service.routes.common import (
    PER_PAGE,
    cycle_or_404,
    error_status,
    pagination,
    refusal_errors,
    see_other,
)
from service.staff_auth import READERS, require_staff, signed_in_staff
from service.templating import render
from service.workflows import review as workflow

REVIEWER = Role.REVIEWER
PROJECT_FIELDS = ("title", "description", "location", "cost", "scope", "area")


def _path(request: Request, name: str, **params: Any) -> str:
    return str(request.app.url_path_for(name, **params))


async def _lookups(request: Request, cycle: Cycle) -> dict[str, Any]:
    pool = request.state.pool
    scopes = await store.fetch_scopes(pool, cycle.id)
    areas = await store.fetch_areas(pool, cycle.id)
    return {
        "cycle": cycle,
        "phase": cycle.phase_at(datetime.now(UTC)),
        "scopes": scopes,
        "scope_names": {s.id: s.name for s in scopes},
        "areas": areas,
        "area_names": {a.id: a.name for a in areas},
        "scope_options": [(str(s.id), s.name) for s in scopes],
        "area_options": [(str(a.id), a.name) for a in areas],
    }


@require_staff(*READERS)
async def proposals(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    status = request.query_params.get("status") or None
    if status not in {s.value for s in ProposalStatus}:
        status = None
    query = ItemQuery(
        status=status,
        scope_id=parse_id(request.query_params.get("scope")),
        page=query_page(request),
        per_page=PER_PAGE,
    )
    found, total = await store.search_proposals(request.state.pool, cycle.id, query)
    context = await _lookups(request, cycle)
    context.update(
        proposals=found,
        query=query,
        statuses=[("", _("Any status"))] + [(s.value, s.value) for s in ProposalStatus],
        paging=pagination(request, total, query.page),
    )
    return render(request, "admin/proposals.html", context)


async def _proposal_page(
    request: Request, cycle: Cycle, proposal_id: int, errors: dict[str, str], status: int = 200
) -> Response:
    pool = request.state.pool
    try:
        proposal = await store.fetch_proposal(pool, cycle.id, proposal_id)
    except NotFound:
        raise HTTPException(404) from None
    context = await _lookups(request, cycle)
    projects = await store.fetch_cycle_projects(pool, cycle.id)
    context.update(
        proposal=proposal,
        events=await store.fetch_proposal_events(pool, proposal.id),
        complaints=await store.fetch_complaints(pool, cycle.id, proposal_id=proposal.id),
        project=next((p for p in projects if p.id == proposal.project_id), None),
        open_projects=[
            p
            for p in projects
            if p.scope_id == proposal.scope_id and p.status in review.EDITABLE_PROJECT
        ],
        errors=errors,
    )
    return render(request, "admin/proposal.html", context, status_code=status)


@require_staff(*READERS)
async def proposal(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    return await _proposal_page(request, cycle, request.path_params["proposal_id"], {})


@require_staff(REVIEWER)
async def proposal_review(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    proposal_id = request.path_params["proposal_id"]
    form = await read_form(request)
    try:
        await workflow.review_proposal(
            request.state.pool,
            signed_in_staff(request),
            cycle.slug,
            proposal_id,
            form.get("step"),
            form.get("reason"),
        )
    except ProposalsError as error:
        field = "reason" if error_status(error) == 422 else "actions"
        return await _proposal_page(
            request, cycle, proposal_id, refusal_errors(error, field), error_status(error)
        )
    return see_other(_path(request, "admin.proposal", slug=cycle.slug, proposal_id=proposal_id))


async def _projects_page(
    request: Request, cycle: Cycle, errors: dict[str, str], status: int = 200
) -> Response:
    pool = request.state.pool
    all_projects = await store.fetch_cycle_projects(pool, cycle.id)
    all_proposals = await store.fetch_cycle_proposals(pool, cycle.id)
    complaints = await store.fetch_complaints(pool, cycle.id)
    context = await _lookups(request, cycle)
    context.update(
        projects=all_projects,
        feasible=[p for p in all_proposals if p.status is ProposalStatus.FEASIBLE],
        provisional_blockers=review.provisional_list_blockers(all_proposals, all_projects),
        final_blockers=review.final_list_blockers(all_proposals, all_projects, complaints),
        errors=errors,
    )
    return render(request, "admin/projects.html", context, status_code=status)


@require_staff(*READERS)
async def projects(request: Request) -> Response:
    return await _projects_page(request, await cycle_or_404(request), {})


def _project_draft(form: Form, scope_id: int | None) -> tuple[ProjectDraft | None, list[Problem]]:
    problems = []
    try:
        cost = parse_money(form.get("cost"))
    except MoneyFormatError as error:
        problems.append(Problem("cost", error.message))
        cost = 0
    if scope_id is None:
        problems.append(Problem("scope", _("Choose the scope (budget) of the project.")))
    draft = ProjectDraft(
        scope_id=scope_id or 0,
        area_id=parse_id(form.get("area")),
        title=clean_text(form.get("title")),
        description=clean_text(form.get("description"), multiline=True),
        location=clean_text(form.get("location")),
        cost_cents=cost,
    )
    return (None if problems else draft), problems


async def _project_form(
    request: Request,
    cycle: Cycle,
    project: Project | None,
    values: dict[str, Any],
    chosen: list[int],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = await _lookups(request, cycle)
    all_proposals = await store.fetch_cycle_proposals(request.state.pool, cycle.id)
    feasible = [p for p in all_proposals if p.status is ProposalStatus.FEASIBLE]
    context.update(
        project=project,
        values=values,
        chosen=[str(i) for i in chosen],
        feasible=feasible,
        proposal_options=[
            (str(p.id), f"#{p.id} {p.title}", context["scope_names"][p.scope_id]) for p in feasible
        ],
        errors=errors,
    )
    return render(request, "admin/project_form.html", context, status_code=status)


@require_staff(*READERS)
async def project_new(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    chosen = [i for i in (parse_id(v) for v in request.query_params.getlist("proposal")) if i]
    values: dict[str, Any] = {}
    if chosen:
        try:
            first = await store.fetch_proposal(request.state.pool, cycle.id, chosen[0])
        except NotFound:
            raise HTTPException(404) from None
        values = {
            "title": first.title,
            "description": first.description,
            "location": first.location,
            "cost": format_money_input(first.estimated_cost_cents),
            "scope": str(first.scope_id),
            "area": str(first.area_id or ""),
        }
    return await _project_form(request, cycle, None, values, chosen, {})


@require_staff(REVIEWER)
async def project_create(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    form = await read_form(request)
    chosen = [i for i in (parse_id(v) for v in form.getlist("proposals")) if i]
    draft, problems = _project_draft(form, parse_id(form.get("scope")))
    try:
        if draft is None:
            raise InvalidSettings(problems)
        project = await workflow.create_project(
            request.state.pool, signed_in_staff(request), cycle.slug, draft, chosen
        )
    except ProposalsError as error:
        values = {k: form.get(k) for k in PROJECT_FIELDS}
        return await _project_form(
            request,
            cycle,
            None,
            values,
            chosen,
            refusal_errors(error, "proposals"),
            error_status(error),
        )
    return see_other(_path(request, "admin.project", slug=cycle.slug, project_id=project.id))


async def _project_page(
    request: Request, cycle: Cycle, project_id: int, errors: dict[str, str], status: int = 200
) -> Response:
    pool = request.state.pool
    try:
        project = await store.fetch_project(pool, cycle.id, project_id)
    except NotFound:
        raise HTTPException(404) from None
    context = await _lookups(request, cycle)
    all_proposals = await store.fetch_cycle_proposals(pool, cycle.id)
    addable = [
        p
        for p in all_proposals
        if p.status is ProposalStatus.FEASIBLE and p.scope_id == project.scope_id
    ]
    context.update(
        project=project,
        merged=[p for p in all_proposals if p.project_id == project.id],
        addable=addable,
        addable_options=[(str(p.id), f"#{p.id} {p.title}", None) for p in addable],
        events=await store.fetch_project_events(pool, project.id),
        complaints=await store.fetch_complaints(pool, cycle.id, project_id=project.id),
        editable=project.status in review.EDITABLE_PROJECT,
        errors=errors,
    )
    return render(request, "admin/project.html", context, status_code=status)


async def _project_or_404(request: Request, cycle: Cycle) -> Project:
    try:
        return await store.fetch_project(
            request.state.pool, cycle.id, request.path_params["project_id"]
        )
    except NotFound:
        raise HTTPException(404) from None


@require_staff(*READERS)
async def project(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    return await _project_page(request, cycle, request.path_params["project_id"], {})


@require_staff(*READERS)
async def project_edit(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    found = await _project_or_404(request, cycle)
    values = {
        "title": found.title,
        "description": found.description,
        "location": found.location,
        "cost": format_money_input(found.cost_cents),
        "scope": str(found.scope_id),
        "area": str(found.area_id or ""),
    }
    return await _project_form(request, cycle, found, values, [], {})


@require_staff(REVIEWER)
async def project_update(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    found = await _project_or_404(request, cycle)
    form = await read_form(request)
    draft, problems = _project_draft(form, found.scope_id)
    try:
        if draft is None:
            raise InvalidSettings(problems)
        await workflow.update_project(
            request.state.pool, signed_in_staff(request), cycle.slug, found.id, draft
        )
    except ProposalsError as error:
        values = {k: form.get(k) for k in PROJECT_FIELDS}
        return await _project_form(
            request,
            cycle,
            found,
            values,
            [],
            refusal_errors(error, "title"),
            error_status(error),
        )
    return see_other(_path(request, "admin.project", slug=cycle.slug, project_id=found.id))


@require_staff(REVIEWER)
async def project_add_proposals(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    found = await _project_or_404(request, cycle)
    form = await read_form(request)
    chosen = [i for i in (parse_id(v) for v in form.getlist("proposals")) if i]
    try:
        await workflow.add_proposals(
            request.state.pool, signed_in_staff(request), cycle.slug, found.id, chosen
        )
    except ProposalsError as error:
        return await _project_page(
            request, cycle, found.id, refusal_errors(error, "proposals"), error_status(error)
        )
    return see_other(_path(request, "admin.project", slug=cycle.slug, project_id=found.id))


@require_staff(REVIEWER)
async def project_withdraw(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    found = await _project_or_404(request, cycle)
    form = await read_form(request)
    try:
        await workflow.withdraw_project(
            request.state.pool, signed_in_staff(request), cycle.slug, found.id, form.get("reason")
        )
    except ProposalsError as error:
        return await _project_page(
            request, cycle, found.id, refusal_errors(error, "reason"), error_status(error)
        )
    return see_other(_path(request, "admin.project", slug=cycle.slug, project_id=found.id))


@require_staff(REVIEWER)
async def publish_list(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    form = await read_form(request)
    which = form.get("which")
    try:
        if which not in ("provisional", "final"):
            raise InvalidSettings([Problem("which", _("Choose which list to publish."))])
        await workflow.publish_list(request.state.pool, signed_in_staff(request), cycle.slug, which)
    except ProposalsError as error:
        return await _projects_page(
            request, cycle, refusal_errors(error, "publish"), error_status(error)
        )
    return see_other(_path(request, "admin.projects", slug=cycle.slug))


@require_staff(*READERS)
async def complaints(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    status_text = request.query_params.get("status") or None
    status = ComplaintStatus(status_text) if status_text in ("open", "answered") else None
    found = await store.fetch_complaints(request.state.pool, cycle.id, status=status)
    return render(
        request, "admin/complaints.html", {"cycle": cycle, "complaints": found, "status": status}
    )


async def _complaint_page(
    request: Request,
    cycle: Cycle,
    complaint_id: int,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    pool = request.state.pool
    try:
        complaint = await store.fetch_complaint(pool, cycle.id, complaint_id)
    except NotFound:
        raise HTTPException(404) from None
    target_proposal = (
        await store.fetch_proposal(pool, cycle.id, complaint.proposal_id)
        if complaint.proposal_id
        else None
    )
    target_project = (
        await store.fetch_project(pool, cycle.id, complaint.project_id)
        if complaint.project_id
        else None
    )
    context = {
        "cycle": cycle,
        "complaint": complaint,
        "target_proposal": target_proposal,
        "target_project": target_project,
        "outcomes": [
            (ComplaintOutcome.UPHELD.value, _("Upheld: the decision will be corrected"), None),
            (ComplaintOutcome.DISMISSED.value, _("Dismissed: the decision stands"), None),
        ],
        "values": values,
        "errors": errors,
    }
    return render(request, "admin/complaint.html", context, status_code=status)


@require_staff(*READERS)
async def complaint(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    return await _complaint_page(request, cycle, request.path_params["complaint_id"], {}, {})


@require_staff(REVIEWER)
async def complaint_answer(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    complaint_id = request.path_params["complaint_id"]
    form = await read_form(request)
    values = {"answer": form.get("answer"), "outcome": form.get("outcome")}
    try:
        if values["outcome"] not in ("upheld", "dismissed"):
            raise InvalidSettings(
                [Problem("outcome", _("Choose whether the complaint is upheld."))]
            )
        await workflow.answer_complaint(
            request.state.pool,
            signed_in_staff(request),
            cycle.slug,
            complaint_id,
            values["answer"],
            ComplaintOutcome(values["outcome"]),
        )
    except ProposalsError as error:
        field = "answer" if error_status(error) == 422 else "outcome"
        return await _complaint_page(
            request, cycle, complaint_id, values, refusal_errors(error, field), error_status(error)
        )
    return see_other(_path(request, "admin.complaint", slug=cycle.slug, complaint_id=complaint_id))


_C = "/admin/cycles/{slug}"
routes = [
    Route(f"{_C}/proposals", proposals, methods=["GET"], name="admin.proposals"),
    Route(f"{_C}/proposals/{{proposal_id:id}}", proposal, methods=["GET"], name="admin.proposal"),
    Route(
        f"{_C}/proposals/{{proposal_id:id}}/review",
        proposal_review,
        methods=["POST"],
        name="admin.proposal_review",
    ),
    Route(f"{_C}/projects", projects, methods=["GET"], name="admin.projects"),
    Route(f"{_C}/projects/new", project_new, methods=["GET"], name="admin.project_new"),
    Route(f"{_C}/projects/new", project_create, methods=["POST"], name="admin.project_create"),
    Route(f"{_C}/projects/{{project_id:id}}", project, methods=["GET"], name="admin.project"),
    Route(
        f"{_C}/projects/{{project_id:id}}/edit",
        project_edit,
        methods=["GET"],
        name="admin.project_edit",
    ),
    Route(
        f"{_C}/projects/{{project_id:id}}/edit",
        project_update,
        methods=["POST"],
        name="admin.project_update",
    ),
    Route(
        f"{_C}/projects/{{project_id:id}}/proposals",
        project_add_proposals,
        methods=["POST"],
        name="admin.project_add_proposals",
    ),
    Route(
        f"{_C}/projects/{{project_id:id}}/withdraw",
        project_withdraw,
        methods=["POST"],
        name="admin.project_withdraw",
    ),
    Route(f"{_C}/lists", publish_list, methods=["POST"], name="admin.publish_list"),
    Route(f"{_C}/complaints", complaints, methods=["GET"], name="admin.complaints"),
    Route(
        f"{_C}/complaints/{{complaint_id:id}}", complaint, methods=["GET"], name="admin.complaint"
    ),
    Route(
        f"{_C}/complaints/{{complaint_id:id}}",
        complaint_answer,
        methods=["POST"],
        name="admin.complaint_answer",
    ),
]
