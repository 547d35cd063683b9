"""The budget classes one untracked run leaves for the next run of the Add1 search (`Trail`).

In an untracked run on approval ballots, which voters share a budget class depends only on the
purchases and, per purchase, which of the buyer's classes moved to a new class or ran dry
(`_Run.charge_approvals`'s map of moves), not on how much money the classes hold. A run at
another voter budget that makes the same first r purchases with the same moves has the same
classes after them, numbered alike, so counting a project's supporters per class (`_Run.gather`)
gives what the earlier run counted after its first r purchases. The later run takes those
counts instead of recounting, and the earlier run's order of the classes by approximate money as
the start of its own sort (nearly sorted already). Counts and orders only feed the float guesses
and the exact checks that follow them: the outcome is computed exactly either way.
"""

from __future__ import annotations


class Trail:
    """What an untracked approval run counted, and the moves that shaped its classes."""

    __slots__ = ("classes", "gathers", "moves")

    def __init__(self) -> None:
        self.moves: list[tuple[int, dict[int, int]]] = []
        """Per purchase: the project and its map of moves (class -> new class or dead)."""
        self.gathers: dict[tuple[int, int], tuple[dict[int, int], int, list[int]]] = {}
        """(purchases made, project) -> its supporters per class, how many have money, and its
        classes by approximate money (a permutation of the counts' keys)."""
        self.classes: list[list[int]] = []
        """classes[r]: each ballot's class after r + 1 purchases (`_Run.class_of`), not to be
        changed: a run that follows this one shares them instead of updating its own."""

    def agrees(self, made: int, j: int, moves: dict[int, int]) -> bool:
        """Whether purchase number `made` (0-based) bought j with the same moves here."""
        if made >= len(self.moves):
            return False
        project, recorded = self.moves[made]
        return project == j and recorded == moves
