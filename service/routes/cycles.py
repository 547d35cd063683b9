"""The public page of a budget cycle: its phase timeline and budgets per scope."""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ballots.repository import fetch_cycles_with_record
from proposals import repository as store
from proposals.pabulib_cycle import describe_import
from service.citizens import current_citizen
from service.routes.common import cycle_or_404
from service.templating import render


async def show(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await current_citizen(request)
    pool = request.state.pool
    scopes = await store.fetch_scopes(pool, cycle.id)
    imported = await store.fetch_pabulib_import(pool, cycle.id)
    context = {
        "cycle": cycle,
        "phase": cycle.phase_at(datetime.now(UTC)),
        "scopes": scopes,
        "totals": await store.fetch_scope_totals(pool, cycle.id),
        "total_budget": sum(s.budget_cents for s in scopes),
        "changes": await store.fetch_phase_changes(pool, cycle.id),
        "results_published": bool(await fetch_cycles_with_record(pool, [cycle.id])),
        "provenance": imported and describe_import(imported.meta, imported.source_name),
    }
    return render(request, "cycles/show.html", context)


routes = [Route("/cycles/{slug}", show, methods=["GET"], name="cycles.show")]
