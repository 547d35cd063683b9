"""Typed errors raised by the verification code.

Every check that fails raises a subclass of `VerificationError` whose message says what
failed, so the service can map it to a response and the verifier to a finding.
"""


class VerificationError(Exception):
    """Base class: something that should hold does not."""


class InclusionProofError(VerificationError):
    """An RFC 9162 inclusion proof does not prove the leaf is in the tree."""


class ConsistencyProofError(VerificationError):
    """An RFC 9162 consistency proof does not prove one tree extends the other."""


class ProofRequestError(VerificationError, ValueError):
    """A proof or node was asked for with sizes or indexes the tree cannot answer."""


class TreeStateError(VerificationError, ValueError):
    """A stored compact range (tree frontier) is malformed."""


class NoteFormatError(VerificationError):
    """A signed note is malformed (C2SP signed-note)."""


class CheckpointFormatError(NoteFormatError):
    """A checkpoint body is malformed (C2SP tlog-checkpoint)."""


class KeyFormatError(VerificationError, ValueError):
    """A signer or verifier key string is malformed or its key hash does not match."""


class SignatureError(VerificationError):
    """A note carries no valid signature from a trusted key, or a bad one from a known key."""


class OriginMismatchError(VerificationError):
    """A checkpoint names another log than the one expected."""
