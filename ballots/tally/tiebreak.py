"""Declared tie-breaks: one total order on projects, used identically by every rule.

- `lexico`: project ids compared as strings (Python code-point order); pabutools' default.
- `cost-then-id`: lower cost first, then ids as strings; civica's default.
- `seeded`: ascending SHA-256(UTF-8(seed) ‖ UTF-8(project id)), digests compared as bytes
  (ties between digests, which do not happen in practice, fall back to the id). The seed is
  published before voting opens, so nobody can choose it after seeing the ballots.

Whenever two projects are tied (same votes in greedy, same price per unit of utility in the
Method of Equal Shares), the one earlier in this order is taken first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Final, Literal, TypeAlias, cast

from ballots.tally.model import InvalidRuleError, Project

TieBreakName: TypeAlias = Literal["lexico", "cost-then-id", "seeded"]
TIE_BREAKS: Final[tuple[TieBreakName, ...]] = ("lexico", "cost-then-id", "seeded")


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A named tie-break; `seed` is required for (and only allowed with) `seeded`."""

    name: TieBreakName = "cost-then-id"
    seed: str | None = None

    def __post_init__(self) -> None:
        if self.name not in TIE_BREAKS:
            raise InvalidRuleError(f"unknown tie-break {self.name!r} (use {', '.join(TIE_BREAKS)})")
        if (self.name == "seeded") != (self.seed is not None):
            raise InvalidRuleError("a seed goes with the 'seeded' tie-break, and only with it")

    @classmethod
    def parse(cls, name: str, seed: str | None = None) -> TieBreak:
        """Build from untyped text (CLI, stored records), raising `InvalidRuleError`."""
        return cls(cast(TieBreakName, name), seed)

    def order(self, projects: Iterable[Project]) -> list[Project]:
        """The projects sorted by this tie-break, the one that wins ties first."""
        if self.name == "lexico":
            return sorted(projects, key=attrgetter("id"))
        if self.name == "cost-then-id":
            return sorted(projects, key=attrgetter("cost", "id"))
        prefix = (self.seed or "").encode()
        return sorted(
            projects, key=lambda p: (hashlib.sha256(prefix + p.id.encode()).digest(), p.id)
        )

    def ranks(self, projects: Iterable[Project]) -> dict[str, int]:
        """Project id -> position in `order` (0 wins every tie)."""
        return {project.id: rank for rank, project in enumerate(self.order(projects))}

    def describe(self) -> str:
        """Stable text form, e.g. `cost-then-id` or `seeded:<seed>`."""
        return self.name if self.seed is None else f"{self.name}:{self.seed}"
