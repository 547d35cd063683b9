"""Eligibility rules: ages on the reference date (edges, 29 February), residence, status,
census membership, and the plain-words explanations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from verification.eligibility import (
    EligibilityRules,
    age_on,
    check_eligibility,
    format_date,
)
from verification.identity.model import VerifiedIdentity

REFERENCE = date(2026, 6, 1)


@dataclass(frozen=True)
class Person:
    birth_date: date | None = date(1980, 1, 1)
    residence: str | None = "PT-11"
    status: str | None = "citizen"
    census_member: bool = False


def rules_failed(rules: EligibilityRules, person: Person, on: date = REFERENCE) -> list[str]:
    return [reason.rule for reason in check_eligibility(rules, person, on)]


def test_an_adult_citizen_meets_the_default_rules() -> None:
    assert check_eligibility(EligibilityRules(), Person(), REFERENCE) == []


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2008, 6, 1), date(2026, 6, 1), 18),  # the birthday itself counts
        (date(2008, 6, 2), date(2026, 6, 1), 17),  # one day short
        (date(2008, 5, 31), date(2026, 6, 1), 18),
        (date(2008, 2, 29), date(2026, 2, 28), 18),  # common year: 28 February
        (date(2008, 2, 29), date(2026, 2, 27), 17),
        (date(2008, 2, 29), date(2028, 2, 28), 19),  # leap year: not until the 29th
        (date(2008, 2, 29), date(2028, 2, 29), 20),
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_on_a_date(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_minimum_age_reached_on_the_reference_date() -> None:
    assert rules_failed(EligibilityRules(min_age=18), Person(date(2008, 6, 1))) == []


def test_minimum_age_missed_by_one_day_is_explained() -> None:
    reasons = check_eligibility(EligibilityRules(min_age=18), Person(date(2008, 6, 2)), REFERENCE)
    assert [r.rule for r in reasons] == ["min_age"]
    assert reasons[0].explanation == (
        "You must be at least 18 years old on 1 June 2026. On that date you are 17."
    )


def test_born_on_29_february_turns_18_on_28_february_of_a_common_year() -> None:
    rules = EligibilityRules(min_age=18)
    assert rules_failed(rules, Person(date(2008, 2, 29)), date(2026, 2, 28)) == []
    assert rules_failed(rules, Person(date(2008, 2, 29)), date(2026, 2, 27)) == ["min_age"]


def test_maximum_age_is_inclusive_op_jovem() -> None:
    rules = EligibilityRules(min_age=14, max_age=30)
    assert rules_failed(rules, Person(date(1995, 6, 2))) == []  # 30 on the reference date
    assert rules_failed(rules, Person(date(1995, 6, 1))) == ["max_age"]  # 31 that very day
    assert rules_failed(rules, Person(date(2012, 6, 1))) == []  # 14 exactly
    assert rules_failed(rules, Person(date(2012, 6, 2))) == ["min_age"]
    reason = check_eligibility(rules, Person(date(1990, 1, 1)), REFERENCE)[0]
    assert reason.explanation == (
        "This is for people aged 30 or younger on 1 June 2026. On that date you are 36."
    )


def test_lisbon_sixteen_plus() -> None:
    rules = EligibilityRules(min_age=16)
    assert rules_failed(rules, Person(date(2010, 6, 1))) == []
    assert rules_failed(rules, Person(date(2010, 6, 2))) == ["min_age"]


def test_no_age_rule_needs_no_birth_date() -> None:
    rules = EligibilityRules(min_age=None, max_age=None)
    assert rules_failed(rules, Person(birth_date=None)) == []


def test_an_unknown_birth_date_fails_an_age_rule_with_a_reason() -> None:
    reasons = check_eligibility(EligibilityRules(), Person(birth_date=None), REFERENCE)
    assert [r.rule for r in reasons] == ["birth_date_unknown"]
    assert "did not tell us your date of birth" in reasons[0].explanation


def test_residence_restricted_to_the_region() -> None:
    rules = EligibilityRules(residence=("PT-11", "PT-15"))
    assert rules_failed(rules, Person(residence="PT-15")) == []
    assert rules_failed(rules, Person(residence="pt-11")) == []  # codes compare case-blind
    reasons = check_eligibility(rules, Person(residence="PT-13"), REFERENCE)
    assert [r.rule for r in reasons] == ["residence"]
    assert reasons[0].explanation == (
        "This is only for residents of PT-11, PT-15. Your residence is recorded as PT-13."
    )
    assert rules_failed(rules, Person(residence=None)) == ["residence"]


def test_open_residence_admits_anyone_as_the_opp_regional_vote_did() -> None:
    assert rules_failed(EligibilityRules(residence=()), Person(residence="PT-20")) == []
    assert rules_failed(EligibilityRules(residence=()), Person(residence=None)) == []


def test_status_rules() -> None:
    citizens_only = EligibilityRules(statuses=("citizen",))
    assert rules_failed(citizens_only, Person(status="citizen")) == []
    reasons = check_eligibility(citizens_only, Person(status="legal_resident"), REFERENCE)
    assert [r.rule for r in reasons] == ["status"]
    assert reasons[0].explanation == (
        "This is open to citizens. Your status is recorded as legally resident foreigner."
    )
    assert rules_failed(citizens_only, Person(status=None)) == ["status"]
    both = EligibilityRules()
    assert rules_failed(both, Person(status="legal_resident")) == []
    assert rules_failed(both, Person(status=None)) == []  # every status admitted
    assert rules_failed(both, Person(status="visitor")) == ["status"]


def test_census_membership() -> None:
    rules = EligibilityRules(census_required=True)
    assert rules_failed(rules, Person(census_member=True)) == []
    reasons = check_eligibility(rules, Person(census_member=False), REFERENCE)
    assert [r.rule for r in reasons] == ["census"]
    assert "census roll" in reasons[0].explanation


def test_every_failed_rule_is_listed() -> None:
    rules = EligibilityRules(
        min_age=18, residence=("PT-11",), statuses=("citizen",), census_required=True
    )
    person = Person(date(2012, 1, 1), "PT-13", "legal_resident", False)
    assert rules_failed(rules, person) == ["min_age", "residence", "status", "census"]


def test_rules_read_a_verified_identity_too() -> None:
    identity = VerifiedIdentity("census", "12345678", date(2010, 6, 2), "PT-11", "citizen")
    assert [r.rule for r in check_eligibility(EligibilityRules(), identity, REFERENCE)] == [
        "min_age"
    ]


def test_rules_round_trip_through_json() -> None:
    rules = EligibilityRules(14, 30, ("PT-11",), ("citizen",), True)
    assert EligibilityRules.from_dict(rules.to_dict()) == rules


def test_format_date() -> None:
    assert format_date(date(2026, 2, 28)) == "28 February 2026"
