"""The voter roll: whether and how each pseudonymous voter has voted, per cycle and vote group.

It never says what anyone voted: no ballot is referenced from here, and ballots carry only
the per-cycle voter alias (verification/identity/model.py `voter_alias`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

CHANNELS = ("web", "desk")


class AlreadyVoted(Exception):
    """This voter has already voted in this vote group and the cycle does not allow revoting."""

    def __init__(self, cycle_id: int, vote_group: str) -> None:
        super().__init__(f"already voted in group {vote_group!r} of cycle {cycle_id}")
        self.cycle_id = cycle_id
        self.vote_group = vote_group


class UnknownVoteChannel(ValueError):
    """A channel other than web or desk."""


@dataclass(frozen=True)
class VoterRollEntry:
    """One voter's participation in one vote group of a cycle."""

    cycle_id: int
    voter_alias: str
    vote_group: str
    channel: str
    ballots_cast: int
    first_voted_at: datetime
    last_voted_at: datetime

    @classmethod
    def from_row(cls, row: Any) -> VoterRollEntry:
        return cls(
            cycle_id=row["cycle_id"],
            voter_alias=row["voter_alias"],
            vote_group=row["vote_group"],
            channel=row["channel"],
            ballots_cast=row["ballots_cast"],
            first_voted_at=row["first_voted_at"],
            last_voted_at=row["last_voted_at"],
        )
