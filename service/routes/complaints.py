"""Citizens file complaints against review decisions; everyone reads them with their answers."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals import repository as store
from proposals.errors import NotFound, ProposalsError
from proposals.i18n import _
from proposals.model import Cycle
from proposals.phases import Action, allows
from service.citizens import current_citizen
from service.forms import parse_id, read_form
from service.routes.common import cycle_or_404, error_status, refusal_errors, see_other
from service.routes.proposals import lookups, sign_in_path
from service.templating import render
from service.workflows import participation


async def list_complaints(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await current_citizen(request)
    context = await lookups(request, cycle)
    context["complaints"] = await store.fetch_complaints(request.state.pool, cycle.id)
    return render(request, "complaints/list.html", context)


async def _target(request: Request, cycle: Cycle, source: Any) -> dict[str, Any]:
    proposal_id = parse_id(source.get("proposal"))
    project_id = parse_id(source.get("project"))
    pool = request.state.pool
    try:
        return {
            "proposal": await store.fetch_proposal(pool, cycle.id, proposal_id)
            if proposal_id
            else None,
            "project": await store.fetch_project(pool, cycle.id, project_id)
            if project_id
            else None,
        }
    except NotFound:
        raise HTTPException(404) from None


async def _page(
    request: Request,
    cycle: Cycle,
    target: dict[str, Any],
    body: str,
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    context = await lookups(request, cycle)
    context.update(
        target,
        body=body,
        errors=errors,
        open=allows(context["phase"], Action.FILE_COMPLAINT)
        and cycle.final_list_published_at is None,
        sign_in=sign_in_path(request),
    )
    return render(request, "complaints/new.html", context, status_code=status)


async def new_complaint(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await current_citizen(request)
    target = await _target(request, cycle, request.query_params)
    if target["proposal"] is None and target["project"] is None:
        raise HTTPException(404)
    return await _page(request, cycle, target, "", {})


async def create_complaint(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    form = await read_form(request)
    target = await _target(request, cycle, form)
    body = form.get("body")
    if citizen is None:
        return await _page(
            request,
            cycle,
            target,
            body,
            {"body": _("Sign in to file a complaint. Nothing was stored.")},
            403,
        )
    try:
        complaint = await participation.file_complaint(
            request.state.pool,
            citizen,
            cycle.slug,
            body,
            proposal_id=target["proposal"].id if target["proposal"] else None,
            project_id=target["project"].id if target["project"] else None,
        )
    except ProposalsError as error:
        return await _page(
            request, cycle, target, body, refusal_errors(error, "body"), error_status(error)
        )
    path = request.app.url_path_for("complaints.list", slug=cycle.slug)
    return see_other(f"{path}#complaint-{complaint.id}")


routes = [
    Route("/cycles/{slug}/complaints", list_complaints, methods=["GET"], name="complaints.list"),
    Route("/cycles/{slug}/complaints/new", new_complaint, methods=["GET"], name="complaints.new"),
    Route(
        "/cycles/{slug}/complaints/new",
        create_complaint,
        methods=["POST"],
        name="complaints.create",
    ),
]
