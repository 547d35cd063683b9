"""Checks on what people submit: texts, slugs, money, dates, scopes, proposals, projects.

Each check returns a list of Problems (field, message) so a form can show them all at once
and a cycle file can name every key at fault; nothing here touches storage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from proposals.errors import Problem
from proposals.i18n import Money, _
from proposals.languages import language_is_known
from proposals.model import (
    IDENTITY_PROVIDERS,
    Area,
    CycleSettings,
    ProjectDraft,
    ProposalDraft,
    Scope,
    ScopeSettings,
)
from proposals.money import MAX_CENTS
from proposals.phases import schedule_problems
from verification.eligibility import STATUSES, EligibilityRules

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
VOTE_GROUP = re.compile(r"^[a-z0-9-]{1,63}$")
REGION_CODE = re.compile(r"^[A-Za-z0-9._-]{1,40}$")
TIMEZONE = re.compile(r"^[A-Za-z0-9_+/-]{1,64}$")
# control characters other than tab, line feed and carriage return (NUL cannot be stored)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")

LIMITS = {
    "cycle_name": 200,
    "cycle_description": 5000,
    "scope_name": 200,
    "scope_description": 2000,
    "area_name": 100,
    "title": 150,
    "description": 5000,
    "location": 300,
    "reason": 2000,
    "complaint": 3000,
    "answer": 5000,
}
MAX_AREAS = 50


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Normalise submitted text: NFC, trimmed, line endings as \\n (single-line: spaces)."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not multiline:
        text = " ".join(text.split())
    return text


def text_problem(
    field: str, text: str, limit: int, *, required: bool = True, label: str = ""
) -> Problem | None:
    """The problem with a (cleaned) text field, if any."""
    what = label or _("This field")
    if _CONTROL.search(text):
        return Problem(field, _("{what} contains characters that are not allowed.", what=what))
    if required and not text:
        return Problem(field, _("{what} cannot be empty.", what=what))
    if len(text) > limit:
        return Problem(
            field,
            _(
                "{what} is {length} characters long; the limit is {limit}.",
                what=what,
                length=len(text),
                limit=limit,
            ),
        )
    return None


def _add(problems: list[Problem], problem: Problem | None) -> None:
    if problem is not None:
        problems.append(problem)


def slug_problem(field: str, slug: str) -> Problem | None:
    if not SLUG.match(slug):
        return Problem(
            field,
            _(
                "Use 1 to 63 lower-case letters, digits and hyphens, starting with a letter or "
                "digit (it becomes part of web addresses)."
            ),
        )
    return None


def cost_problem(field: str, cents: int, cap_cents: int, *, what: str) -> Problem | None:
    """Refuse a cost that is not positive or above `cap_cents`."""
    if cents <= 0:
        return Problem(field, _("{what} must be more than zero.", what=what))
    if cents > cap_cents:
        return Problem(
            field,
            _(
                "{what} is {amount}; it cannot be more than {cap}.",
                what=what,
                amount=Money(cents),
                cap=Money(cap_cents),
            ),
        )
    return None


def cycle_problems(settings: CycleSettings) -> list[Problem]:
    """Everything wrong with a cycle's settings."""
    problems: list[Problem] = []
    _add(problems, slug_problem("slug", settings.slug))
    _add(problems, text_problem("name", settings.name, LIMITS["cycle_name"], label=_("The name")))
    _add(
        problems,
        text_problem(
            "description",
            settings.description,
            LIMITS["cycle_description"],
            required=False,
            label=_("The description"),
        ),
    )
    if not language_is_known(settings.content_language):
        problems.append(
            Problem(
                "content_language",
                _("Enter a language tag such as pt-PT, en, es, fr or pl."),
            )
        )
    if not timezone_is_known(settings.timezone):
        problems.append(
            Problem("timezone", _("Enter a time zone such as Europe/Lisbon or Atlantic/Azores."))
        )
    _add(
        problems,
        cost_problem(
            "project_cost_cap",
            settings.project_cost_cap_cents,
            MAX_CENTS,
            what=_("The project cost cap"),
        ),
    )
    unknown = [p for p in settings.identity_providers if p not in IDENTITY_PROVIDERS]
    if unknown or not settings.identity_providers:
        problems.append(
            Problem(
                "identity_providers",
                _(
                    "Choose at least one of: {names}.",
                    names=", ".join(IDENTITY_PROVIDERS),
                ),
            )
        )
    problems.extend(eligibility_problems("propose_eligibility", settings.propose_eligibility))
    problems.extend(area_problems(settings.areas))
    for phase, message in schedule_problems(settings.schedule):
        problems.append(Problem(f"phases.{phase.value}", message))
    return problems


def timezone_is_known(name: str) -> bool:
    if not TIMEZONE.match(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def area_problems(areas: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    if len(areas) > MAX_AREAS:
        problems.append(Problem("areas", _("At most {n} areas.", n=MAX_AREAS)))
    seen: set[str] = set()
    for name in areas:
        problem = text_problem("areas", name, LIMITS["area_name"], label=_("An area name"))
        if problem is not None:
            problems.append(problem)
        elif name.casefold() in seen:
            problems.append(Problem("areas", _("The area “{name}” is listed twice.", name=name)))
        seen.add(name.casefold())
    return problems


def eligibility_problems(field: str, rules: EligibilityRules) -> list[Problem]:
    """Sanity checks on age bounds and statuses (the identity issue evaluates the rules)."""
    problems: list[Problem] = []
    for name, age in (("min_age", rules.min_age), ("max_age", rules.max_age)):
        if age is not None and not (isinstance(age, int) and 0 <= age <= 130):
            problems.append(Problem(f"{field}.{name}", _("Enter an age between 0 and 130.")))
    if (
        isinstance(rules.min_age, int)
        and isinstance(rules.max_age, int)
        and rules.min_age > rules.max_age
    ):
        problems.append(
            Problem(f"{field}.max_age", _("The maximum age must not be below the minimum age."))
        )
    if not rules.statuses or any(s not in STATUSES for s in rules.statuses):
        problems.append(
            Problem(
                f"{field}.statuses",
                _("Choose at least one of: {names}.", names=", ".join(STATUSES)),
            )
        )
    for code in rules.residence:
        if not isinstance(code, str) or not REGION_CODE.match(code):
            problems.append(
                Problem(f"{field}.residence", _("Residence codes are letters, digits and -._"))
            )
            break
    return problems


def scope_problems(
    settings: ScopeSettings, siblings: Sequence[ScopeSettings], *, field_prefix: str = ""
) -> list[Problem]:
    """Everything wrong with one scope, given the cycle's other scopes."""
    problems: list[Problem] = []
    f = field_prefix
    _add(problems, slug_problem(f + "slug", settings.slug))
    _add(
        problems,
        text_problem(f + "name", settings.name, LIMITS["scope_name"], label=_("The name")),
    )
    _add(
        problems,
        text_problem(
            f + "description",
            settings.description,
            LIMITS["scope_description"],
            required=False,
            label=_("The description"),
        ),
    )
    if any(s.name.casefold() == settings.name.casefold() for s in siblings) and settings.name:
        problems.append(
            Problem(f + "name", _("Another scope is already called “{n}”.", n=settings.name))
        )
    if any(s.slug == settings.slug for s in siblings):
        problems.append(Problem(f + "slug", _("Another scope already uses this short name.")))
    _add(
        problems,
        cost_problem(f + "budget", settings.budget_cents, MAX_CENTS, what=_("The budget")),
    )
    if settings.region_code is not None and not REGION_CODE.match(settings.region_code):
        problems.append(
            Problem(f + "region_code", _("Use letters, digits, dots, hyphens and underscores."))
        )
    if not VOTE_GROUP.match(settings.vote_group):
        problems.append(
            Problem(f + "vote_group", _("Use 1 to 63 lower-case letters, digits and hyphens."))
        )
    problems.extend(eligibility_problems(f + "vote_eligibility", settings.vote_eligibility))
    return problems


def proposal_problems(
    draft: ProposalDraft, cap_cents: int, scopes: Sequence[Scope], areas: Sequence[Area]
) -> list[Problem]:
    """Everything wrong with a citizen's proposal."""
    problems = _item_problems(draft.title, draft.description, draft.location)
    _check_scope_and_area(problems, draft.scope_id, draft.area_id, scopes, areas)
    _add(
        problems,
        cost_problem(
            "estimated_cost", draft.estimated_cost_cents, cap_cents, what=_("The estimated cost")
        ),
    )
    return problems


def project_problems(
    draft: ProjectDraft, cap_cents: int, scopes: Sequence[Scope], areas: Sequence[Area]
) -> list[Problem]:
    """Everything wrong with a costed project: its cost must fit the cap and the scope budget."""
    problems = _item_problems(draft.title, draft.description, draft.location)
    scope = _check_scope_and_area(problems, draft.scope_id, draft.area_id, scopes, areas)
    limit = cap_cents if scope is None else min(cap_cents, scope.budget_cents)
    _add(problems, cost_problem("cost", draft.cost_cents, limit, what=_("The cost")))
    return problems


def _item_problems(title: str, description: str, location: str) -> list[Problem]:
    problems: list[Problem] = []
    _add(problems, text_problem("title", title, LIMITS["title"], label=_("The title")))
    _add(
        problems,
        text_problem("description", description, LIMITS["description"], label=_("The description")),
    )
    _add(
        problems,
        text_problem(
            "location", location, LIMITS["location"], required=False, label=_("The location")
        ),
    )
    return problems


def _check_scope_and_area(
    problems: list[Problem],
    scope_id: int,
    area_id: int | None,
    scopes: Sequence[Scope],
    areas: Sequence[Area],
) -> Scope | None:
    scope = next((s for s in scopes if s.id == scope_id), None)
    if scope is None:
        problems.append(Problem("scope", _("Choose the scope (budget) this belongs to.")))
    if areas and not any(a.id == area_id for a in areas):
        problems.append(Problem("area", _("Choose a thematic area.")))
    if not areas and area_id is not None:
        problems.append(Problem("area", _("This cycle has no thematic areas.")))
    return scope
