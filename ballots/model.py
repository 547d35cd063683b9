"""Ballot types and their parameters, as a scope declares them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from verification.messages import _


class BallotKind(StrEnum):
    SINGLE_CHOICE = "single-choice"
    K_APPROVAL = "k-approval"
    KNAPSACK = "knapsack"
    CUMULATIVE = "cumulative"


class BallotSpecError(ValueError):
    """A ballot type's parameters are inconsistent."""


@dataclass(frozen=True)
class BallotSpec:
    """What a valid ballot in a scope looks like.

    - single-choice: exactly one project (OPP).
    - k-approval: between 1 and `max_choices` projects.
    - knapsack: any non-empty set whose total cost is at most the scope budget and, when
      `min_spend_percent` is set, at least that share of it.
    - cumulative: at most `points` points in total, at most `max_points_per_project` on one.
    """

    kind: BallotKind
    max_choices: int | None = None
    min_spend_percent: int | None = None
    points: int | None = None
    max_points_per_project: int | None = None

    def __post_init__(self) -> None:
        if self.kind is BallotKind.K_APPROVAL and (
            self.max_choices is None or self.max_choices < 1
        ):
            raise BallotSpecError(_("A k-approval ballot needs k (max_choices) of at least 1."))
        if (
            self.kind is BallotKind.KNAPSACK
            and self.min_spend_percent is not None
            and not (0 <= self.min_spend_percent <= 100)
        ):
            raise BallotSpecError(
                _("The minimum spend of a knapsack ballot is a percentage, 0-100.")
            )
        if self.kind is BallotKind.CUMULATIVE:
            if self.points is None or self.points < 1:
                raise BallotSpecError(
                    _("A cumulative ballot needs a number of points of at least 1.")
                )
            cap = self.max_points_per_project
            if cap is not None and not 1 <= cap <= self.points:
                raise BallotSpecError(_("The per-project cap must be between 1 and the points."))

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON form stored in the database and published in the manifest."""
        fields = {
            "max_choices": self.max_choices,
            "min_spend_percent": self.min_spend_percent,
            "points": self.points,
            "max_points_per_project": self.max_points_per_project,
        }
        return {"kind": self.kind.value, **{k: v for k, v in fields.items() if v is not None}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BallotSpec:
        try:
            kind = BallotKind(data["kind"])
        except (KeyError, ValueError):
            raise BallotSpecError(f"unknown ballot kind {data.get('kind')!r}") from None
        return cls(
            kind=kind,
            max_choices=data.get("max_choices"),
            min_spend_percent=data.get("min_spend_percent"),
            points=data.get("points"),
            max_points_per_project=data.get("max_points_per_project"),
        )
