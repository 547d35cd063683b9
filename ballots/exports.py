"""A scope's published results as downloads: JSON, CSV and a pabulib `.pb` file.

Everything comes from the published record (`verification.published_results`), so the three
agree with it and with each other. The `.pb` file holds the counted ballots, in record order,
each named by its entry index in the record (the record already publishes them beside opaque
aliases), so anyone can load it into pabutools or `civica tally` and recompute the winners.

Money in the `.pb` file: the record counts cents. A scope whose rule is the Method of Equal Shares
with an Add1 step of s cents is written in units of s cents when every cost and the budget are
multiples of s (so Add1 stepping one unit there is civica's Add1; imported pabulib files come
back in their own unit); any other scope in euros when all amounts are whole euros (greedy rules
do not depend on the unit), else in cents. META `civica_money_unit_cents` says which.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from ballots.model import BallotKind
from ballots.pabulib import PabulibFile, PabulibProject, PabulibVote, VoteType
from verification.formats import canonical_json
from verification.published_results import PublishedResults, PublishedScope

CSV_COLUMNS = (
    "id",
    "code",
    "title",
    "cost_cents",
    "votes",
    "points",
    "selected",
    "selection_order",
)
JSON_FORMAT = "civica-scope-results/1"
_VOTE_TYPES: dict[BallotKind, VoteType] = {
    BallotKind.SINGLE_CHOICE: "choose-1",
    BallotKind.K_APPROVAL: "approval",
    BallotKind.KNAPSACK: "approval",
    BallotKind.CUMULATIVE: "cumulative",
}
_CURRENCY_CENTS = 100


def scope_json(results: PublishedResults, scope: PublishedScope) -> bytes:
    """The scope's object of `results.json`, with the cycle and each project's code and title."""
    document = {
        "format": JSON_FORMAT,
        "cycle": {"slug": results.manifest.cycle.slug, "name": results.manifest.cycle.name},
        "cycle_fingerprint": results.fingerprint,
        "final_checkpoint": {"size": results.final_size, "root": results.final_root},
        "software": results.software,
        "scope_slug": scope.spec.slug,
        "scope_name": scope.spec.name,
        "ballot": scope.spec.ballot.to_dict(),
        "results": {
            **scope.published,
            "projects": [
                {
                    "id": p.id,
                    "code": p.code,
                    "title": p.title,
                    "cost_cents": p.cost_cents,
                    "votes": p.votes,
                    "points": p.points,
                    "selected": p.selected,
                    "selection_order": p.selection_order,
                }
                for p in scope.projects
            ],
        },
    }
    return canonical_json(document)


def scope_csv(scope: PublishedScope) -> str:
    """One row per project, in id order: id, code, title, cost, votes, points, selection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in scope.projects:
        writer.writerow(
            [
                p.id,
                p.code,
                p.title,
                p.cost_cents,
                p.votes,
                p.points,
                "yes" if p.selected else "no",
                p.selection_order or "",
            ]
        )
    return out.getvalue()


def money_unit_cents(scope: PublishedScope) -> int:
    """How many cents one money unit of the `.pb` export is (see the module docstring)."""
    amounts = [scope.budget_cents, *(p.cost_cents for p in scope.projects)]
    step = scope.rule.add1_step
    if scope.rule.rule == "mes" and step > 1:
        return step if all(a % step == 0 for a in amounts) else 1
    return _CURRENCY_CENTS if all(a % _CURRENCY_CENTS == 0 for a in amounts) else 1


def pabulib_rule(scope: PublishedScope) -> str:
    """The rule as pabulib names it where it has a name, else civica's own description."""
    rule = scope.rule
    if rule.rule == "greedy":
        return "greedy-threshold" if rule.min_votes else "greedy"
    if rule.rule == "greedy-stop":
        return "greedy-no-skip"
    return {"add1": "equalshares/add1", "add1-nostop": "equalshares/add1-comparison"}.get(
        str(rule.completion), "civica:" + rule.describe()
    )


def scope_pabulib(
    results: PublishedResults,
    scope: PublishedScope,
    ballots: Iterable[tuple[int, tuple[tuple[int, int], ...]]],
    extra_meta: Mapping[str, str] | None = None,
) -> PabulibFile:
    """The scope as a pabulib file: META, PROJECTS with the results, VOTES = counted ballots."""
    unit = money_unit_cents(scope)
    kind = scope.spec.ballot.kind
    cumulative = kind is BallotKind.CUMULATIVE
    votes = tuple(
        PabulibVote(
            voter_id=str(index),
            projects=tuple(str(project) for project, _points in selections),
            points=tuple(points for _project, points in selections) if cumulative else None,
        )
        for index, selections in ballots
    )
    meta: dict[str, str] = {
        "description": f"{results.manifest.cycle.name}: {scope.spec.name}",
        **{k: v for k, v in (extra_meta or {}).items() if k in ("country", "unit", "instance")},
        "num_projects": str(len(scope.projects)),
        "num_votes": str(len(votes)),
        "budget": str(scope.budget_cents // unit),
        "vote_type": _VOTE_TYPES[kind],
        "rule": pabulib_rule(scope),
        **_ballot_meta(scope, unit),
        "currency": (extra_meta or {}).get("currency", "EUR") or "EUR",
        "civica_money_unit_cents": str(unit),
        "civica_rule": scope.rule.describe(),
        "civica_cycle_fingerprint": results.fingerprint,
        "comment": f"#1: civica election record of cycle {results.manifest.cycle.slug}, scope"
        f" {scope.spec.slug}; costs and budget in units of {unit} cent(s); voter_id is the"
        " ballot's entry index in the record; counted ballots only",
    }
    if scope.rule.min_votes:
        meta["min_project_score_threshold"] = str(scope.rule.min_votes)
    projects = tuple(
        PabulibProject(
            project_id=str(p.id),
            cost=p.cost_cents // unit,
            fields={
                "votes": str(p.votes),
                **({"score": str(p.points)} if cumulative else {}),
                "name": _one_line(p.title),
                "selected": "1" if p.selected else "0",
            },
        )
        for p in scope.projects
    )
    return PabulibFile(
        meta=meta,
        projects=projects,
        votes=votes,
        project_columns=(
            "project_id",
            "cost",
            "votes",
            *(("score",) if cumulative else ()),
            "name",
            "selected",
        ),
        vote_columns=("voter_id", "vote", *(("points",) if cumulative else ())),
    )


def _ballot_meta(scope: PublishedScope, unit: int) -> dict[str, str]:
    ballot = scope.spec.ballot
    if ballot.kind is BallotKind.K_APPROVAL and ballot.max_choices is not None:
        return {"max_length": str(ballot.max_choices)}
    if ballot.kind is BallotKind.KNAPSACK:
        return {"max_sum_cost": str(scope.budget_cents // unit)}
    if ballot.kind is BallotKind.CUMULATIVE:
        data = {"max_sum_points": str(ballot.points)}
        if ballot.max_points_per_project is not None:
            data["max_points"] = str(ballot.max_points_per_project)
        return data
    return {}


def _one_line(text: str) -> str:
    """A title as one `.pb` cell: no line breaks, no surrounding spaces, never empty."""
    return " ".join(text.split()) or "-"
