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

from collections.abc import Callable, Sequence

from verification.merkle import (
    EMPTY_ROOT,
    NodeId,
    fold_right,
    hash_children,
    plan_consistency_proof,
    root_from_leaf_hashes,
    tile_range,
)

_CHUNK_LEVEL = 12

MarkCallback = Callable[[int, bytes, int, list[bytes]], None]
"""Called at each mark m with (m, root at m, previous mark or 0, consistency proof)."""


class TreeRebuilder:
    """Feed leaf hashes in order with `add`; `on_mark` runs as each mark is reached."""

    def __init__(
        self, marks: Sequence[int], on_mark: MarkCallback, *, chunk_level: int = _CHUNK_LEVEL
    ) -> None:
        if any(mark <= 0 for mark in marks) or list(marks) != sorted(set(marks)):
            raise ValueError("marks must be distinct positive sizes in increasing order")
        self._chunk_level = chunk_level
        self._marks = list(reversed(marks))
        self._on_mark = on_mark
        self.size = 0
        self._frontier: list[tuple[int, bytes]] = []  # (level, hash), largest subtree first
        self._previous_mark = 0
        self._known: dict[NodeId, bytes] = {}
        self._pieces: list[NodeId] = []
        self._buffer: list[bytes] = []
        self._want = 1
        self._piece_stack: list[tuple[int, bytes]] = []
        self._start_segment()

    def add(self, leaf_hash: bytes) -> None:
        """Append the next leaf's hash."""
        self._buffer.append(leaf_hash)
        self.size += 1
        if len(self._buffer) == self._want:
            self._flush()

    def root(self) -> bytes:
        """The Merkle Tree Hash of every leaf added so far."""
        stack = list(self._frontier)
        # Complete chunks of the current piece, then loose leaves, are aligned: push them.
        for level, node_hash in self._piece_stack:
            self._push(stack, level, node_hash)
        for leaf_hash in self._buffer:
            self._push(stack, 0, leaf_hash)
        return fold_right([h for _, h in stack]) if stack else EMPTY_ROOT

    def _start_segment(self) -> None:
        """Plan the pieces from the current size to the next mark (or single leaves after)."""
        begin = self.size
        if self._marks:
            self._pieces = list(reversed(tile_range(begin, self._marks[-1])))
        else:
            self._pieces = []
        self._next_piece()

    def _next_piece(self) -> None:
        self._piece_stack = []
        if self._pieces:
            level = self._pieces[-1].level
            self._want = 1 << min(level, self._chunk_level)
        else:
            self._want = 1

    def _flush(self) -> None:
        buffer, self._buffer = self._buffer, []
        if not self._pieces:
            # Past the last mark: plain appends, no proof needs these nodes.
            self._push(self._frontier, 0, buffer[0])
            return
        piece = self._pieces[-1]
        chunk_level = min(piece.level, self._chunk_level)
        self._push(self._piece_stack, chunk_level, root_from_leaf_hashes(buffer))
        if len(self._piece_stack) != 1 or self._piece_stack[0][0] != piece.level:
            return
        piece_hash = self._piece_stack[0][1]
        self._pieces.pop()
        self._known[piece] = piece_hash
        self._push(self._frontier, piece.level, piece_hash)
        if self._pieces:
            self._next_piece()
        else:
            self._reach_mark()

    @staticmethod
    def _push(stack: list[tuple[int, bytes]], level: int, node_hash: bytes) -> None:
        # A binary counter of perfect subtrees: equal neighbours merge into their parent.
        while stack and stack[-1][0] == level:
            node_hash = hash_children(stack.pop()[1], node_hash)
            level += 1
        stack.append((level, node_hash))

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
