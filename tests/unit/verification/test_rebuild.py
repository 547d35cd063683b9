"""The bounded-memory tree rebuild: roots and RFC 9162 consistency proofs at every mark."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verification.merkle import EMPTY_ROOT, hash_leaf, root_from_leaf_hashes, verify_consistency
from verification.rebuild import TreeRebuilder

LEAVES = [hash_leaf(b"entry %d" % i) for i in range(600)]


@st.composite
def streams(draw: st.DrawFn) -> tuple[int, list[int], list[int], int]:
    size = draw(st.integers(min_value=0, max_value=len(LEAVES)))
    marks = sorted(draw(st.sets(st.integers(min_value=1, max_value=size + 40), max_size=12)))
    batches = draw(st.lists(st.integers(min_value=1, max_value=70), max_size=40))
    chunk_level = draw(st.integers(min_value=0, max_value=6))
    return size, marks, batches, chunk_level


@settings(max_examples=300, deadline=None)
@given(streams())
def test_every_mark_gets_the_true_root_and_a_proof_that_verifies(
    stream: tuple[int, list[int], list[int], int],
) -> None:
    size, marks, batches, chunk_level = stream
    seen: list[int] = []

    def on_mark(mark: int, root: bytes, previous: int, proof: list[bytes]) -> None:
        assert root == root_from_leaf_hashes(LEAVES[:mark])
        verify_consistency(previous, mark, proof, root_from_leaf_hashes(LEAVES[:previous]), root)
        seen.append(mark)

    tree = TreeRebuilder(marks, on_mark, chunk_level=chunk_level)
    position = 0
    for batch in [*batches, size]:
        end = min(size, position + batch)
        if batch == 1 and position < size:
            tree.add(LEAVES[position])
        else:
            tree.extend(LEAVES[position:end])
        position = end
        assert tree.root() == root_from_leaf_hashes(LEAVES[:position])
        if position == size:
            break
    tree.extend(LEAVES[position:size])
    assert tree.size == size
    assert tree.root() == (root_from_leaf_hashes(LEAVES[:size]) if size else EMPTY_ROOT)
    assert seen == [mark for mark in marks if mark <= size]


def test_marks_must_be_increasing_positive_sizes() -> None:
    for marks in ([0], [3, 2], [2, 2]):
        with pytest.raises(ValueError, match="marks"):
            TreeRebuilder(marks, lambda *args: None)
