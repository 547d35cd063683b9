"""Typed errors of the proposals domain; each carries a message fit to show to the user."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with submitted settings: the field (or file key) and why."""

    field: str
    message: str


class ProposalsError(Exception):
    """Base of every error here; `message` is plain language for the person who caused it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidSettings(ProposalsError):
    """Cycle, scope, proposal or project values failed validation; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class IllegalTransition(ProposalsError):
    """A review step that the current status does not allow."""


class ProposalNotSubmitted(IllegalTransition):
    pass


class ProposalNotInReview(IllegalTransition):
    pass


class ProposalNotFeasible(IllegalTransition):
    pass


class ProposalNotRejected(IllegalTransition):
    pass


class ProposalNotEditable(IllegalTransition):
    pass


class ProjectNotEditable(IllegalTransition):
    pass


class ComplaintAlreadyAnswered(IllegalTransition):
    pass


class ComplaintTargetInvalid(IllegalTransition):
    pass


class ReasonRequired(ProposalsError):
    pass


class CostOutOfRange(ProposalsError):
    """A cost that is not positive, or above the cycle's cap or the scope's budget."""


class ScopeMismatch(ProposalsError):
    """Proposals of different scopes cannot make one project."""


class PhaseForbids(ProposalsError):
    """The cycle's current phase does not allow the action."""


class ListNotReady(ProposalsError):
    """A provisional or final list cannot be published yet; `reasons` says what is missing."""

    def __init__(self, message: str, reasons: list[str]) -> None:
        super().__init__(message)
        self.reasons = reasons


class ListAlreadyPublished(ProposalsError):
    pass


class FinalListNotPublished(ProposalsError):
    pass


class PhaseChangeInvalid(ProposalsError):
    """An advance or extension that would leave the phases out of order."""


class NotFound(ProposalsError):
    """The cycle, scope, proposal, project or complaint does not exist."""


class ConcurrentChange(ProposalsError):
    """Someone else changed the record first; reload and try again."""


class CycleExists(ProposalsError):
    """A cycle with this slug already exists."""


class CycleFileInvalid(ProposalsError):
    """A cycle file failed to parse or validate; `problems` names each key (and line)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


class PabulibNotImportable(ProposalsError):
    """A pabulib file that civica cannot take as a cycle (a free project, no projects, ...)."""
