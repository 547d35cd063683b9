"""A published record's results (§8.3) read beside its manifest (§2), as typed values.

Results pages and exports show nothing but what the record publishes: this module joins each
scope's `results.json` object with the manifest's scope (names, costs, rule) and refuses a pair
that does not belong together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ballots.model import BallotKind
from ballots.tally import InvalidRuleError, TallyRule
from verification.formats import RESULTS_FORMAT, FormatError, parse_canonical_json
from verification.manifest import Manifest, ManifestError, ScopeSpec, fingerprint_of, parse_manifest


class PublishedResultsError(FormatError):
    """`results.json` does not follow §8.3 or does not match the manifest."""


@dataclass(frozen=True)
class ProjectResult:
    """One project of a scope: what the manifest says it is and what the tally gave it."""

    id: int
    code: str
    title: str
    cost_cents: int
    votes: int
    points: int
    selection_order: int | None
    """1 for the first winner selected, 2 for the next, ...; None if not selected."""

    @property
    def selected(self) -> bool:
        return self.selection_order is not None


@dataclass(frozen=True)
class PublishedScope:
    """One scope's published results."""

    spec: ScopeSpec
    rule: TallyRule
    counted: int
    superseded: int
    invalid: int
    projects: tuple[ProjectResult, ...]
    """Every project, in id order."""
    winners: tuple[ProjectResult, ...]
    """In order of selection."""
    total_cost_cents: int
    budget_cents: int
    published: Mapping[str, Any]
    """The scope's object in `results.json`, exactly as published."""

    @property
    def uses_points(self) -> bool:
        """Whether ballots give points (cumulative), so points differ from votes."""
        return self.spec.ballot.kind is BallotKind.CUMULATIVE

    @property
    def left_cents(self) -> int:
        return self.budget_cents - self.total_cost_cents

    def by_support(self) -> list[ProjectResult]:
        """Projects by points (votes), most first; equal support in id order."""
        return sorted(self.projects, key=lambda p: (-p.points, -p.votes, p.id))


@dataclass(frozen=True)
class PublishedResults:
    """Every scope's results, with the manifest and the record's identifying values."""

    manifest: Manifest
    fingerprint: str
    final_size: int
    final_root: str
    software: str
    scopes: tuple[PublishedScope, ...]

    def scope(self, slug: str) -> PublishedScope | None:
        """The scope with this slug, or None."""
        return next((s for s in self.scopes if s.spec.slug == slug), None)


def read_published_results(manifest_bytes: bytes, results_bytes: bytes) -> PublishedResults:
    """Parse a record's manifest and results together; PublishedResultsError if they disagree."""
    try:
        manifest = parse_manifest(manifest_bytes)
        value = parse_canonical_json(results_bytes, "results.json")
    except (ManifestError, FormatError) as error:
        raise PublishedResultsError(str(error)) from None
    top = _object(value, "results.json", {"format", "cycle_fingerprint", "final_checkpoint",
                                          "software", "scopes"})  # fmt: skip
    fingerprint = fingerprint_of(manifest_bytes).hex()
    if top["format"] != RESULTS_FORMAT or top["cycle_fingerprint"] != fingerprint:
        raise PublishedResultsError("results.json is not civica-results/1 of this manifest")
    final = _object(top["final_checkpoint"], "final_checkpoint", {"root", "size"})
    scopes = top["scopes"]
    if not isinstance(scopes, list) or len(scopes) != len(manifest.scopes):
        raise PublishedResultsError("results.json must list every scope of the manifest")
    return PublishedResults(
        manifest=manifest,
        fingerprint=fingerprint,
        final_size=_integer(final["size"], "final_checkpoint.size"),
        final_root=str(final["root"]),
        software=str(top["software"]),
        scopes=tuple(
            _scope(spec, item) for spec, item in zip(manifest.scopes, scopes, strict=True)
        ),
    )


_SCOPE_MEMBERS = {
    "ballots",
    "budget_cents",
    "projects",
    "rule",
    "scope",
    "total_cost_cents",
    "winners",
}


def _scope(spec: ScopeSpec, value: Any) -> PublishedScope:
    where = f"scope {spec.id}"
    item = _object(value, where, _SCOPE_MEMBERS)
    if item["scope"] != spec.id or item["rule"] != dict(spec.tally):
        raise PublishedResultsError(f"{where}: results and manifest name different scopes")
    counts = _object(item["ballots"], f"{where}.ballots", {"counted", "invalid", "superseded"})
    try:
        rule = TallyRule.from_dict(item["rule"])
    except (InvalidRuleError, TypeError) as error:
        raise PublishedResultsError(f"{where}.rule: {error}") from None
    winners = item["winners"]
    if not isinstance(winners, list) or len(set(winners)) != len(winners):
        raise PublishedResultsError(f"{where}.winners must list distinct project ids")
    order = {project_id: position for position, project_id in enumerate(winners, start=1)}
    tallied = {}
    for entry in item["projects"] if isinstance(item["projects"], list) else ():
        project = _object(entry, f"{where}.projects[]", {"id", "points", "votes"})
        tallied[project["id"]] = project
    if set(tallied) != {p.id for p in spec.projects} or not set(order) <= set(tallied):
        raise PublishedResultsError(f"{where}: projects differ from the manifest's")
    projects = tuple(
        ProjectResult(
            id=p.id,
            code=p.code,
            title=p.title,
            cost_cents=p.cost_cents,
            votes=_integer(tallied[p.id]["votes"], f"{where} votes"),
            points=_integer(tallied[p.id]["points"], f"{where} points"),
            selection_order=order.get(p.id),
        )
        for p in spec.projects
    )
    by_id = {p.id: p for p in projects}
    return PublishedScope(
        spec=spec,
        rule=rule,
        counted=_integer(counts["counted"], f"{where} counted"),
        superseded=_integer(counts["superseded"], f"{where} superseded"),
        invalid=_integer(counts["invalid"], f"{where} invalid"),
        projects=projects,
        winners=tuple(by_id[w] for w in winners),
        total_cost_cents=_integer(item["total_cost_cents"], f"{where}.total_cost_cents"),
        budget_cents=_integer(item["budget_cents"], f"{where}.budget_cents"),
        published=item,
    )


def counted_ballots(
    lines: Iterable[bytes], scope_id: int
) -> Iterator[tuple[int, tuple[tuple[int, int], ...]]]:
    """(entry index, selections) of a scope's counted ballots, from `ballots.jsonl` lines."""
    for line in lines:
        if not line.strip():
            continue
        try:
            ballot = parse_canonical_json(line.rstrip(b"\n"), "ballots.jsonl line")
        except FormatError as error:
            raise PublishedResultsError(str(error)) from None
        if not isinstance(ballot, dict):
            raise PublishedResultsError("a ballots.jsonl line is not an object")
        if ballot.get("scope") != scope_id or ballot.get("status") != "counted":
            continue
        selections = ballot.get("selections")
        if not isinstance(selections, list):
            raise PublishedResultsError(f"ballot {ballot.get('index')} has no selections")
        yield (
            _integer(ballot.get("index"), "ballot index"),
            tuple((_integer(p, "project"), _integer(q, "points")) for p, q in selections),
        )


def _object(value: Any, what: str, members: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != members:
        raise PublishedResultsError(f"{what} must hold exactly {sorted(members)}")
    return value


def _integer(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise PublishedResultsError(f"{what} must be an integer")
    return value
