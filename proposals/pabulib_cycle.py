"""A pabulib `.pb` file as a civica cycle: one scope, its costed projects, ballot type, tally rule
and ballots (`civica import-pb`; docs/pabulib.md).

Money: a `.pb` file counts whole currency units, civica counts cents, so every cost and the
budget are multiplied by 100 (by META `civica_money_unit_cents` in a file civica exported).
Greedy rules do not care; the Method of Equal Shares with an Add1 completion would (Add1 raises
every voter's budget one unit at a time), so an imported MES rule declares `add1_step` = one
unit (100 cents), which gives exactly the outcome of Add1 in the file's unit.

Ties: imported scopes break ties by project id (`lexico`, pabutools' default); the importer
gives the civica projects ids whose decimal strings sort as the file's ids do, so the order is
the file's (`tie_order_agrees`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ballots.model import BallotKind, BallotSpec
from ballots.pabulib import PabulibFile
from ballots.tally import Outcome, TallyRule, tally
from proposals.errors import PabulibNotImportable
from proposals.i18n import _
from proposals.languages import language_is_known, normalise_language_tag
from proposals.model import CycleSettings, ScopeSettings
from proposals.phases import Schedule
from proposals.tally_choice import TallyChoice, tally_rule_of
from proposals.validation import LIMITS, clean_text, cycle_problems, scope_problems
from verification.eligibility import STATUSES, EligibilityRules

CENTS_PER_UNIT = 100
SCOPE_SLUG = "main"
TIMEZONE = "Europe/Lisbon"
TIE_BREAK = "lexico"
_NOT_SLUG = re.compile(r"[^a-z0-9]+")

# META `rule` -> (rule, completion) and what the mapping means.
RULES: dict[str, tuple[str, str]] = {
    "greedy": ("greedy", "none"),
    "greedy-no-skip": ("greedy-stop", "none"),
    "greedy-threshold": ("greedy", "none"),
    "equalshares": ("mes", "add1-greedy"),
    "equalshares/add1": ("mes", "add1"),
    "equalshares/add1-comparison": ("mes", "add1-nostop"),
}


@dataclass(frozen=True)
class ImportedProject:
    """A project of the file: its id there, and what civica stores (cost in cents)."""

    source_id: str
    title: str
    description: str
    cost_cents: int


@dataclass(frozen=True)
class ImportedBallot:
    """One voter's ballot: the file's voter id and project id -> points (1 on approvals)."""

    voter_id: str
    selections: Mapping[str, int]


@dataclass(frozen=True)
class PabulibCycle:
    """Everything an import stores and replays, decided from the file alone."""

    settings: CycleSettings
    scope: ScopeSettings
    projects: tuple[ImportedProject, ...]
    """In the tie-break order of the file's ids (the order civica ids are given in)."""
    ballots: tuple[ImportedBallot, ...]
    skipped: tuple[tuple[str, str], ...]
    """(voter id, why) for voters whose ballot civica cannot take."""
    notes: tuple[str, ...]
    """How the file's META was read (rule, unit, ballot type), for the person importing."""

    @property
    def rule(self) -> TallyRule:
        """The rule as the record will publish it (money in cents)."""
        return tally_rule_of(self.scope.tally)


def default_slug(stem: str) -> str:
    """A cycle slug from a file name: `Netherlands_Assen_2024` -> `netherlands-assen-2024`."""
    slug = _NOT_SLUG.sub("-", stem.lower()).strip("-")[:63].strip("-")
    return slug or "imported"


def cycle_from_pabulib(
    pb: PabulibFile,
    *,
    slug: str,
    source_name: str,
    today: date,
    name: str | None = None,
) -> PabulibCycle:
    """Map a parsed file to a cycle in its complaints phase, voting from a week on."""
    notes: list[str] = []
    currency = pb.meta.get("currency", "").strip()
    if currency and currency.upper() != "EUR":
        notes.append(
            _(
                "The file counts money in {currency}; civica shows amounts in euros, one "
                "{currency} as one euro.",
                currency=currency,
            )
        )
    unit = money_unit_cents(pb)
    projects = _projects(pb, unit)
    ballots, skipped = _ballots(pb)
    ballot = _ballot_spec(pb, ballots, notes)
    choice = _tally_choice(pb, unit, notes)
    zone = ZoneInfo(TIMEZONE)
    title = clean_text(name or _place_and_edition(pb) or source_name)
    title = _shorten(title or source_name, LIMITS["cycle_name"])
    settings = CycleSettings(
        slug=slug,
        name=title,
        description="",
        content_language=_content_language(pb, notes),
        timezone=TIMEZONE,
        reference_date=today,
        project_cost_cap_cents=max(p.cost_cents for p in projects),
        propose_eligibility=EligibilityRules(min_age=None, statuses=STATUSES),
        identity_providers=("oidc", "credential", "census"),
        revoting_allowed=False,
        areas=(),
        schedule=import_schedule(today, zone),
    )
    scope = ScopeSettings(
        slug=SCOPE_SLUG,
        name=_shorten(clean_text(pb.meta.get("unit", "")) or title, LIMITS["scope_name"]),
        description="",
        region_code=None,
        budget_cents=pb.budget * unit,
        vote_group="main",
        ballot=ballot,
        tally=choice,
        vote_eligibility=EligibilityRules(min_age=None, statuses=STATUSES),
    )
    problems = cycle_problems(settings) + scope_problems(scope, [])
    if problems:
        raise PabulibNotImportable(
            "; ".join(f"{problem.field}: {problem.message}" for problem in problems)
        )
    return PabulibCycle(settings, scope, projects, ballots, skipped, tuple(notes))


def import_schedule(today: date, zone: ZoneInfo) -> Schedule:
    """Proposals and review behind, the complaints phase running, voting from a week on."""

    def day(offset: int) -> datetime:
        return datetime.combine(today + timedelta(days=offset), time(0, 0), tzinfo=zone)

    return Schedule(day(-30), day(-20), day(-10), day(7), day(21))


def tie_order_agrees(pairs: Sequence[tuple[str, int]]) -> bool:
    """Whether civica ids (`(source id, civica id)` pairs) sort as the file's ids do, as text."""
    by_source = [civica for _source, civica in sorted(pairs, key=lambda pair: pair[0])]
    by_civica = sorted(by_source, key=str)
    return by_source == by_civica


def source_outcome(pb: PabulibFile, rule: TallyRule) -> Outcome:
    """The file's own tally under `rule` in the file's unit (an Add1 step of one unit)."""
    in_units = TallyRule.from_dict({k: v for k, v in rule.as_dict().items() if k != "add1_step"})
    return tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), in_units)


def money_unit_cents(pb: PabulibFile) -> int:
    """Cents per money unit of the file: 100, unless civica wrote the file in another unit."""
    return _meta_int(pb, "civica_money_unit_cents") or CENTS_PER_UNIT


def _projects(pb: PabulibFile, unit: int) -> tuple[ImportedProject, ...]:
    if not pb.projects:
        raise PabulibNotImportable(_("The file lists no projects."))
    projects = []
    for project in sorted(pb.projects, key=lambda p: p.project_id):
        if project.cost <= 0:
            raise PabulibNotImportable(
                _(
                    "Project {id} costs nothing; civica needs every project to have a cost.",
                    id=project.project_id,
                )
            )
        name = clean_text(project.fields.get("name", "")) or _(
            "Project {id}", id=project.project_id
        )
        text = clean_text(project.fields.get("description", ""), multiline=True) or name
        projects.append(
            ImportedProject(
                source_id=project.project_id,
                title=_shorten(name, LIMITS["title"]),
                description=_shorten(text, LIMITS["description"]),
                cost_cents=project.cost * unit,
            )
        )
    return tuple(projects)


def _ballots(pb: PabulibFile) -> tuple[tuple[ImportedBallot, ...], tuple[tuple[str, str], ...]]:
    ballots = []
    skipped = []
    for vote in pb.votes:
        points = vote.points or (1,) * len(vote.projects)
        selections = {pid: p for pid, p in zip(vote.projects, points, strict=True) if p > 0}
        if not selections:
            skipped.append((vote.voter_id, _("the ballot names no project")))
            continue
        ballots.append(ImportedBallot(vote.voter_id, selections))
    return tuple(ballots), tuple(skipped)


def _ballot_spec(
    pb: PabulibFile, ballots: Sequence[ImportedBallot], notes: list[str]
) -> BallotSpec:
    longest = max((len(b.selections) for b in ballots), default=1)
    if pb.vote_type == "choose-1":
        return BallotSpec(BallotKind.SINGLE_CHOICE)
    if pb.vote_type == "cumulative":
        largest_sum = max((sum(b.selections.values()) for b in ballots), default=1)
        largest = max((max(b.selections.values()) for b in ballots), default=1)
        points = max(largest_sum, _meta_int(pb, "max_sum_points") or 0, 1)
        cap = _meta_int(pb, "max_points")
        per_project = cap if cap is not None and largest <= cap <= points else None
        return BallotSpec(BallotKind.CUMULATIVE, points=points, max_points_per_project=per_project)
    if pb.vote_type == "approval" and "max_sum_cost" in pb.meta:
        cost = {p.project_id: p.cost for p in pb.projects}
        if all(sum(cost[pid] for pid in b.selections) <= pb.budget for b in ballots):
            notes.append(_("Approval ballots limited by cost: imported as knapsack ballots."))
            return BallotSpec(BallotKind.KNAPSACK)
    if pb.vote_type == "ordinal":
        notes.append(_("Ordinal ballots are imported as approvals of the projects they rank."))
    k = max(longest, _meta_int(pb, "max_length") or 0, 1)
    return BallotSpec(BallotKind.K_APPROVAL, max_choices=min(k, len(pb.projects)))


def _tally_choice(pb: PabulibFile, unit: int, notes: list[str]) -> TallyChoice:
    named = pb.meta.get("rule", "").strip()
    rule, completion = RULES.get(named, ("greedy", "none"))
    if named not in RULES:
        notes.append(
            _(
                "The file's rule “{rule}” is not one civica implements; the cycle uses greedy "
                "by votes.",
                rule=named or "—",
            )
        )
    threshold = _meta_int(pb, "min_project_score_threshold")
    return TallyChoice(
        rule=rule,
        completion=completion,
        min_votes=threshold or None,
        utilities="cost",
        tie_break=TIE_BREAK,
        add1_step=unit if completion.startswith("add1") else 1,
    )


def _meta_int(pb: PabulibFile, key: str) -> int | None:
    text = pb.meta.get(key, "").strip()
    return int(text) if text.isdigit() else None


def _place_and_edition(pb: PabulibFile) -> str:
    """`Warszawa, Praga-Południe 2020`: names of places and a year read alike in any language,
    unlike META `description` (pabulib's English), so the cycle's name suits its language."""
    place = ", ".join(clean_text(pb.meta[key]) for key in ("unit", "district") if pb.meta.get(key))
    return " ".join(part for part in (place, clean_text(pb.meta.get("instance", ""))) if part)


def _content_language(pb: PabulibFile, notes: list[str]) -> str:
    """The language of the file's project names (META `language`), English when not named."""
    tag = normalise_language_tag(pb.meta.get("language", ""))
    if language_is_known(tag):
        return tag
    notes.append(
        _(
            "The file does not name a known language (META language); its project names are "
            "taken to be in English."
        )
    )
    return "en"


def describe_import(meta: Mapping[str, str], source_name: str) -> str:
    """Where an imported cycle came from, shown on its page in the visitor's language (the
    place is in the cycle's name, in the cycle's language)."""
    return _(
        "Imported from the pabulib file {file}: {projects} projects, {votes} voters, as "
        "published at pabulib.org.",
        file=source_name,
        projects=meta.get("num_projects", "?"),
        votes=meta.get("num_votes", "?"),
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
