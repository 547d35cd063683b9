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
    NodeId,
    NodeStore,
    ProofPlan,
    compute_root,
    consistency_proof,
    hash_leaf,
    hash_tree,
    inclusion_proof,
    plan_consistency_proof,
    plan_inclusion_proof,
    plan_root,
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
    "NodeId",
    "NodeStore",
    "NoteFormatError",
    "OriginMismatchError",
    "ProofPlan",
    "ProofRequestError",
    "SignatureError",
    "TreeStateError",
    "VerificationError",
    "compute_root",
    "consistency_proof",
    "hash_leaf",
    "hash_tree",
    "inclusion_proof",
    "parse_checkpoint",
    "plan_consistency_proof",
    "plan_inclusion_proof",
    "plan_root",
    "sign_checkpoint",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]
