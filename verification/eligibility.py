"""Who may propose and vote: rules a cycle or scope declares, checked against attributes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from verification.identity.model import CitizenSession

STATUSES = ("citizen", "legal_resident")


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


def check_eligibility(
    rules: EligibilityRules, citizen: CitizenSession, reference_date: date
) -> list[str]:
    """Plain-language reasons `citizen` is not eligible under `rules` (empty: eligible).

    Interim version from the proposals branch: it checks the age rule only. The identity and
    eligibility issue replaces it with the full evaluation (residence, status, census).
    """
    reasons: list[str] = []
    if rules.min_age is None and rules.max_age is None:
        return reasons
    if citizen.birth_date is None:
        return ["Your identity provider did not confirm your date of birth, which is needed here."]
    born = citizen.birth_date
    age = (
        reference_date.year
        - born.year
        - ((reference_date.month, reference_date.day) < (born.month, born.day))
    )
    if rules.min_age is not None and age < rules.min_age:
        reasons.append(
            f"You must be at least {rules.min_age} years old on {reference_date.isoformat()}."
        )
    if rules.max_age is not None and age > rules.max_age:
        reasons.append(
            f"You must be at most {rules.max_age} years old on {reference_date.isoformat()}."
        )
    return reasons
