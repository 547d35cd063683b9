"""Hypothesis properties: every proof for random sizes verifies, and any alteration fails.

All trees are prefixes of one list of leaves, so the root of any size comes from one store.
An altered size is paired with the genuine root of the altered size (a checkpoint binds the
two), except for the first size of a consistency proof, which keeps the original root.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from verification.errors import ConsistencyProofError, InclusionProofError
from verification.merkle import (
    compute_root,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from verification.tree import MemoryNodeStore

MAX_SIZE = 700
LEAVES = [hash_leaf(b"entry %d" % i) for i in range(2 * MAX_SIZE)]
STORE = MemoryNodeStore(LEAVES)
ROOTS = [compute_root(size, STORE) for size in range(len(LEAVES) + 1)]

sizes = st.integers(min_value=1, max_value=MAX_SIZE)


def _flip_bit(value: bytes, bit: int) -> bytes:
    position, offset = divmod(bit % (8 * len(value)), 8)
    return value[:position] + bytes([value[position] ^ (1 << offset)]) + value[position + 1 :]


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def tree_pair(draw: st.DrawFn) -> tuple[int, int]:
    size2 = draw(sizes)
    return draw(st.integers(min_value=0, max_value=size2)), size2


@given(leaf_in_tree())
def test_every_inclusion_proof_verifies(case: tuple[int, int]) -> None:
    index, size = case
    verify_inclusion(LEAVES[index], index, size, inclusion_proof(index, size, STORE), ROOTS[size])


@given(leaf_in_tree(), st.sampled_from(["proof", "root", "leaf"]), st.integers(0, 10_000))
def test_any_flipped_bit_fails_inclusion(case: tuple[int, int], target: str, bit: int) -> None:
    index, size = case
    proof, root, leaf = inclusion_proof(index, size, STORE), ROOTS[size], LEAVES[index]
    if target == "proof":
        if not proof:
            root = _flip_bit(root, bit)
        else:
            element = bit % len(proof)
            proof[element] = _flip_bit(proof[element], bit // len(proof))
    elif target == "root":
        root = _flip_bit(root, bit)
    else:
        leaf = _flip_bit(leaf, bit)
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaf, index, size, proof, root)


@given(leaf_in_tree(), st.integers(min_value=-2, max_value=MAX_SIZE + 2))
def test_another_index_fails_inclusion(case: tuple[int, int], other: int) -> None:
    index, size = case
    if other == index:
        other = index + 1
    with pytest.raises(InclusionProofError):
        verify_inclusion(
            LEAVES[index], other, size, inclusion_proof(index, size, STORE), ROOTS[size]
        )


@given(leaf_in_tree(), st.integers(min_value=0, max_value=2 * MAX_SIZE))
def test_another_size_fails_inclusion(case: tuple[int, int], other: int) -> None:
    index, size = case
    if other == size:
        other = size + 1
    proof = inclusion_proof(index, size, STORE)
    with pytest.raises(InclusionProofError):
        verify_inclusion(LEAVES[index], index, other, proof, ROOTS[other])


@given(leaf_in_tree(), st.booleans())
def test_a_shortened_or_lengthened_inclusion_proof_fails(case: tuple[int, int], cut: bool) -> None:
    index, size = case
    proof = inclusion_proof(index, size, STORE)
    altered = proof[:-1] if cut and proof else [*proof, ROOTS[size]]
    with pytest.raises(InclusionProofError):
        verify_inclusion(LEAVES[index], index, size, altered, ROOTS[size])


@given(tree_pair())
def test_every_consistency_proof_verifies(case: tuple[int, int]) -> None:
    size1, size2 = case
    proof = consistency_proof(size1, size2, STORE)
    verify_consistency(size1, size2, proof, ROOTS[size1], ROOTS[size2])


@given(tree_pair(), st.sampled_from(["proof", "root1", "root2"]), st.integers(0, 10_000))
def test_any_flipped_bit_fails_consistency(case: tuple[int, int], target: str, bit: int) -> None:
    size1, size2 = case
    proof, root1, root2 = consistency_proof(size1, size2, STORE), ROOTS[size1], ROOTS[size2]
    if target == "proof" and proof:
        element = bit % len(proof)
        proof[element] = _flip_bit(proof[element], bit // len(proof))
    elif target == "root1" or size1 == 0:
        # Any tree extends the empty tree: only the empty tree's own root can be wrong.
        root1 = _flip_bit(root1, bit)
    else:
        root2 = _flip_bit(root2, bit)
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, proof, root1, root2)


@given(tree_pair(), st.integers(min_value=-1, max_value=MAX_SIZE + 1))
def test_another_first_size_fails_consistency(case: tuple[int, int], other: int) -> None:
    size1, size2 = case
    if other == size1:
        other = size1 + 1
    proof = consistency_proof(size1, size2, STORE)
    with pytest.raises(ConsistencyProofError):
        verify_consistency(other, size2, proof, ROOTS[size1], ROOTS[size2])


@given(tree_pair(), st.integers(min_value=0, max_value=2 * MAX_SIZE))
def test_another_second_size_fails_consistency(case: tuple[int, int], other: int) -> None:
    size1, size2 = case
    # Every tree extends the empty one with the same (empty) proof, so start at size 1.
    size1 = max(size1, 1)
    size2 = max(size1, size2)
    if other == size2:
        other = size2 + 1
    proof = consistency_proof(size1, size2, STORE)
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, other, proof, ROOTS[size1], ROOTS[other])


@settings(max_examples=50)
@given(tree_pair(), st.booleans())
def test_a_shortened_or_lengthened_consistency_proof_fails(
    case: tuple[int, int], cut: bool
) -> None:
    size1, size2 = case
    proof = consistency_proof(size1, size2, STORE)
    altered = proof[:-1] if cut and proof else [*proof, ROOTS[size2]]
    with pytest.raises(ConsistencyProofError):
        verify_consistency(size1, size2, altered, ROOTS[size1], ROOTS[size2])
