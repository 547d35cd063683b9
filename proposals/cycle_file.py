"""The declarative cycle file (TOML, or the same structure in JSON): parse and validate it
fully into domain values, or report every problem with its key and, where found, its line.

See docs/cycle-file.md for the format and docs/examples/opp-2018.toml for an example.
"""

from __future__ import annotations

import contextlib
import json
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ballots.model import BallotSpec, BallotSpecError
from proposals.errors import CycleFileInvalid, Problem
from proposals.i18n import _
from proposals.languages import normalise_language_tag
from proposals.model import IDENTITY_PROVIDERS, CycleSettings, ScopeSettings
from proposals.phases import DATED_PHASES, Schedule
from proposals.tally_choice import TallyChoice, TallyChoiceError, tally_from_dict
from proposals.validation import (
    clean_text,
    cycle_problems,
    scope_problems,
    timezone_is_known,
)
from verification.eligibility import STATUSES, EligibilityRules

CYCLE_KEYS = {
    "slug",
    "name",
    "description",
    "language",
    "timezone",
    "reference_date",
    "project_cost_cap_cents",
    "revoting_allowed",
    "identity_providers",
    "areas",
    "phases",
    "propose_eligibility",
}
SCOPE_KEYS = {
    "slug",
    "name",
    "description",
    "region_code",
    "budget_cents",
    "vote_group",
    "ballot",
    "tally",
    "vote_eligibility",
}
DEFAULT_KEYS = {"vote_group", "ballot", "tally", "vote_eligibility"}
ELIGIBILITY_KEYS = {"min_age", "max_age", "residence", "statuses", "census_required"}
BALLOT_KEYS = {"kind", "max_choices", "min_spend_percent", "points", "max_points_per_project"}
DEFAULT_TIMEZONE = "Europe/Lisbon"


@dataclass(frozen=True)
class CycleDefinition:
    """A whole cycle as a file declares it: settings and scopes in order."""

    settings: CycleSettings
    scopes: tuple[ScopeSettings, ...]


def parse_cycle_file(
    text: str, *, json_format: bool = False, default_language: str = "en"
) -> CycleDefinition:
    """Parse and validate a cycle file; raise CycleFileInvalid listing every problem.

    `default_language` is the content language of a file that declares none (the deployment's
    default page language, for `civica load-cycle`).
    """
    try:
        data = json.loads(text) if json_format else tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CycleFileInvalid([Problem("file", _("Not valid TOML: {e}", e=error))]) from None
    except json.JSONDecodeError as error:
        raise CycleFileInvalid(
            [Problem(f"line {error.lineno}", _("Not valid JSON: {e}", e=error.msg))]
        ) from None
    reader = _Reader(_key_lines(text) if not json_format else {}, default_language)
    definition = reader.definition(data)
    if reader.problems or definition is None:
        raise CycleFileInvalid(reader.problems)
    return definition


class _Reader:
    """Reads the parsed document, collecting problems rather than stopping at the first."""

    def __init__(self, lines: dict[tuple[str | int, ...], int], default_language: str) -> None:
        self.lines = lines
        self.default_language = default_language
        self.problems: list[Problem] = []

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(_describe(path, self.lines), message))

    def definition(self, data: Any) -> CycleDefinition | None:
        if not isinstance(data, dict):
            self.problem(("file",), _("The file must hold a table with [cycle] and [[scopes]]."))
            return None
        self.unknown_keys((), data, {"cycle", "scope_defaults", "scopes"})
        cycle = self.table(("cycle",), data.get("cycle"), required=True)
        defaults = self.table(("scope_defaults",), data.get("scope_defaults"), required=False)
        if defaults:
            self.unknown_keys(("scope_defaults",), defaults, DEFAULT_KEYS)
        raw_scopes = data.get("scopes")
        if not isinstance(raw_scopes, list) or not raw_scopes:
            self.problem(("scopes",), _("Declare at least one [[scopes]] table."))
            raw_scopes = []
        settings = self.cycle(cycle) if cycle is not None else None
        scopes: list[ScopeSettings] = []
        for index, raw in enumerate(raw_scopes):
            path: tuple[str | int, ...] = ("scopes", index)
            if not isinstance(raw, dict):
                self.problem(path, _("Each scope must be a [[scopes]] table."))
                continue
            scope = self.scope(path, {**(defaults or {}), **raw}, scopes)
            if scope is not None:
                scopes.append(scope)
        if settings is None or self.problems:
            return None
        return CycleDefinition(settings, tuple(scopes))

    def cycle(self, raw: dict[str, Any]) -> CycleSettings | None:
        base = ("cycle",)
        self.unknown_keys(base, raw, CYCLE_KEYS)
        before = len(self.problems)
        timezone = self.text((*base, "timezone"), raw.get("timezone", DEFAULT_TIMEZONE))
        if timezone and not timezone_is_known(timezone):
            self.problem((*base, "timezone"), _("Unknown time zone; use e.g. Europe/Lisbon."))
            timezone = ""
        zone = ZoneInfo(timezone) if timezone else ZoneInfo(DEFAULT_TIMEZONE)
        phases = self.table((*base, "phases"), raw.get("phases"), required=True) or {}
        self.unknown_keys((*base, "phases"), phases, {p.value for p in DATED_PHASES})
        starts = {
            phase: self.moment((*base, "phases", phase.value), phases.get(phase.value), zone)
            for phase in DATED_PHASES
        }
        areas_raw = raw.get("areas", [])
        if not isinstance(areas_raw, list) or not all(isinstance(a, str) for a in areas_raw):
            self.problem((*base, "areas"), _('A list of area names, e.g. ["Culture"].'))
            areas_raw = []
        providers = raw.get("identity_providers", list(IDENTITY_PROVIDERS))
        if not isinstance(providers, list) or not all(isinstance(p, str) for p in providers):
            self.problem((*base, "identity_providers"), _("A list of provider names."))
            providers = []
        settings = CycleSettings(
            slug=self.text((*base, "slug"), raw.get("slug")),
            name=self.text((*base, "name"), raw.get("name")),
            description=self.text(
                (*base, "description"), raw.get("description", ""), multiline=True
            ),
            content_language=normalise_language_tag(
                self.text((*base, "language"), raw.get("language", self.default_language))
            ),
            timezone=timezone or DEFAULT_TIMEZONE,
            reference_date=self.day((*base, "reference_date"), raw.get("reference_date")),
            project_cost_cap_cents=self.integer(
                (*base, "project_cost_cap_cents"), raw.get("project_cost_cap_cents")
            ),
            propose_eligibility=self.eligibility(
                (*base, "propose_eligibility"), raw.get("propose_eligibility", {})
            ),
            identity_providers=tuple(providers),
            revoting_allowed=self.boolean(
                (*base, "revoting_allowed"), raw.get("revoting_allowed", False)
            ),
            areas=tuple(clean_text(a) for a in areas_raw),
            schedule=Schedule(*(starts[p] for p in DATED_PHASES)),
        )
        if len(self.problems) > before:
            return None
        for problem in cycle_problems(settings):
            self.problem(base + _field_path(problem.field), problem.message)
        return settings

    def scope(
        self, path: tuple[str | int, ...], raw: dict[str, Any], siblings: list[ScopeSettings]
    ) -> ScopeSettings | None:
        self.unknown_keys(path, raw, SCOPE_KEYS)
        before = len(self.problems)
        region = raw.get("region_code")
        settings = ScopeSettings(
            slug=self.text((*path, "slug"), raw.get("slug")),
            name=self.text((*path, "name"), raw.get("name")),
            description=self.text(
                (*path, "description"), raw.get("description", ""), multiline=True
            ),
            region_code=None if region is None else self.text((*path, "region_code"), region),
            budget_cents=self.integer((*path, "budget_cents"), raw.get("budget_cents")),
            vote_group=self.text((*path, "vote_group"), raw.get("vote_group", "main")),
            ballot=self.ballot((*path, "ballot"), raw.get("ballot")),
            tally=self.tally((*path, "tally"), raw.get("tally", {})),
            vote_eligibility=self.eligibility(
                (*path, "vote_eligibility"), raw.get("vote_eligibility", {})
            ),
        )
        if len(self.problems) > before:
            return None
        for problem in scope_problems(settings, siblings):
            self.problem(path + _field_path(problem.field), problem.message)
        return settings

    def ballot(self, path: tuple[str | int, ...], raw: Any) -> BallotSpec:
        fallback = BallotSpec.from_dict({"kind": "single-choice"})
        if raw is None:
            self.problem(path, _('Declare the ballot, e.g. ballot = { kind = "single-choice" }.'))
            return fallback
        if not isinstance(raw, dict):
            self.problem(path, _("The ballot must be a table with a kind."))
            return fallback
        self.unknown_keys(path, raw, BALLOT_KEYS)
        for key in BALLOT_KEYS - {"kind"}:
            if key in raw:
                self.integer((*path, key), raw[key])
        try:
            return BallotSpec.from_dict(raw)
        except (BallotSpecError, TypeError) as error:
            self.problem(path, str(error))
            return fallback

    def tally(self, path: tuple[str | int, ...], raw: Any) -> TallyChoice:
        try:
            return tally_from_dict(raw)
        except TallyChoiceError as error:
            self.problem((*path, error.field) if error.field != "tally" else path, error.message)
            return TallyChoice()

    def eligibility(self, path: tuple[str | int, ...], raw: Any) -> EligibilityRules:
        if not isinstance(raw, dict):
            self.problem(path, _("Eligibility must be a table (min_age, statuses, ...)."))
            return EligibilityRules()
        self.unknown_keys(path, raw, ELIGIBILITY_KEYS)
        for key in ("min_age", "max_age"):
            if raw.get(key) is not None:
                self.integer((*path, key), raw[key])
        for key, allowed in (("statuses", STATUSES), ("residence", None)):
            value = raw.get(key)
            if value is None:
                continue
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.problem((*path, key), _("A list of text values."))
            elif allowed is not None and any(v not in allowed for v in value):
                self.problem((*path, key), _("Choose among: {names}.", names=", ".join(allowed)))
        if "census_required" in raw:
            self.boolean((*path, "census_required"), raw["census_required"])
        try:
            return EligibilityRules.from_dict(raw)
        except (TypeError, ValueError):
            return EligibilityRules()

    # scalar readers: record a problem and return a harmless placeholder

    def table(
        self, path: tuple[str | int, ...], value: Any, *, required: bool
    ) -> dict[str, Any] | None:
        if value is None:
            if required:
                self.problem(path, _("This table is missing."))
            return None
        if not isinstance(value, dict):
            self.problem(path, _("This must be a table."))
            return None
        return value

    def text(self, path: tuple[str | int, ...], value: Any, *, multiline: bool = False) -> str:
        if value is None:
            self.problem(path, _("This key is missing."))
            return ""
        if not isinstance(value, str):
            self.problem(path, _("This must be text (in quotes)."))
            return ""
        return clean_text(value, multiline=multiline)

    def integer(self, path: tuple[str | int, ...], value: Any) -> int:
        if value is None:
            self.problem(path, _("This key is missing."))
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, _("This must be a whole number (money is in integer cents)."))
            return 0
        return value

    def boolean(self, path: tuple[str | int, ...], value: Any) -> bool:
        if not isinstance(value, bool):
            self.problem(path, _("This must be true or false."))
            return False
        return value

    def day(self, path: tuple[str | int, ...], value: Any) -> date:
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = date.fromisoformat(value)
        if isinstance(value, datetime) or not isinstance(value, date):
            self.problem(path, _("This must be a date such as 2018-01-23."))
            return date(2000, 1, 1)
        return value

    def moment(self, path: tuple[str | int, ...], value: Any, zone: ZoneInfo) -> datetime:
        """A date (midnight, local) or date-time (local unless it has an offset)."""
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=zone)
        if isinstance(value, date):
            return datetime.combine(value, time(0, 0), tzinfo=zone)
        if value is None:
            self.problem(path, _("This phase has no start date."))
        else:
            self.problem(path, _("This must be a date (2018-01-23) or date-time."))
        return datetime(2000, 1, 1, tzinfo=zone)

    def unknown_keys(
        self, path: tuple[str | int, ...], raw: dict[str, Any], known: set[str]
    ) -> None:
        for key in sorted(set(raw) - known):
            self.problem(
                (*path, key),
                _("Unknown key; the keys allowed here are: {keys}.", keys=", ".join(sorted(known))),
            )


def _field_path(field: str) -> tuple[str | int, ...]:
    """Map a validation field name to file keys ("phases.review", "budget" → budget_cents)."""
    renames = {
        "budget": "budget_cents",
        "project_cost_cap": "project_cost_cap_cents",
        "content_language": "language",
    }
    return tuple(renames.get(part, part) for part in field.split("."))


def _describe(path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> str:
    """ "scopes[3].budget_cents (line 42)": scopes numbered from 1, the nearest line found."""
    parts: list[str] = []
    for part in path:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part + 1}]"
        else:
            parts.append(part)
    label = ".".join(parts)
    for end in range(len(path), 0, -1):
        line = lines.get(path[:end])
        if line is not None:
            return f"{label} (line {line})"
    return label


_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\s\"-]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.\"-]+)\s*=")


def _key_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Where each table and key is declared (first occurrence), for error messages."""
    lines: dict[tuple[str | int, ...], int] = {}
    counts: dict[str, int] = {}
    table: tuple[str | int, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            names = [n.strip().strip('"') for n in header[2].split(".")]
            if header[1] == "[[":
                key = ".".join(names)
                counts[key] = counts.get(key, -1) + 1
                table = (*names, counts[key])
            elif names[0] in counts and len(names) > 1:
                table = (names[0], counts[names[0]], *names[1:])
            else:
                table = tuple(names)
            lines.setdefault(table, number)
            continue
        key_match = _KEY.match(line)
        if key_match:
            keys = tuple(k.strip('"') for k in key_match[1].split("."))
            for end in range(1, len(keys) + 1):
                lines.setdefault(table + keys[:end], number)
    return lines
