"""Verification: the public board's Merkle log, checkpoints, and the observer's checks.

This package imports only the standard library and PyNaCl, so an observer can run it alone.
"""

from verification.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint, verify_checkpoint
from verification.errors import (
    CheckpointFormatError,
    ConsistencyProofError,
    InclusionProofError,
    KeyFormatError,
    NoteFormatError,
    OriginMismatchError,
    ProofRequestError,
    SignatureError,
    TreeStateError,
    VerificationError,
)
from verification.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from verification.tree import CompactRange, MemoryNodeStore

__all__ = [
    "EMPTY_ROOT",
    "Checkpoint",
    "CheckpointFormatError",
    "CompactRange",
    "ConsistencyProofError",
    "InclusionProofError",
    "KeyFormatError",
    "MemoryNodeStore",
    "NoteFormatError",
    "OriginMismatchError",
    "ProofRequestError",
    "SignatureError",
    "TreeStateError",
    "VerificationError",
    "consistency_proof",
    "hash_leaf",
    "inclusion_proof",
    "parse_checkpoint",
    "sign_checkpoint",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
