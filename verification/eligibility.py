"""Who may propose and vote: rules a cycle or scope declares, checked against attributes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
