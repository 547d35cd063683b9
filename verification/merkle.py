"""Merkle tree hashing, proofs and proof verification, as RFC 9162 defines them (SHA-256).

- RFC 9162 §2.1.1: leaf hash SHA-256(0x00 ‖ entry), interior node hash
  SHA-256(0x01 ‖ left ‖ right), and the Merkle Tree Hash (MTH) of a list; MTH({}) = SHA-256().
- §2.1.3.1 and §2.1.4.1: inclusion and consistency proofs. They are generated as a
  `ProofPlan`: the perfect-subtree hashes to fetch (so a database answers in one query) and
  how to combine them.
- §2.1.3.2 and §2.1.4.2: the verification algorithms, step by step.

Node coordinates: `NodeId(level, index)` is the perfect subtree of the 2**level leaves
[index * 2**level, (index + 1) * 2**level). Every proof element is either such a node or the
hash of a range that the tree's right edge cuts short, [begin, size), which is the right fold
of the perfect subtrees that tile it (largest first).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from verification.errors import ConsistencyProofError, InclusionProofError, ProofRequestError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_sha256 = hashlib.sha256


def hash_leaf(entry: bytes) -> bytes:
    """Return the leaf hash SHA-256(0x00 ‖ entry) (RFC 9162 §2.1.1)."""
    return _sha256(_LEAF_PREFIX + entry).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    """Return the interior node hash SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1)."""
    return _sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(leaf_hashes: Iterable[bytes]) -> bytes:
    """Return the Merkle Tree Hash of the leaves whose hashes are given (RFC 9162 §2.1.1)."""
    level = list(leaf_hashes)
    if not level:
        return EMPTY_ROOT
    # Pair nodes level by level; an odd last node moves up unchanged, which is the same tree
    # as the RFC's split at the largest power of two below n.
    while len(level) > 1:
        pairs = iter(level)
        upper = [hash_children(left, right) for left, right in zip(pairs, pairs, strict=False)]
        if len(level) % 2:
            upper.append(level[-1])
        level = upper
    return level[0]


def hash_tree(entries: Iterable[bytes]) -> bytes:
    """Return the Merkle Tree Hash of a list of entries (RFC 9162 §2.1.1)."""
    return root_from_leaf_hashes(hash_leaf(entry) for entry in entries)


@dataclass(frozen=True, slots=True)
class NodeId:
    """The perfect subtree of 2**level leaves [index * 2**level, (index + 1) * 2**level)."""

    level: int
    index: int

    @property
    def begin(self) -> int:
        """Index of the first leaf under this node."""
        return self.index << self.level

    @property
    def end(self) -> int:
        """Index one past the last leaf under this node."""
        return (self.index + 1) << self.level


def tile_range(begin: int, end: int) -> list[NodeId]:
    """Return the fewest perfect subtrees, left to right, that exactly cover leaves [begin, end)."""
    nodes: list[NodeId] = []
    while begin < end:
        level = (begin & -begin).bit_length() - 1 if begin else (end - begin).bit_length() - 1
        while begin + (1 << level) > end:
            level -= 1
        nodes.append(NodeId(level, begin >> level))
        begin += 1 << level
    return nodes


def fold_right(hashes: Sequence[bytes]) -> bytes:
    """Return the hash of a right-edge range from its tiling hashes, largest subtree first."""
    root = hashes[-1]
    for left in reversed(hashes[:-1]):
        root = hash_children(left, root)
    return root


@dataclass(frozen=True, slots=True)
class ProofPlan:
    """The node hashes an answer needs, in order, and which run of them folds into one hash."""

    nodes: tuple[NodeId, ...]
    fold_begin: int
    fold_end: int

    def assemble(self, hashes: Sequence[bytes]) -> list[bytes]:
        """Combine the hashes of `nodes` (same order) into the proof or root list."""
        if len(hashes) != len(self.nodes):
            raise ProofRequestError(f"expected {len(self.nodes)} node hashes, got {len(hashes)}")
        for node, node_hash in zip(self.nodes, hashes, strict=True):
            if len(node_hash) != HASH_SIZE:
                raise ProofRequestError(f"hash of {node} is {len(node_hash)} bytes, not 32")
        out = list(hashes)
        if self.fold_end - self.fold_begin > 1:
            out[self.fold_begin : self.fold_end] = [
                fold_right(out[self.fold_begin : self.fold_end])
            ]
        return out


def _plan_path(level: int, index: int, size: int) -> tuple[list[NodeId], int, int]:
    """Siblings, bottom up, on the path from node (level, index) to the root of `size` leaves."""
    last = (size - 1) >> level
    # Below height inner - 1 the subtree holding the node ends before the tree's last leaf,
    # so every sibling there is a complete perfect subtree.
    inner = (index ^ last).bit_length()
    nodes = [NodeId(level + height, (index >> height) ^ 1) for height in range(inner - 1)]
    fold_begin = len(nodes)
    if inner:
        # At height inner - 1 the sibling on the right holds the last leaf and is cut short by
        # the tree's right edge: it is the fold of the perfect subtrees tiling [begin, size).
        begin = ((index >> (inner - 1)) + 1) << (level + inner - 1)
        nodes.extend(tile_range(begin, size))
    fold_end = len(nodes)
    # From height `inner` up the path runs along the right edge: only left siblings exist.
    for height in range(inner, last.bit_length()):
        if (index >> height) & 1:
            nodes.append(NodeId(level + height, (index >> height) ^ 1))
    return nodes, fold_begin, fold_end


def plan_inclusion_proof(index: int, size: int) -> ProofPlan:
    """Plan the inclusion proof PATH(index, D[size]) (RFC 9162 §2.1.3.1)."""
    if not 0 <= index < size:
        raise ProofRequestError(f"leaf index {index} is not in a tree of size {size}")
    nodes, fold_begin, fold_end = _plan_path(0, index, size)
    return ProofPlan(tuple(nodes), fold_begin, fold_end)


def plan_consistency_proof(size1: int, size2: int) -> ProofPlan:
    """Plan the consistency proof PROOF(size1, D[size2]) (RFC 9162 §2.1.4.1)."""
    if not 0 <= size1 <= size2:
        raise ProofRequestError(f"a tree of size {size2} cannot extend one of size {size1}")
    if size1 in (0, size2):
        return ProofPlan((), 0, 0)
    # SUBPROOF descends to the largest perfect subtree ending at size1: [size1 - 2**level, size1).
    level = (size1 & -size1).bit_length() - 1
    index = (size1 - 1) >> level
    nodes, fold_begin, fold_end = _plan_path(level, index, size2)
    # That subtree's own hash is sent unless it is the whole old tree (size1 a power of two).
    if size1 != 1 << level:
        nodes.insert(0, NodeId(level, index))
        fold_begin, fold_end = fold_begin + 1, fold_end + 1
    return ProofPlan(tuple(nodes), fold_begin, fold_end)


def plan_root(size: int) -> ProofPlan:
    """Plan the root of the first `size` leaves (size > 0): assemble() returns [root]."""
    if size <= 0:
        raise ProofRequestError(f"the root of a tree of size {size} needs no node hashes")
    nodes = tile_range(0, size)
    return ProofPlan(tuple(nodes), 0, len(nodes))


class NodeStore(Protocol):
    """Anything that returns the hashes of perfect subtrees, e.g. a table of stored nodes."""

    def node_hashes(self, nodes: Sequence[NodeId]) -> Sequence[bytes]:
        """Return the hash of each node, in the same order."""
        ...


def inclusion_proof(index: int, size: int, store: NodeStore) -> list[bytes]:
    """Return the inclusion proof of leaf `index` in the tree of `size` leaves."""
    plan = plan_inclusion_proof(index, size)
    return plan.assemble(store.node_hashes(plan.nodes))


def consistency_proof(size1: int, size2: int, store: NodeStore) -> list[bytes]:
    """Return the consistency proof from the tree of `size1` leaves to that of `size2`."""
    plan = plan_consistency_proof(size1, size2)
    return plan.assemble(store.node_hashes(plan.nodes)) if plan.nodes else []


def compute_root(size: int, store: NodeStore) -> bytes:
    """Return the root hash of the first `size` leaves of the store."""
    if size == 0:
        return EMPTY_ROOT
    plan = plan_root(size)
    return plan.assemble(store.node_hashes(plan.nodes))[0]


def _check_hash(what: str, value: bytes, error: type[Exception]) -> None:
    if len(value) != HASH_SIZE:
        raise error(f"{what} is {len(value)} bytes, not {HASH_SIZE}")


def _short(value: bytes) -> str:
    return value.hex()[:16] + "…"


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that `proof` shows `leaf_hash` at `index` in the tree (`size`, `root`)."""
    _check_hash("leaf hash", leaf_hash, InclusionProofError)
    _check_hash("root hash", root, InclusionProofError)
    for position, node_hash in enumerate(proof):
        _check_hash(f"proof hash {position}", node_hash, InclusionProofError)
    # §2.1.3.2 step 1: the leaf must lie inside the tree.
    if not 0 <= index < size:
        raise InclusionProofError(f"leaf index {index} is not in a tree of size {size}")
    # Step 2: fn walks up from the leaf, sn from the tree's last leaf.
    fn, sn = index, size - 1
    # Step 3.
    computed = leaf_hash
    # Step 4: fold in each proof hash on the side the path says.
    for position, node_hash in enumerate(proof):
        # 4a: the path has reached the root but proof hashes remain.
        if sn == 0:
            raise InclusionProofError(
                f"proof has {len(proof)} hashes; leaf {index} of a tree of size {size} "
                f"needs {position}"
            )
        # 4b: the sibling is on the left (or the node is the right edge's last one).
        if fn & 1 or fn == sn:
            computed = hash_children(node_hash, computed)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            computed = hash_children(computed, node_hash)
        # 4c.
        fn >>= 1
        sn >>= 1
    # Step 5: the path must end exactly at the root and give the expected hash.
    if sn != 0:
        raise InclusionProofError(
            f"proof has only {len(proof)} hashes, too few for leaf {index} of a tree of size {size}"
        )
    if computed != root:
        raise InclusionProofError(
            f"leaf {index} with this proof gives root {_short(computed)}, "
            f"not the expected {_short(root)} for size {size}"
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that `proof` shows the tree (`size2`, `root2`) extends (`size1`, `root1`)."""
    _check_hash("first root hash", root1, ConsistencyProofError)
    _check_hash("second root hash", root2, ConsistencyProofError)
    for position, node_hash in enumerate(proof):
        _check_hash(f"proof hash {position}", node_hash, ConsistencyProofError)
    if not 0 <= size1 <= size2:
        raise ConsistencyProofError(f"a tree of size {size2} cannot extend one of size {size1}")
    # Equal sizes: the same tree, so the roots must match (two roots are a split view).
    if size1 == size2:
        if proof:
            raise ConsistencyProofError(f"proof between equal sizes {size1} must be empty")
        if root1 != root2:
            raise ConsistencyProofError(
                f"two different roots for size {size1}: {_short(root1)} and {_short(root2)}"
            )
        return
    # Every tree extends the empty tree, whose root is SHA-256() (§2.1.1).
    if size1 == 0:
        if proof:
            raise ConsistencyProofError("proof from the empty tree must be empty")
        if root1 != EMPTY_ROOT:
            raise ConsistencyProofError(f"root {_short(root1)} is not the empty tree's root")
        return
    # §2.1.4.2 step 1.
    if not proof:
        raise ConsistencyProofError(f"empty proof from size {size1} to size {size2}")
    path = list(proof)
    # Step 2: when the old tree is a perfect subtree of the new one, its root starts the path.
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    # Step 3.
    fn, sn = size1 - 1, size2 - 1
    # Step 4: skip the levels where the old tree's last node is a right child.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    first = second = path[0]
    # Step 6: rebuild both roots together.
    for position, node_hash in enumerate(path[1:], start=1):
        # 6a: the path has reached the new root but proof hashes remain.
        if sn == 0:
            raise ConsistencyProofError(
                f"proof from size {size1} to {size2} has more hashes than it needs "
                f"(stopped at {position} of {len(path)})"
            )
        # 6b: a left sibling belongs to both trees; a right one only to the new tree.
        if fn & 1 or fn == sn:
            first = hash_children(node_hash, first)
            second = hash_children(node_hash, second)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            second = hash_children(second, node_hash)
        # 6c.
        fn >>= 1
        sn >>= 1
    # Step 7: both roots must come out as expected, with the whole path used.
    if sn != 0:
        raise ConsistencyProofError(f"proof from size {size1} to {size2} has too few hashes")
    if first != root1:
        raise ConsistencyProofError(
            f"proof gives root {_short(first)} for size {size1}, not the expected {_short(root1)}"
        )
    if second != root2:
        raise ConsistencyProofError(
            f"proof gives root {_short(second)} for size {size2}, not the expected {_short(root2)}"
        )
