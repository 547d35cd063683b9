"""Public project pages: the listed (provisional, final or withdrawn) costed projects."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals import repository as store
from proposals.errors import NotFound
from proposals.i18n import _
from proposals.model import STATUS_NAMES, ProjectStatus
from proposals.phases import Action, allows
from service.citizens import current_citizen
from service.routes.common import cycle_or_404, is_partial, pagination
from service.routes.proposals import item_query, lookups
from service.templating import render

PUBLIC_STATUSES = (ProjectStatus.PROVISIONAL, ProjectStatus.FINAL, ProjectStatus.WITHDRAWN)


async def list_projects(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await current_citizen(request)
    query = item_query(request, {s.value for s in PUBLIC_STATUSES})
    found, total = await store.search_projects(
        request.state.pool, cycle.id, query, include_drafts=False
    )
    context = await lookups(request, cycle)
    context.update(
        projects=found,
        query=query,
        statuses=[("", _("Any status"))] + [(s.value, STATUS_NAMES[s]) for s in PUBLIC_STATUSES],
        paging=pagination(request, total, query.page),
    )
    name = "projects/_results.html" if is_partial(request) else "projects/list.html"
    response = render(request, name, context)
    response.headers["Vary"] = "HX-Request"
    return response


async def show_project(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await current_citizen(request)
    pool = request.state.pool
    try:
        project = await store.fetch_project(pool, cycle.id, request.path_params["project_id"])
    except NotFound:
        raise HTTPException(404) from None
    if project.status is ProjectStatus.DRAFT:
        raise HTTPException(404)
    context = await lookups(request, cycle)
    context.update(
        project=project,
        proposals=await store.fetch_project_proposals(pool, project.id),
        events=await store.fetch_project_events(pool, project.id),
        complaints=await store.fetch_complaints(pool, cycle.id, project_id=project.id),
        can_complain=allows(context["phase"], Action.FILE_COMPLAINT)
        and cycle.final_list_published_at is None,
    )
    return render(request, "projects/show.html", context)


routes = [
    Route("/cycles/{slug}/projects", list_projects, methods=["GET"], name="projects.list"),
    Route(
        "/cycles/{slug}/projects/{project_id:id}",
        show_project,
        methods=["GET"],
        name="projects.show",
    ),
]
