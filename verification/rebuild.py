"""Rebuild a log's Merkle tree from its leaves, in bounded memory, with consistency proofs.

The verifier streams the board's leaf hashes once. At every checkpoint size ("mark") it needs
the root there and the RFC 9162 §2.1.4 consistency proof from the previous mark, built from the
leaves themselves. Keeping every node would do, but costs memory linear in the board; this
keeps only what the proofs between two successive marks m1 < m2 need:

- the nodes of the proof that end at or before m1 are the perfect subtrees of the compact
  range (frontier) at m1: the left siblings along the path from m1's last subtree to the root;
- the nodes that start at or after m1 are the perfect subtrees tiling [m1, m2), the fewest
  aligned ones (`merkle.tile_range`), the last run folded by the proof plan.

So the leaves between two marks are hashed piece by piece along that tiling; each piece is
also pushed onto the running frontier (a binary counter of perfect subtrees), whose right fold
is the root. Pieces larger than 2**chunk_level leaves are built from aligned chunks, so at most
2**chunk_level leaf hashes are held at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from verification.merkle import (
    EMPTY_ROOT,
    NodeId,
    fold_right,
    plan_consistency_proof,
    tile_range,
)

_CHUNK_LEVEL = 12

_sha256 = hashlib.sha256

MarkCallback = Callable[[int, bytes, int, list[bytes]], None]
"""Called at each mark m with (m, root at m, previous mark or 0, consistency proof)."""


class TreeRebuilder:
    """Feed leaf hashes in order (`add`, `extend`); `on_mark` runs as each mark is reached."""

    def __init__(
        self, marks: Sequence[int], on_mark: MarkCallback, *, chunk_level: int = _CHUNK_LEVEL
    ) -> None:
        if any(mark <= 0 for mark in marks) or list(marks) != sorted(set(marks)):
            raise ValueError("marks must be distinct positive sizes in increasing order")
        self._chunk = 1 << chunk_level
        self._marks = list(reversed(marks))
        self._on_mark = on_mark
        self.size = 0
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash), largest subtree first
        self._previous_mark = 0
        self._known: dict[NodeId, bytes] = {}
        self._pieces: list[NodeId] = []  # pieces still to build before the next mark, last first
        self._group: list[NodeId] = []  # pieces the buffer fills, or one piece built in chunks
        self._chunked = False
        self._piece_stack: list[tuple[int, bytes]] = []
        self._buffer: list[bytes] = []
        self._want = 1
        self._start_segment()

    def add(self, leaf_hash: bytes) -> None:
        """Append the next leaf's hash."""
        self._buffer.append(leaf_hash)
        self.size += 1
        if len(self._buffer) == self._want:
            self._flush()

    def extend(self, leaf_hashes: Sequence[bytes]) -> None:
        """Append the next leaves' hashes."""
        position, count = 0, len(leaf_hashes)
        while position < count:
            room = self._want - len(self._buffer)
            if room > count - position:
                self._buffer.extend(leaf_hashes[position:])
                self.size += count - position
                return
            self._buffer.extend(leaf_hashes[position : position + room])
            self.size += room
            position += room
            self._flush()

    def root(self) -> bytes:
        """The Merkle Tree Hash of every leaf added so far."""
        stack = list(self._frontier)
        # Complete chunks of the current piece, then loose leaves, are aligned: push them.
        for level, node_hash in self._piece_stack:
            _push(stack, level, node_hash)
        for leaf_hash in self._buffer:
            _push(stack, 0, leaf_hash)
        return fold_right([h for _, h in stack]) if stack else EMPTY_ROOT

    def _start_segment(self) -> None:
        """Plan the pieces from the current size to the next mark."""
        if self._marks:
            self._pieces = list(reversed(tile_range(self.size, self._marks[-1])))
        self._next_group()

    def _next_group(self) -> None:
        """Choose what the buffer fills next: whole pieces up to a chunk, or chunks of one."""
        self._piece_stack = []
        self._group = []
        if not self._pieces:
            # Past the last mark no proof needs the nodes: take the largest aligned blocks.
            trailing = (self.size & -self.size) or self._chunk
            self._chunked = False
            self._want = min(trailing, self._chunk)
            return
        first = 1 << self._pieces[-1].level
        self._chunked = first > self._chunk
        if self._chunked:
            self._group.append(self._pieces.pop())
            self._want = self._chunk
            return
        self._want = 0
        while self._pieces and self._want + (1 << self._pieces[-1].level) <= self._chunk:
            piece = self._pieces.pop()
            self._group.append(piece)
            self._want += 1 << piece.level

    def _flush(self) -> None:
        buffer, self._buffer = self._buffer, []
        if not self._group:
            _push(self._frontier, self._want.bit_length() - 1, _perfect_root(buffer))
        elif self._chunked:
            _push(self._piece_stack, self._want.bit_length() - 1, _perfect_root(buffer))
            piece = self._group[0]
            if self._piece_stack[0][0] != piece.level:
                return
            self._built(piece, self._piece_stack[0][1])
        else:
            begin = 0
            for piece in self._group:
                end = begin + (1 << piece.level)
                self._built(piece, _perfect_root(buffer[begin:end]))
                begin = end
        if self._pieces:
            self._next_group()
        elif self._group:
            self._reach_mark()
        else:
            self._next_group()

    def _built(self, piece: NodeId, piece_hash: bytes) -> None:
        self._known[piece] = piece_hash
        _push(self._frontier, piece.level, piece_hash)

    def _reach_mark(self) -> None:
        mark = self._marks.pop()
        root = fold_right([h for _, h in self._frontier])
        previous = self._previous_mark
        proof: list[bytes] = []
        if previous:
            plan = plan_consistency_proof(previous, mark)
            proof = plan.assemble([self._known[node] for node in plan.nodes])
        self._on_mark(mark, root, previous, proof)
        # The next segment's proof starts from this frontier.
        self._known = {}
        begin = 0
        for level, node_hash in self._frontier:
            self._known[NodeId(level, begin >> level)] = node_hash
            begin += 1 << level
        self._previous_mark = mark
        self._start_segment()


def _push(stack: list[tuple[int, bytes]], level: int, node_hash: bytes) -> None:
    """Push an aligned perfect subtree onto a frontier; equal neighbours merge into a parent."""
    while stack and stack[-1][0] == level:
        node_hash = _sha256(b"\x01" + stack.pop()[1] + node_hash).digest()
        level += 1
    stack.append((level, node_hash))


def _perfect_root(leaf_hashes: list[bytes]) -> bytes:
    """Root of a perfect tree (a power of two of leaves), level by level (RFC 9162 §2.1.1)."""
    level = leaf_hashes
    while len(level) > 1:
        pairs = iter(level)
        # zip of one iterator with itself pairs neighbours; the length is a power of two.
        level = [
            _sha256(b"\x01" + left + right).digest()
            for left, right in zip(pairs, pairs, strict=False)
        ]
    return level[0]
