"""Vote counts per project: k-approval and single-choice plurality, and points."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain

from ballots.tally.model import Ballot, Project, only_approvals


@dataclass(frozen=True)
class VoteCounts:
    """Per project id: ballots naming it (`votes`) and the sum of weights (`scores`)."""

    votes: Mapping[str, int]
    scores: Mapping[str, int]


def count_votes(projects: Sequence[Project], ballots: Sequence[Ballot]) -> VoteCounts:
    """Count every ballot; a weight of 0 counts as not naming the project."""
    votes = dict.fromkeys((p.id for p in projects), 0)
    if only_approvals(ballots):
        votes.update(Counter(chain.from_iterable(ballots)))
        return VoteCounts(votes, dict(votes))
    scores = dict(votes)
    for ballot in ballots:
        for project_id, weight in ballot.items():
            if weight > 0:
                votes[project_id] += 1
                scores[project_id] += weight
    return VoteCounts(votes, scores)


def rank_by_score(scores: Mapping[str, int], ranks: Mapping[str, int]) -> list[str]:
    """Project ids, highest score first, equal scores in tie-break order."""
    return sorted(scores, key=lambda project_id: (-scores[project_id], ranks[project_id]))
