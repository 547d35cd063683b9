"""Errors of the voting domain."""

from __future__ import annotations


class VotingError(Exception):
    """A ballot could not be cast; the message is fit to show the voter."""


class BoardNotOpen(VotingError):
    """The cycle's board does not exist yet (voting has not opened) or is closed."""


class UnknownEntry(LookupError):
    """No board entry has that leaf hash or index."""


class ManifestAlreadyFrozen(VotingError):
    """The cycle's manifest was frozen already; it never changes."""


class VotingClosed(VotingError):
    """The cycle is not in its voting phase."""


class NotEligibleToVote(VotingError):
    """The voter does not meet the scope's rules; `reasons` says why, in plain words."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class AlreadyCast(VotingError):
    """This voter already has a ballot in this vote group and may not cast another."""


class DuplicateSubmission(VotingError):
    """The same reviewed ballot was submitted twice; the first was recorded."""
