"""Results pages and downloads, read from the published election record and nothing else.

Before the record is published there are no results anywhere: the pages say when they come
(status 404) and the downloads do not exist. Afterwards every figure comes from the record's
`results.json` and `manifest.json` (and, for the `.pb` export, its `ballots.jsonl`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ballots import repository as board_store
from ballots.exports import money_unit_cents, scope_csv, scope_json, scope_pabulib
from ballots.pabulib import format_pabulib
from ballots.tally.explain import explain_rule
from proposals import repository as store
from proposals.model import Cycle
from proposals.phases import Phase
from service.charts import BarChart, ChartRow, bar_chart
from service.i18n import N_, format_money, format_number, locale_for, translate_message
from service.routes.common import cycle_or_404
from service.templating import render
from verification.messages import Money, _
from verification.published_results import (
    PublishedResults,
    PublishedResultsError,
    PublishedScope,
    counted_ballots,
    read_published_results,
)
from verification.record import BALLOTS, MANIFEST, RECORD_FILES, RESULTS

CHUNK = 1 << 20
NO_RESULTS = N_("There are no results yet: they are published when voting closes.")


class _NotPublished(Exception):
    def __init__(self, cycle: Cycle) -> None:
        self.cycle = cycle


async def published_results(request: Request) -> tuple[Cycle, PublishedResults]:
    """The cycle and its published results; _NotPublished before the close."""
    cycle = await cycle_or_404(request)
    pool = request.state.pool
    names = await board_store.fetch_record_file_names(pool, cycle.id)
    if names != set(RECORD_FILES):
        raise _NotPublished(cycle)
    manifest = await board_store.fetch_record_file(pool, cycle.id, MANIFEST)
    results = await board_store.fetch_record_file(pool, cycle.id, RESULTS)
    assert manifest is not None
    assert results is not None
    try:
        return cycle, read_published_results(manifest, results)
    except PublishedResultsError as error:  # a record the close wrote cannot fail this
        raise HTTPException(500, str(error)) from None


def _pending(request: Request, cycle: Cycle) -> Response:
    now = datetime.now(UTC)
    return render(
        request,
        "results/pending.html",
        {
            "cycle": cycle,
            "phase": cycle.phase_at(now),
            "closes_at": cycle.settings.schedule.results_at,
            "counting": cycle.phase_at(now) is Phase.RESULTS,
        },
        status_code=404,
    )


async def cycle_results(request: Request) -> Response:
    try:
        cycle, results = await published_results(request)
    except _NotPublished as pending:
        return _pending(request, pending.cycle)
    return render(request, "results/cycle.html", {"cycle": cycle, "results": results})


async def _scope(request: Request) -> tuple[Cycle, PublishedResults, PublishedScope]:
    cycle, results = await published_results(request)
    scope = results.scope(request.path_params["scope"])
    if scope is None:
        raise HTTPException(404)
    return cycle, results, scope


async def scope_results(request: Request) -> Response:
    try:
        cycle, results, scope = await _scope(request)
    except _NotPublished as pending:
        return _pending(request, pending.cycle)
    explanation = " ".join(
        translate_message(request, sentence)
        for sentence in explain_rule(scope.rule, points=scope.uses_points)
    )
    context: dict[str, Any] = {
        "cycle": cycle,
        "results": results,
        "scope": scope,
        "ranked": scope.by_support(),
        "explanation": explanation,
        "votes_chart": _votes_chart(request, scope),
        "budget_chart": _budget_chart(request, scope),
        "money_unit_cents": money_unit_cents(scope),
    }
    return render(request, "results/scope.html", context)


def _votes_chart(request: Request, scope: PublishedScope) -> BarChart:
    locale = locale_for(request)
    ranked = scope.by_support()
    rows = [
        ChartRow(p.title, p.points, format_number(p.points, locale), p.selected) for p in ranked
    ]
    if not scope.counted or not ranked:
        summary = _("No ballot was counted in this scope, so every project has 0 votes.")
    else:
        top = ranked[0]
        values = {"n": len(ranked), "title": top.title, "count": format_number(top.points, locale)}
        if scope.uses_points:
            summary = _(
                "{n} projects, the most supported first. Most points: {title}, with {count}. "
                "Winners are drawn as solid bars, the other projects as outlines. The table "
                "below gives the same figures.",
                **values,
            )
        else:
            summary = _(
                "{n} projects, the most supported first. Most votes: {title}, with {count}. "
                "Winners are drawn as solid bars, the other projects as outlines. The table "
                "below gives the same figures.",
                **values,
            )
    title = _("Points per project") if scope.uses_points else _("Votes per project")
    return bar_chart(
        f"votes-{scope.spec.slug}",
        translate_message(request, title),
        translate_message(request, summary),
        rows,
        max((p.points for p in ranked), default=0),
        translate_message(
            request, _("Solid bars: winning projects. Outlined bars: the other projects.")
        ),
    )


def _budget_chart(request: Request, scope: PublishedScope) -> BarChart:
    locale = locale_for(request)
    rows = [
        ChartRow(p.title, p.cost_cents, format_money(p.cost_cents, locale), True)
        for p in scope.winners
    ]
    rows.append(
        ChartRow(
            translate_message(request, _("Left unspent")),
            scope.left_cents,
            format_money(scope.left_cents, locale),
            written=False,
        )
    )
    share = scope.total_cost_cents * 100 // scope.budget_cents if scope.budget_cents else 0
    summary = _(
        "The {n} winning projects use {used} of the budget of {budget} ({share}%); {left} is "
        "left unspent. Each bar is a winner's cost against the whole budget, in the order the "
        "winners were selected.",
        n=len(scope.winners),
        used=Money(scope.total_cost_cents),
        budget=Money(scope.budget_cents),
        share=share,
        left=Money(scope.left_cents),
    )
    return bar_chart(
        f"budget-{scope.spec.slug}",
        translate_message(request, _("How the budget was allocated")),
        translate_message(request, summary),
        rows,
        scope.budget_cents,
    )


def _download(content: bytes, media_type: str, filename: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "public, max-age=3600",
        },
    )


async def _export_scope(request: Request) -> tuple[Cycle, PublishedResults, PublishedScope]:
    try:
        return await _scope(request)
    except _NotPublished:
        raise HTTPException(404, NO_RESULTS) from None


async def export_json(request: Request) -> Response:
    cycle, results, scope = await _export_scope(request)
    name = f"{cycle.slug}-{scope.spec.slug}-results.json"
    return _download(scope_json(results, scope), "application/json", name)


async def export_csv(request: Request) -> Response:
    cycle, _results, scope = await _export_scope(request)
    name = f"{cycle.slug}-{scope.spec.slug}-results.csv"
    return _download(scope_csv(scope).encode("utf-8"), "text/csv; charset=utf-8", name)


async def export_pb(request: Request) -> Response:
    cycle, results, scope = await _export_scope(request)
    pool = request.state.pool
    imported = await store.fetch_pabulib_import(pool, cycle.id)
    lines = [line async for line in _record_lines(request, cycle.id, BALLOTS)]
    pb = scope_pabulib(
        results,
        scope,
        counted_ballots(lines, scope.spec.id),
        imported.meta if imported is not None else None,
    )
    name = f"{cycle.slug}-{scope.spec.slug}.pb"
    return _download(format_pabulib(pb).encode("utf-8"), "text/plain; charset=utf-8", name)


async def _record_lines(request: Request, cycle_id: int, name: str) -> AsyncIterator[bytes]:
    """The lines of a record file, read from the database a chunk at a time."""
    pool = request.state.pool
    size = await board_store.fetch_record_file_size(pool, cycle_id, name) or 0
    rest = b""
    for offset in range(0, size, CHUNK):
        chunk = await board_store.fetch_record_file_chunk(pool, cycle_id, name, offset, CHUNK)
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield line
    if rest:
        yield rest


routes = [
    Route("/cycles/{slug}/results", cycle_results, name="results.cycle"),
    Route("/cycles/{slug}/results/{scope}", scope_results, name="results.scope"),
    Route("/cycles/{slug}/results/{scope}/results.json", export_json, name="results.json"),
    Route("/cycles/{slug}/results/{scope}/results.csv", export_csv, name="results.csv"),
    Route("/cycles/{slug}/results/{scope}/results.pb", export_pb, name="results.pb"),
]
