"""Errors of the voting domain."""

from __future__ import annotations


class VotingError(Exception):
    """A ballot could not be cast; the message is fit to show the voter."""


class BoardNotOpen(VotingError):  # noqa: N818 (named after the state, like the other errors)
    """The cycle's board does not exist yet (voting has not opened) or is closed."""


class AlreadyVoted(VotingError):  # noqa: N818
    """The voter already has a ballot in this vote group and revoting is off."""


class UnknownEntry(LookupError):  # noqa: N818
    """No board entry has that leaf hash or index."""


class ManifestAlreadyFrozen(VotingError):  # noqa: N818
    """The cycle's manifest was frozen already; it never changes."""
