"""The manifest: the cycle as frozen when voting opened (docs/election-record.md §2).

Its exact bytes are hashed into the cycle fingerprint, so parsing is strict: exactly the
members the specification lists, with the types it gives, and one encoding per manifest.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ballots.model import BallotKind, BallotSpec, BallotSpecError
from ballots.rules import ScopeRules
from verification.formats import (
    MANIFEST_FORMAT,
    FormatError,
    b64decode,
    b64encode,
    canonical_json,
    log_origin,
    parse_canonical_json,
)
from verification.tallying import TallyRuleError, check_tally_rule

MAX_SCOPE_ID = 0xFFFFFFFF  # entries carry the scope id as a u32
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
_VOTE_GROUP = re.compile(r"[a-z0-9-]{1,63}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class ManifestError(FormatError):
    """A manifest that does not follow docs/election-record.md §2."""


@dataclass(frozen=True, slots=True)
class ProjectEntry:
    """A costed project on a scope's ballot."""

    id: int
    code: str
    title: str
    cost_cents: int


@dataclass(frozen=True)
class ScopeSpec:
    """One pot: its budget, ballot type, tally rule and projects."""

    id: int
    slug: str
    name: str
    vote_group: str
    budget_cents: int
    ballot: BallotSpec
    tally: Mapping[str, Any]
    projects: tuple[ProjectEntry, ...]

    @cached_property
    def rules(self) -> ScopeRules:
        """What ballot validation needs: ballot type, budget and project costs."""
        return ScopeRules(
            self.ballot, self.budget_cents, {p.id: p.cost_cents for p in self.projects}
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "slug": self.slug,
            "name": self.name,
            "vote_group": self.vote_group,
            "budget_cents": self.budget_cents,
            "ballot": self.ballot.to_dict(),
            "tally": dict(self.tally),
            "projects": [
                {"id": p.id, "code": p.code, "title": p.title, "cost_cents": p.cost_cents}
                for p in self.projects
            ],
        }


@dataclass(frozen=True, slots=True)
class CycleInfo:
    id: int
    slug: str
    name: str
    reference_date: str


@dataclass(frozen=True, slots=True)
class VotingInfo:
    opens_at: str
    closes_at: str
    revoting: bool
    checkpoint_interval_s: int


@dataclass(frozen=True)
class Manifest:
    """A parsed manifest; `to_json` gives back exactly the object it was parsed from."""

    cycle: CycleInfo
    voting: VotingInfo
    log_public_key: bytes
    sealing_public_key: bytes
    scopes: tuple[ScopeSpec, ...]
    software: str
    _by_id: dict[int, ScopeSpec] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {scope.id: scope for scope in self.scopes})

    def scope(self, scope_id: int) -> ScopeSpec | None:
        """The scope with this id, or None."""
        return self._by_id.get(scope_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "cycle": {
                "id": self.cycle.id,
                "slug": self.cycle.slug,
                "name": self.cycle.name,
                "reference_date": self.cycle.reference_date,
            },
            "voting": {
                "opens_at": self.voting.opens_at,
                "closes_at": self.voting.closes_at,
                "revoting": self.voting.revoting,
                "checkpoint_interval_s": self.voting.checkpoint_interval_s,
            },
            "log_public_key": b64encode(self.log_public_key),
            "sealing_public_key": b64encode(self.sealing_public_key),
            "scopes": [scope.to_json() for scope in self.scopes],
            "software": self.software,
        }


def encode_manifest(manifest: Manifest) -> bytes:
    """The manifest's bytes: canonical JSON (their SHA-256 is the cycle fingerprint)."""
    return canonical_json(manifest.to_json())


def fingerprint_of(manifest_bytes: bytes) -> bytes:
    """The cycle fingerprint: SHA-256 of the manifest's exact bytes."""
    return hashlib.sha256(manifest_bytes).digest()


def origin_of(manifest_bytes: bytes) -> str:
    """The log origin (and checkpoint key name) of the cycle with this manifest."""
    return log_origin(fingerprint_of(manifest_bytes))


def manifest_from_json(value: Any) -> Manifest:
    """Build a Manifest from parsed JSON, refusing anything §2 does not allow."""
    top = _members(value, "manifest", _TOP)
    if top["format"] != MANIFEST_FORMAT:
        raise ManifestError(f"manifest format is {top['format']!r}, not {MANIFEST_FORMAT!r}")
    cycle = _members(top["cycle"], "cycle", _CYCLE)
    voting = _members(top["voting"], "voting", _VOTING)
    _match(_DATE, cycle["reference_date"], "cycle.reference_date")
    _match(_TIMESTAMP, voting["opens_at"], "voting.opens_at")
    _match(_TIMESTAMP, voting["closes_at"], "voting.closes_at")
    if not isinstance(top["scopes"], list):
        raise ManifestError("manifest scopes must be a list")
    scopes = tuple(_scope(item, position) for position, item in enumerate(top["scopes"]))
    _check_unique([s.id for s in scopes], "scope id")
    _check_unique([p.id for s in scopes for p in s.projects], "project id")
    manifest = Manifest(
        cycle=CycleInfo(cycle["id"], cycle["slug"], cycle["name"], cycle["reference_date"]),
        voting=VotingInfo(
            voting["opens_at"],
            voting["closes_at"],
            voting["revoting"],
            voting["checkpoint_interval_s"],
        ),
        log_public_key=_key(top["log_public_key"], "log_public_key"),
        sealing_public_key=_key(top["sealing_public_key"], "sealing_public_key"),
        scopes=scopes,
        software=top["software"],
    )
    if manifest.to_json() != value:
        raise ManifestError("manifest does not round-trip (unexpected member or value)")
    return manifest


def parse_manifest(data: bytes) -> Manifest:
    """Parse manifest bytes, which must be canonical JSON."""
    try:
        value = parse_canonical_json(data, "manifest.json")
    except FormatError as error:
        raise ManifestError(str(error)) from None
    return manifest_from_json(value)


# Member name -> accepted type, per object of §2.
_TOP = {
    "format": str,
    "cycle": dict,
    "voting": dict,
    "log_public_key": str,
    "sealing_public_key": str,
    "scopes": list,
    "software": str,
}
_CYCLE = {"id": int, "slug": str, "name": str, "reference_date": str}
_VOTING = {"opens_at": str, "closes_at": str, "revoting": bool, "checkpoint_interval_s": int}
_SCOPE = {
    "id": int,
    "slug": str,
    "name": str,
    "vote_group": str,
    "budget_cents": int,
    "ballot": dict,
    "tally": dict,
    "projects": list,
}
_PROJECT = {"id": int, "code": str, "title": str, "cost_cents": int}
_BALLOT_PARAMETERS = {
    BallotKind.SINGLE_CHOICE: set(),
    BallotKind.K_APPROVAL: {"max_choices"},
    BallotKind.KNAPSACK: {"min_spend_percent"},
    BallotKind.CUMULATIVE: {"points", "max_points_per_project"},
}


def _members(value: Any, what: str, expected: Mapping[str, type]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ManifestError(f"{what} must be an object")
    if set(value) != set(expected):
        missing = sorted(set(expected) - set(value))
        extra = sorted(set(value) - set(expected))
        raise ManifestError(f"{what} members are wrong (missing {missing}, unexpected {extra})")
    for name, kind in expected.items():
        item = value[name]
        # JSON true/false are Python bools, which are also ints: keep them apart.
        if not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            raise ManifestError(f"{what}.{name} must be of type {kind.__name__}")
    return value


def _match(pattern: re.Pattern[str], text: str, what: str) -> None:
    if not pattern.fullmatch(text):
        raise ManifestError(f"{what} {text!r} is not in the required form")


def _key(text: str, what: str) -> bytes:
    raw = b64decode(text, what)
    if len(raw) != 32:
        raise ManifestError(f"{what} must be 32 bytes")
    return raw


def _check_unique(ids: list[int], what: str) -> None:
    seen: set[int] = set()
    for item in ids:
        if item in seen:
            raise ManifestError(f"{what} {item} appears twice")
        seen.add(item)


def _scope(value: Any, position: int) -> ScopeSpec:
    where = f"scopes[{position}]"
    scope = _members(value, where, _SCOPE)
    if not 0 <= scope["id"] <= MAX_SCOPE_ID:
        raise ManifestError(f"{where}.id must fit in 32 bits")
    _match(_SLUG, scope["slug"], f"{where}.slug")
    _match(_VOTE_GROUP, scope["vote_group"], f"{where}.vote_group")
    if scope["budget_cents"] < 0:
        raise ManifestError(f"{where}.budget_cents cannot be negative")
    try:
        ballot = BallotSpec.from_dict(scope["ballot"])
    except (BallotSpecError, TypeError) as error:
        raise ManifestError(f"{where}.ballot: {error}") from None
    for name, number in scope["ballot"].items():
        if name != "kind" and (not isinstance(number, int) or isinstance(number, bool)):
            raise ManifestError(f"{where}.ballot.{name} must be an integer")
    extra = set(scope["ballot"]) - {"kind"} - _BALLOT_PARAMETERS[ballot.kind]
    if extra:
        raise ManifestError(f"{where}.ballot: a {ballot.kind} ballot takes no {sorted(extra)}")
    try:
        check_tally_rule(scope["tally"])
    except TallyRuleError as error:
        raise ManifestError(f"{where}.tally: {error}") from None
    projects = []
    for number, item in enumerate(scope["projects"]):
        project = _members(item, f"{where}.projects[{number}]", _PROJECT)
        if project["id"] < 0 or project["cost_cents"] < 0:
            raise ManifestError(f"{where}.projects[{number}] has a negative id or cost")
        projects.append(
            ProjectEntry(project["id"], project["code"], project["title"], project["cost_cents"])
        )
    if [p.id for p in projects] != sorted({p.id for p in projects}):
        raise ManifestError(f"{where}.projects must be in increasing id order")
    return ScopeSpec(
        id=scope["id"],
        slug=scope["slug"],
        name=scope["name"],
        vote_group=scope["vote_group"],
        budget_cents=scope["budget_cents"],
        ballot=ballot,
        tally=dict(scope["tally"]),
        projects=tuple(projects),
    )
