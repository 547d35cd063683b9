"""Vote counts per project: k-approval and single-choice plurality, and points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ballots.tally.model import Ballot, BallotSummary, Project, summarise


@dataclass(frozen=True)
class VoteCounts:
    """Per project id: ballots naming it (`votes`) and the sum of weights (`scores`)."""

    votes: Mapping[str, int]
    scores: Mapping[str, int]


def count_votes(
    projects: Sequence[Project], ballots: Sequence[Ballot], summary: BallotSummary | None = None
) -> VoteCounts:
    """Count every ballot; a weight of 0 counts as not naming the project.

    `summary` is the ballots' `model.summarise` (or `check_inputs`), if the caller has it.
    """
    if summary is None:
        summary = summarise(ballots)
    votes = dict.fromkeys((p.id for p in projects), 0)
    scores = dict(votes)
    votes.update(summary.votes)
    scores.update(summary.scores)
    return VoteCounts(votes, scores)


def rank_by_score(scores: Mapping[str, int], ranks: Mapping[str, int]) -> list[str]:
    """Project ids, highest score first, equal scores in tie-break order."""
    return sorted(scores, key=lambda project_id: (-scores[project_id], ranks[project_id]))
