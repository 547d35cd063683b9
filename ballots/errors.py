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
