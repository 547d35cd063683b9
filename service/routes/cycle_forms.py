"""Turning the cycle and scope forms into domain settings, with a problem per bad field.

Field names are the domain's ("phases.review", "vote_eligibility.min_age"), so the problems
validation reports land on the right inputs and in the error summary.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from ballots.model import BallotKind, BallotSpec, BallotSpecError
from proposals.errors import Problem
from proposals.i18n import _
from proposals.languages import normalise_language_tag
from proposals.model import IDENTITY_PROVIDERS, Cycle, CycleSettings, Scope, ScopeSettings
from proposals.money import MoneyFormatError, format_money_input, parse_money
from proposals.phases import DATED_PHASES, Schedule
from proposals.tally_choice import TallyChoice, TallyChoiceError
from proposals.validation import clean_text, timezone_is_known
from service.forms import Form, moment_input, parse_moment, parse_whole
from verification.eligibility import STATUSES, EligibilityRules

DEFAULT_TIMEZONE = "Europe/Lisbon"
CYCLE_FIELDS = (
    "slug",
    "name",
    "description",
    "content_language",
    "timezone",
    "reference_date",
    "project_cost_cap",
    "areas",
    "propose_eligibility.min_age",
    "propose_eligibility.max_age",
    *(f"phases.{p.value}" for p in DATED_PHASES),
)
SCOPE_FIELDS = (
    "slug",
    "name",
    "description",
    "region_code",
    "budget",
    "vote_group",
    "ballot.kind",
    "ballot.max_choices",
    "ballot.min_spend_percent",
    "ballot.points",
    "ballot.max_points_per_project",
    "tally.rule",
    "tally.completion",
    "tally.min_votes",
    "tally.utilities",
    "tally.tie_break",
    "tally.seed",
    "tally.add1_step",
    "vote_eligibility.min_age",
    "vote_eligibility.max_age",
    "vote_eligibility.residence",
)


class _Parser:
    def __init__(self, form: Form) -> None:
        self.form = form
        self.problems: list[Problem] = []

    def money(self, name: str) -> int:
        try:
            return parse_money(self.form.get(name))
        except MoneyFormatError as error:
            self.problems.append(Problem(name, error.message))
            return 0

    def optional_whole(self, name: str, low: int, high: int) -> int | None:
        text = self.form.get(name).strip()
        if not text:
            return None
        value = parse_whole(text, low, high)
        if value is None:
            self.problems.append(
                Problem(name, _("Enter a whole number from {low} to {high}.", low=low, high=high))
            )
        return value

    def day(self, name: str) -> date:
        try:
            return date.fromisoformat(self.form.get(name).strip())
        except ValueError:
            self.problems.append(Problem(name, _("Enter a date such as 2018-06-11.")))
            return date(2000, 1, 1)

    def eligibility(self, prefix: str) -> EligibilityRules:
        statuses = tuple(s for s in self.form.getlist(f"{prefix}.statuses") if s in STATUSES)
        residence = tuple(
            code
            for code in (
                c.strip() for c in self.form.get(f"{prefix}.residence").replace(";", ",").split(",")
            )
            if code
        )
        return EligibilityRules(
            min_age=self.optional_whole(f"{prefix}.min_age", 0, 130),
            max_age=self.optional_whole(f"{prefix}.max_age", 0, 130),
            residence=residence,
            statuses=statuses,
            census_required=self.form.get(f"{prefix}.census_required") == "1",
        )


def parse_cycle_form(form: Form, slug: str | None) -> tuple[CycleSettings, list[Problem]]:
    """Settings from the cycle form (`slug` fixed when editing); problems for unreadable fields.

    The settings still need `validation.cycle_problems`; when problems are returned they hold
    placeholders and must not be stored.
    """
    parser = _Parser(form)
    timezone = form.get("timezone").strip() or DEFAULT_TIMEZONE
    if not timezone_is_known(timezone):
        parser.problems.append(Problem("timezone", _("Enter a time zone such as Europe/Lisbon.")))
        timezone = DEFAULT_TIMEZONE
    zone = ZoneInfo(timezone)
    starts = []
    for phase in DATED_PHASES:
        name = f"phases.{phase.value}"
        moment = parse_moment(form.get(name), zone)
        if moment is None:
            parser.problems.append(
                Problem(name, _("Enter a date and time such as 2018-01-23 09:00."))
            )
            moment = parse_moment("2000-01-01", zone)
        assert moment is not None
        starts.append(moment)
    settings = CycleSettings(
        slug=slug if slug is not None else form.get("slug").strip().lower(),
        name=clean_text(form.get("name")),
        description=clean_text(form.get("description"), multiline=True),
        content_language=normalise_language_tag(form.get("content_language")),
        timezone=timezone,
        reference_date=parser.day("reference_date"),
        project_cost_cap_cents=parser.money("project_cost_cap"),
        propose_eligibility=parser.eligibility("propose_eligibility"),
        identity_providers=tuple(
            p for p in form.getlist("identity_providers") if p in IDENTITY_PROVIDERS
        ),
        revoting_allowed=form.get("revoting_allowed") == "1",
        areas=tuple(
            line for line in (clean_text(x) for x in form.get("areas").splitlines()) if line
        ),
        schedule=Schedule(*starts),
    )
    if form.getlist("identity_providers") and not settings.identity_providers:
        parser.problems.append(Problem("identity_providers", _("Choose a listed provider.")))
    return settings, parser.problems


def cycle_form_values(
    cycle: Cycle | None, form: Form | None = None, *, default_language: str = "en"
) -> dict[str, Any]:
    """What the cycle form shows: the submitted values, or the stored ones, or defaults (a new
    cycle's content in `default_language`, the deployment's default page language)."""
    if form is not None:
        values: dict[str, Any] = {name: form.get(name) for name in CYCLE_FIELDS}
        values["identity_providers"] = form.getlist("identity_providers")
        values["propose_eligibility.statuses"] = form.getlist("propose_eligibility.statuses")
        values["revoting_allowed"] = form.get("revoting_allowed") == "1"
        return values
    if cycle is None:
        return {
            "content_language": default_language,
            "timezone": DEFAULT_TIMEZONE,
            "identity_providers": list(IDENTITY_PROVIDERS),
            "propose_eligibility.min_age": "18",
            "propose_eligibility.statuses": list(STATUSES),
            "revoting_allowed": False,
        }
    s = cycle.settings
    zone = ZoneInfo(s.timezone)
    values = {
        "slug": s.slug,
        "name": s.name,
        "description": s.description,
        "content_language": s.content_language,
        "timezone": s.timezone,
        "reference_date": s.reference_date.isoformat(),
        "project_cost_cap": format_money_input(s.project_cost_cap_cents),
        "areas": "\n".join(s.areas),
        "identity_providers": list(s.identity_providers),
        "revoting_allowed": s.revoting_allowed,
        "propose_eligibility.min_age": _text(s.propose_eligibility.min_age),
        "propose_eligibility.max_age": _text(s.propose_eligibility.max_age),
        "propose_eligibility.statuses": list(s.propose_eligibility.statuses),
    }
    for phase, start in s.schedule.starts():
        values[f"phases.{phase.value}"] = moment_input(start, zone)
    return values


def parse_scope_form(form: Form) -> tuple[ScopeSettings | None, list[Problem]]:
    """Scope settings from the scope form, or None with the problems found."""
    parser = _Parser(form)
    budget = parser.money("budget")
    ballot = _ballot(parser)
    tally = _tally(parser)
    eligibility = parser.eligibility("vote_eligibility")
    if parser.problems or ballot is None or tally is None:
        return None, parser.problems
    region = clean_text(form.get("region_code"))
    settings = ScopeSettings(
        slug=form.get("slug").strip().lower(),
        name=clean_text(form.get("name")),
        description=clean_text(form.get("description"), multiline=True),
        region_code=region or None,
        budget_cents=budget,
        vote_group=form.get("vote_group").strip().lower() or "main",
        ballot=ballot,
        tally=tally,
        vote_eligibility=eligibility,
    )
    return settings, []


def _ballot(parser: _Parser) -> BallotSpec | None:
    kind_text = parser.form.get("ballot.kind")
    try:
        kind = BallotKind(kind_text)
    except ValueError:
        parser.problems.append(Problem("ballot.kind", _("Choose a ballot type.")))
        return None
    fields = {
        "max_choices": parser.optional_whole("ballot.max_choices", 1, 1000)
        if kind is BallotKind.K_APPROVAL
        else None,
        "min_spend_percent": parser.optional_whole("ballot.min_spend_percent", 0, 100)
        if kind is BallotKind.KNAPSACK
        else None,
        "points": parser.optional_whole("ballot.points", 1, 10_000)
        if kind is BallotKind.CUMULATIVE
        else None,
        "max_points_per_project": parser.optional_whole("ballot.max_points_per_project", 1, 10_000)
        if kind is BallotKind.CUMULATIVE
        else None,
    }
    try:
        return BallotSpec(kind=kind, **fields)
    except BallotSpecError as error:
        field = {
            BallotKind.K_APPROVAL: "ballot.max_choices",
            BallotKind.KNAPSACK: "ballot.min_spend_percent",
            BallotKind.CUMULATIVE: "ballot.points",
        }.get(kind, "ballot.kind")
        parser.problems.append(Problem(field, error.args[0] if error.args else str(error)))
        return None


def _tally(parser: _Parser) -> TallyChoice | None:
    form = parser.form
    try:
        return TallyChoice(
            rule=form.get("tally.rule"),
            completion=form.get("tally.completion") or "none",
            min_votes=parser.optional_whole("tally.min_votes", 0, 10**9),
            utilities=form.get("tally.utilities") or "cost",
            tie_break=form.get("tally.tie_break"),
            seed=parser.optional_whole("tally.seed", 0, 2**63 - 1),
            add1_step=parser.optional_whole("tally.add1_step", 1, 10**9) or 1,
        )
    except TallyChoiceError as error:
        parser.problems.append(Problem(f"tally.{error.field}", error.message))
        return None


def scope_form_values(scope: Scope | None, form: Form | None = None) -> dict[str, Any]:
    """What the scope form shows: the submitted values, or the stored ones, or defaults."""
    if form is not None:
        values: dict[str, Any] = {name: form.get(name) for name in SCOPE_FIELDS}
        values["vote_eligibility.statuses"] = form.getlist("vote_eligibility.statuses")
        return values
    if scope is None:
        return {
            "vote_group": "main",
            "ballot.kind": BallotKind.SINGLE_CHOICE.value,
            "tally.rule": "greedy",
            "tally.completion": "none",
            "tally.utilities": "cost",
            "tally.tie_break": "lexico",
            "vote_eligibility.min_age": "18",
            "vote_eligibility.statuses": list(STATUSES),
        }
    s = scope.settings
    values = {
        "slug": s.slug,
        "name": s.name,
        "description": s.description,
        "region_code": s.region_code or "",
        "budget": format_money_input(s.budget_cents),
        "vote_group": s.vote_group,
        "vote_eligibility.min_age": _text(s.vote_eligibility.min_age),
        "vote_eligibility.max_age": _text(s.vote_eligibility.max_age),
        "vote_eligibility.residence": ", ".join(s.vote_eligibility.residence),
        "vote_eligibility.statuses": list(s.vote_eligibility.statuses),
    }
    values.update({f"ballot.{k}": _text(v) for k, v in s.ballot.to_dict().items()})
    values.update({f"tally.{k}": _text(v) for k, v in s.tally.to_dict().items()})
    return values


def _text(value: object) -> str:
    return "" if value is None else str(value)
