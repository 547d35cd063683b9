"""Incremental Merkle tree state: the compact range a log persists, and an in-memory node store.

A `CompactRange` over leaves [0, size) holds one perfect-subtree hash per 1-bit of `size`,
largest (leftmost) first: the tree's right edge, or "frontier". Appending a leaf merges equal
subtrees like a binary counter (amortised one hash, at most log2(size) hashes), and the
RFC 9162 §2.1.1 root is the right fold of the frontier. It is a frozen value that serialises
to bytes or JSON, so a log keeps it in its database and never recomputes the tree.

`MemoryNodeStore` keeps every perfect-subtree hash of a growing tree so proofs for any size
it holds cost O(log n) lookups; it implements `merkle.NodeStore`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from verification.errors import ProofRequestError, TreeStateError
from verification.merkle import EMPTY_ROOT, HASH_SIZE, NodeId, fold_right, hash_children

_SIZE_BYTES = 8
_MAX_SIZE = (1 << 64) - 1

NodeVisitor = Callable[[NodeId, bytes], None]


@dataclass(frozen=True, slots=True)
class CompactRange:
    """The right edge of the tree of `size` leaves: its perfect-subtree hashes, largest first."""

    size: int = 0
    hashes: tuple[bytes, ...] = ()

    def __post_init__(self) -> None:
        if not 0 <= self.size <= _MAX_SIZE:
            raise TreeStateError(f"tree size {self.size} is out of range")
        if len(self.hashes) != self.size.bit_count():
            raise TreeStateError(
                f"a tree of size {self.size} has {self.size.bit_count()} frontier hashes, "
                f"not {len(self.hashes)}"
            )
        for position, node_hash in enumerate(self.hashes):
            if not isinstance(node_hash, bytes) or len(node_hash) != HASH_SIZE:
                raise TreeStateError(f"frontier hash {position} is not {HASH_SIZE} bytes")

    def nodes(self) -> tuple[NodeId, ...]:
        """Return the coordinates of `hashes`, left to right."""
        out: list[NodeId] = []
        begin = 0
        for level in reversed(range(self.size.bit_length())):
            if self.size >> level & 1:
                out.append(NodeId(level, begin >> level))
                begin += 1 << level
        return tuple(out)

    def root(self) -> bytes:
        """Return the Merkle Tree Hash of the leaves [0, size) (RFC 9162 §2.1.1)."""
        return fold_right(self.hashes) if self.hashes else EMPTY_ROOT

    def append(self, leaf_hash: bytes, visit: NodeVisitor | None = None) -> CompactRange:
        """Return the range with one more leaf; `visit` sees every completed node."""
        if len(leaf_hash) != HASH_SIZE:
            raise TreeStateError(f"leaf hash {self.size} is {len(leaf_hash)} bytes, not 32")
        size, hashes, node_hash = self.size, self.hashes, leaf_hash
        if visit is not None:
            visit(NodeId(0, size), node_hash)
        # Each trailing 1-bit of the old size is a subtree the new leaf completes.
        merges = (size ^ (size + 1)).bit_length() - 1
        keep = len(hashes) - merges
        for level in range(1, merges + 1):
            node_hash = hash_children(hashes[keep + merges - level], node_hash)
            if visit is not None:
                visit(NodeId(level, size >> level), node_hash)
        return _trusted_range(size + 1, (*hashes[:keep], node_hash))

    def extend(
        self, leaf_hashes: Iterable[bytes], visit: NodeVisitor | None = None
    ) -> CompactRange:
        """Return the range with the leaves appended; `visit` sees every completed node."""
        stack = list(self.hashes)
        size = self.size
        for leaf_hash in leaf_hashes:
            if len(leaf_hash) != HASH_SIZE:
                raise TreeStateError(f"leaf hash {size} is {len(leaf_hash)} bytes, not 32")
            node_hash = leaf_hash
            if visit is not None:
                visit(NodeId(0, size), node_hash)
            # Each trailing 1-bit of the old size is a subtree the new node completes.
            level = 0
            while size >> level & 1:
                node_hash = hash_children(stack.pop(), node_hash)
                level += 1
                if visit is not None:
                    visit(NodeId(level, size >> level), node_hash)
            stack.append(node_hash)
            size += 1
        return _trusted_range(size, tuple(stack))

    def to_bytes(self) -> bytes:
        """Serialise as the 8-byte big-endian size followed by the frontier hashes."""
        return self.size.to_bytes(_SIZE_BYTES, "big") + b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> CompactRange:
        """Parse the output of `to_bytes`."""
        if len(data) < _SIZE_BYTES:
            raise TreeStateError("compact range is shorter than its size field")
        size = int.from_bytes(data[:_SIZE_BYTES], "big")
        body = data[_SIZE_BYTES:]
        if len(body) != HASH_SIZE * size.bit_count():
            raise TreeStateError(f"compact range for size {size} has {len(body)} hash bytes")
        hashes = tuple(body[i : i + HASH_SIZE] for i in range(0, len(body), HASH_SIZE))
        return cls(size, hashes)

    def to_json(self) -> dict[str, object]:
        """Return a JSON-ready mapping: {"size": n, "hashes": [hex, ...]}."""
        return {"size": self.size, "hashes": [node_hash.hex() for node_hash in self.hashes]}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> CompactRange:
        """Parse the output of `to_json`."""
        size, hashes = data.get("size"), data.get("hashes")
        if type(size) is not int or not isinstance(hashes, list):
            raise TreeStateError("compact range JSON needs an integer size and a hash list")
        try:
            decoded = tuple(bytes.fromhex(item) for item in hashes if isinstance(item, str))
        except ValueError as exc:
            raise TreeStateError("compact range JSON has a hash that is not hex") from exc
        if len(decoded) != len(hashes):
            raise TreeStateError("compact range JSON has a hash that is not a string")
        return cls(size, decoded)


def _trusted_range(size: int, hashes: tuple[bytes, ...]) -> CompactRange:
    # Skips __post_init__ for ranges built here from checked leaves: appends stay cheap.
    compact = object.__new__(CompactRange)
    object.__setattr__(compact, "size", size)
    object.__setattr__(compact, "hashes", hashes)
    return compact


class MemoryNodeStore:
    """Every perfect-subtree hash of a growing tree, kept in memory (a `merkle.NodeStore`)."""

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        """Number of leaves held."""
        return len(self._levels[0])

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf and every perfect subtree it completes."""
        if len(leaf_hash) != HASH_SIZE:
            raise TreeStateError(f"leaf hash {self.size} is {len(leaf_hash)} bytes, not 32")
        levels, level, node_hash = self._levels, 0, leaf_hash
        levels[0].append(node_hash)
        while len(levels[level]) % 2 == 0:
            node_hash = hash_children(levels[level][-2], node_hash)
            level += 1
            if len(levels) == level:
                levels.append([])
            levels[level].append(node_hash)

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Add leaves and every perfect subtree they complete."""
        leaves = list(leaf_hashes)
        for position, leaf_hash in enumerate(leaves):
            if len(leaf_hash) != HASH_SIZE:
                raise TreeStateError(
                    f"leaf hash {self.size + position} is {len(leaf_hash)} bytes, not 32"
                )
        self._levels[0].extend(leaves)
        level = 0
        # Hash each newly completed pair one level up, level by level.
        while len(self._levels[level]) >= 2:
            if len(self._levels) == level + 1:
                self._levels.append([])
            lower, upper = self._levels[level], self._levels[level + 1]
            start, stop = 2 * len(upper), len(lower) & ~1
            upper.extend(hash_children(lower[i], lower[i + 1]) for i in range(start, stop, 2))
            level += 1

    def node_hashes(self, nodes: Sequence[NodeId]) -> list[bytes]:
        """Return the hash of each perfect subtree, in order."""
        out: list[bytes] = []
        for node in nodes:
            if node.level >= len(self._levels) or not 0 <= node.index < len(
                self._levels[node.level]
            ):
                raise ProofRequestError(f"{node} is not complete in a tree of size {self.size}")
            out.append(self._levels[node.level][node.index])
        return out
