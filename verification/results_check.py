"""Compare the published `results.json` with the verifier's own recount (§8; §11 item 7)."""

from __future__ import annotations

from typing import Any

from verification.findings import Finding, Report
from verification.formats import RESULTS_FORMAT, FormatError, canonical_json
from verification.manifest import Manifest
from verification.record import RESULTS
from verification.recount import RecountResult

_TOP = {"format", "cycle_fingerprint", "final_checkpoint", "software", "scopes"}
_SCOPE = {"scope", "rule", "ballots", "projects", "winners", "total_cost_cents", "budget_cents"}


def check_results(
    report: Report,
    data: bytes,
    value: Any,
    manifest: Manifest,
    fingerprint: bytes,
    size: int,
    root: bytes,
    outcome: RecountResult | None,
) -> None:
    """Report every way `results.json` differs from the recount."""
    report.ran(
        "result-format",
        "result-scope",
        "result-rule",
        "result-counts",
        "result-votes",
        "result-winners",
        "result-cost",
    )
    try:
        canonical = canonical_json(value) == data
    except FormatError:
        canonical = False
    if not canonical:
        report.add(Finding("result-format", "results.json is not canonical JSON", file=RESULTS))
    if not isinstance(value, dict) or set(value) != _TOP:
        report.add(
            Finding("result-format", f"results.json must hold exactly {sorted(_TOP)}", file=RESULTS)
        )
        return
    if value["format"] != RESULTS_FORMAT or value["cycle_fingerprint"] != fingerprint.hex():
        report.add(
            Finding(
                "result-format", "results.json is not civica-results/1 of this cycle", file=RESULTS
            )
        )
    final = {"size": size, "root": root.hex()}
    if value["final_checkpoint"] != final:
        report.add(
            Finding(
                "result-format",
                f"results name the final checkpoint {value['final_checkpoint']!r}, but the "
                f"entries give {final!r}",
                file=RESULTS,
            )
        )
    if outcome is None:
        return
    published = value["scopes"]
    if not isinstance(published, list):
        report.add(Finding("result-format", "scopes must be a list", file=RESULTS))
        return
    by_id: dict[Any, dict[str, Any]] = {}
    for item in published:
        if not isinstance(item, dict) or set(item) != _SCOPE:
            report.add(
                Finding(
                    "result-format",
                    f"a scope result must hold exactly {sorted(_SCOPE)}",
                    file=RESULTS,
                )
            )
            return
        by_id[item["scope"]] = item
    order = [item["scope"] for item in published]
    expected_order = [scope.scope_id for scope in outcome.scopes]
    if order != expected_order:
        report.add(
            Finding(
                "result-scope",
                f"results list scopes {order}, the manifest {expected_order}",
                file=RESULTS,
            )
        )
    for scope in outcome.scopes:
        item = by_id.get(scope.scope_id)
        if item is not None:
            _compare_scope(report, item, scope.to_json())


def _compare_scope(report: Report, got: dict[str, Any], want: dict[str, Any]) -> None:
    scope = want["scope"]
    if got["rule"] != want["rule"]:
        report.add(
            Finding(
                "result-rule",
                f"published rule {got['rule']!r}, the manifest declares {want['rule']!r}",
                scope=scope,
            )
        )
    if got["budget_cents"] != want["budget_cents"]:
        report.add(
            Finding(
                "result-rule",
                f"published budget {got['budget_cents']!r} cents, the "
                f"manifest's is {want['budget_cents']}",
                scope=scope,
            )
        )
    if got["ballots"] != want["ballots"]:
        report.add(
            Finding(
                "result-counts",
                f"published ballots {got['ballots']!r}, the recount gives {want['ballots']!r}",
                scope=scope,
            )
        )
    _compare_projects(report, scope, got["projects"], want["projects"])
    if got["winners"] != want["winners"]:
        report.add(
            Finding(
                "result-winners", _winners_message(got["winners"], want["winners"]), scope=scope
            )
        )
    if got["total_cost_cents"] != want["total_cost_cents"]:
        report.add(
            Finding(
                "result-cost",
                f"published total cost {got['total_cost_cents']!r} "
                f"cents, the winners cost {want['total_cost_cents']}",
                scope=scope,
            )
        )


def _compare_projects(report: Report, scope: int, got: Any, want: list[dict[str, Any]]) -> None:
    if got == want:
        return
    if not isinstance(got, list) or not all(isinstance(p, dict) and "id" in p for p in got):
        report.add(
            Finding("result-votes", "projects must be a list of {id, votes, points}", scope=scope)
        )
        return
    published = {p["id"]: p for p in got}
    if [p["id"] for p in got] != [p["id"] for p in want]:
        report.add(
            Finding(
                "result-votes",
                f"published projects {[p['id'] for p in got]}, the "
                f"manifest's are {[p['id'] for p in want]}",
                scope=scope,
            )
        )
    for project in want:
        item = published.get(project["id"])
        if item is not None and item != project:
            report.add(
                Finding(
                    "result-votes",
                    f"project {project['id']}: published {item.get('votes')!r} votes and "
                    f"{item.get('points')!r} points, the recount gives {project['votes']} "
                    f"and {project['points']}",
                    scope=scope,
                )
            )


def _winners_message(got: Any, want: list[int]) -> str:
    message = f"published winners {got!r}, the rule selects {want!r}"
    if isinstance(got, list) and all(isinstance(w, int) for w in got):
        added = sorted(set(got) - set(want))
        missing = sorted(set(want) - set(got))
        if added or missing:
            message += f" (not winners: {added}; missing: {missing})"
        else:
            message += " (same projects, another order)"
    return message
