"""Who may propose and vote: rules a cycle or scope declares, checked against attributes.

`check_eligibility` is pure: it takes the rules, what an identity provider verified and the
cycle's reference date, and explains in plain words every rule the person does not meet.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from verification.messages import Day, _

STATUSES = ("citizen", "legal_resident")
STATUS_NAMES = {"citizen": _("citizens"), "legal_resident": _("legally resident foreigners")}
STATUS_NAME = {"citizen": _("citizen"), "legal_resident": _("legally resident foreigner")}


@dataclass(frozen=True)
class EligibilityRules:
    """Conditions on a person's verified attributes.

    Ages are whole years on the cycle's reference date. `residence` lists the residence codes
    allowed (empty: anyone, as OPP's regional vote was). `census_required` admits only people
    on the municipality's imported census roll.
    """

    min_age: int | None = 18
    max_age: int | None = None
    residence: tuple[str, ...] = ()
    statuses: tuple[str, ...] = STATUSES
    census_required: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_age": self.min_age,
            "max_age": self.max_age,
            "residence": list(self.residence),
            "statuses": list(self.statuses),
            "census_required": self.census_required,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EligibilityRules:
        return cls(
            min_age=data.get("min_age"),
            max_age=data.get("max_age"),
            residence=tuple(data.get("residence", ())),
            statuses=tuple(data.get("statuses", STATUSES)),
            census_required=bool(data.get("census_required", False)),
        )


class VerifiedAttributes(Protocol):
    """What the rules read: a VerifiedIdentity or a CitizenSession both have these."""

    @property
    def birth_date(self) -> date | None: ...
    @property
    def residence(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def census_member(self) -> bool: ...


@dataclass(frozen=True)
class IneligibleReason:
    """One rule a person does not meet: which (`rule`) and why, in plain words."""

    rule: str
    explanation: str


def birthday_in(born: date, year: int) -> date:
    """The day in `year` on which someone born on `born` adds a year of age.

    Someone born on 29 February adds a year on 28 February in common years: the rule of the
    Portuguese Civil Code (art. 279 c) for a period ending on a day the month does not have.
    """
    if born.month == 2 and born.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return born.replace(year=year)


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`; the birthday itself counts as having reached the age."""
    age = day.year - born.year
    return age if day >= birthday_in(born, day.year) else age - 1


def format_date(day: date) -> str:
    """A date in plain words, e.g. '1 June 2026'."""
    return f"{Day.of(day)}"


def check_eligibility(
    rules: EligibilityRules, person: VerifiedAttributes, reference_date: date
) -> list[IneligibleReason]:
    """Every rule `person` fails on `reference_date`, explained; empty when they are eligible."""
    reasons: list[IneligibleReason] = []
    reasons.extend(_age_reasons(rules, person.birth_date, reference_date))
    reasons.extend(_residence_reasons(rules, person.residence))
    reasons.extend(_status_reasons(rules, person.status))
    if rules.census_required and not person.census_member:
        reasons.append(
            IneligibleReason(
                "census",
                _(
                    "Only people on the municipality's census roll can take part. We could not "
                    "find you on it: sign in with your ID number and a one-time code, or ask "
                    "the municipality to check the roll."
                ),
            )
        )
    return reasons


def _age_reasons(
    rules: EligibilityRules, born: date | None, reference_date: date
) -> list[IneligibleReason]:
    if rules.min_age is None and rules.max_age is None:
        return []
    on = Day.of(reference_date)
    if born is None:
        return [
            IneligibleReason(
                "birth_date_unknown",
                _(
                    "Your identity provider did not tell us your date of birth, which we need "
                    "to check the age limit on {date}. Sign in another way.",
                    date=on,
                ),
            )
        ]
    age = age_on(born, reference_date)
    if rules.min_age is not None and age < rules.min_age:
        return [
            IneligibleReason(
                "min_age",
                _(
                    "You must be at least {min_age} years old on {date}. On that date you are "
                    "{age}.",
                    min_age=rules.min_age,
                    date=on,
                    age=age,
                ),
            )
        ]
    if rules.max_age is not None and age > rules.max_age:
        return [
            IneligibleReason(
                "max_age",
                _(
                    "This is for people aged {max_age} or younger on {date}. On that date you "
                    "are {age}.",
                    max_age=rules.max_age,
                    date=on,
                    age=age,
                ),
            )
        ]
    return []


def _residence_reasons(rules: EligibilityRules, residence: str | None) -> list[IneligibleReason]:
    if not rules.residence:
        return []
    allowed = ", ".join(rules.residence)
    if residence is None:
        return [
            IneligibleReason(
                "residence",
                _(
                    "This is only for residents of {allowed}, and your identity provider did not "
                    "tell us where you live. Sign in another way.",
                    allowed=allowed,
                ),
            )
        ]
    if residence.upper() not in {code.upper() for code in rules.residence}:
        return [
            IneligibleReason(
                "residence",
                _(
                    "This is only for residents of {allowed}. Your residence is recorded as "
                    "{residence}.",
                    allowed=allowed,
                    residence=residence,
                ),
            )
        ]
    return []


def _status_list(names: list[str]) -> str:
    """Status names as one message: "citizens and legally resident foreigners"."""
    if not names:
        return _("nobody")
    listed = names[-1]
    for name in reversed(names[:-1]):
        listed = _("{first} and {rest}", first=name, rest=listed)
    return listed


def _status_reasons(rules: EligibilityRules, status: str | None) -> list[IneligibleReason]:
    open_to = _status_list([STATUS_NAMES.get(s, s) for s in rules.statuses])
    if status is None:
        if set(STATUSES) <= set(rules.statuses):
            return []  # every known status is admitted, so an unknown one does not matter
        return [
            IneligibleReason(
                "status",
                _(
                    "This is open to {open_to}, and your identity provider did not tell us "
                    "your status. Sign in another way.",
                    open_to=open_to,
                ),
            )
        ]
    if status not in rules.statuses:
        return [
            IneligibleReason(
                "status",
                _(
                    "This is open to {open_to}. Your status is recorded as {status}.",
                    open_to=open_to,
                    status=STATUS_NAME.get(status, status),
                ),
            )
        ]
    return []
