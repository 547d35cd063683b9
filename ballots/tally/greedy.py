"""Greedy by votes (OPP, Paris, CONSUL): most votes (or points) first while the budget lasts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ballots.tally.counts import rank_by_score
from ballots.tally.model import Project


def select_greedy(
    projects: Sequence[Project],
    budget: int,
    scores: Mapping[str, int],
    ranks: Mapping[str, int],
    *,
    stop_at_misfit: bool = False,
    already_selected: Collection[str] = (),
) -> tuple[str, ...]:
    """Take projects by score; a misfit is skipped, or ends the selection if `stop_at_misfit`.

    `already_selected` (a prefix chosen by another rule) is paid for first; the result lists
    only the projects added here.
    """
    cost = {project.id: project.cost for project in projects}
    left = budget - sum(cost[project_id] for project_id in already_selected)
    candidates = {pid: scores[pid] for pid in cost if pid not in already_selected}
    chosen: list[str] = []
    for project_id in rank_by_score(candidates, ranks):
        if cost[project_id] <= left:
            chosen.append(project_id)
            left -= cost[project_id]
        elif stop_at_misfit:
            break
    return tuple(chosen)
