"""The compact range (frontier) and the in-memory node store."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.verification import rfc9162
from verification.errors import ProofRequestError, TreeStateError
from verification.merkle import (
    EMPTY_ROOT,
    NodeId,
    compute_root,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    tile_range,
)
from verification.tree import CompactRange, MemoryNodeStore

LEAVES = [hash_leaf(b"ballot %d" % i) for i in range(400)]


def test_compact_range_roots_equal_full_tree_roots_for_every_size() -> None:
    compact = CompactRange()
    for size in range(len(LEAVES) + 1):
        assert compact.size == size
        assert compact.root() == rfc9162.mth(LEAVES[:size])
        assert compact.nodes() == tuple(tile_range(0, size))
        if size < len(LEAVES):
            compact = compact.append(LEAVES[size])


def test_empty_range_has_the_empty_root() -> None:
    assert CompactRange().root() == EMPTY_ROOT
    assert CompactRange().hashes == ()


@given(st.lists(st.integers(min_value=0, max_value=40), max_size=8))
def test_extending_in_batches_equals_appending_one_by_one(batches: list[int]) -> None:
    one_by_one, batched, position = CompactRange(), CompactRange(), 0
    for count in batches:
        chunk = LEAVES[position : position + count]
        for leaf in chunk:
            one_by_one = one_by_one.append(leaf)
        batched = batched.extend(chunk)
        position += count
    assert batched == one_by_one == CompactRange().extend(LEAVES[:position])


def test_visitor_sees_every_completed_node_once() -> None:
    seen: dict[NodeId, bytes] = {}

    def visit(node: NodeId, node_hash: bytes) -> None:
        assert node not in seen
        seen[node] = node_hash

    compact = CompactRange().extend(LEAVES[:100], visit)
    for leaf in LEAVES[100:203]:
        compact = compact.append(leaf, visit)
    store = MemoryNodeStore(LEAVES[:203])
    # Every perfect subtree of a 203-leaf tree, and nothing else.
    expected = [NodeId(level, index) for level in range(8) for index in range(203 >> level)]
    assert sorted(seen, key=lambda n: (n.level, n.index)) == expected
    assert [seen[node] for node in expected] == store.node_hashes(expected)


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 8, 9, 255, 256, 257, 400])
def test_compact_range_round_trips_through_bytes_and_json(size: int) -> None:
    compact = CompactRange().extend(LEAVES[:size])
    as_bytes = compact.to_bytes()
    assert len(as_bytes) == 8 + 32 * size.bit_count()
    assert CompactRange.from_bytes(as_bytes) == compact
    as_json = json.loads(json.dumps(compact.to_json()))
    assert CompactRange.from_json(as_json) == compact
    # A restored range keeps growing into the same tree.
    restored = CompactRange.from_bytes(as_bytes).extend(LEAVES[size:])
    assert restored.root() == rfc9162.mth(LEAVES)


def test_malformed_compact_ranges_are_refused() -> None:
    three = CompactRange().extend(LEAVES[:3])
    with pytest.raises(TreeStateError, match="2 frontier hashes, not 1"):
        CompactRange(3, three.hashes[:1])
    with pytest.raises(TreeStateError, match="not 32 bytes"):
        CompactRange(1, (b"short",))
    with pytest.raises(TreeStateError, match="out of range"):
        CompactRange(-1, ())
    with pytest.raises(TreeStateError, match="shorter"):
        CompactRange.from_bytes(b"\x00")
    with pytest.raises(TreeStateError, match="hash bytes"):
        CompactRange.from_bytes(three.to_bytes()[:-1])
    with pytest.raises(TreeStateError, match="integer size"):
        CompactRange.from_json({"size": "3", "hashes": []})
    with pytest.raises(TreeStateError, match="integer size"):
        CompactRange.from_json({"size": True, "hashes": []})
    with pytest.raises(TreeStateError, match="not hex"):
        CompactRange.from_json({"size": 1, "hashes": ["zz"]})
    with pytest.raises(TreeStateError, match="not a string"):
        CompactRange.from_json({"size": 1, "hashes": [1]})
    with pytest.raises(TreeStateError, match="leaf hash 3 is 4 bytes"):
        three.append(b"leaf")
    with pytest.raises(TreeStateError, match="leaf hash 3 is 4 bytes"):
        three.extend([b"leaf"])


def test_compact_range_is_an_immutable_value() -> None:
    one = CompactRange().append(LEAVES[0])
    two = one.append(LEAVES[1])
    assert one.size == 1
    assert two.size == 2
    with pytest.raises(AttributeError):
        one.size = 5  # type: ignore[misc]


def test_store_appends_equal_bulk_loading() -> None:
    bulk = MemoryNodeStore(LEAVES)
    grown = MemoryNodeStore()
    for leaf in LEAVES[:150]:
        grown.append(leaf)
    grown.extend(LEAVES[150:])
    assert grown.size == bulk.size == len(LEAVES)
    nodes = [NodeId(level, index) for level in range(9) for index in range(400 >> level)]
    assert grown.node_hashes(nodes) == bulk.node_hashes(nodes)


def test_store_answers_proofs_for_older_sizes() -> None:
    store = MemoryNodeStore(LEAVES)
    assert compute_root(137, store) == rfc9162.mth(LEAVES[:137])
    assert inclusion_proof(100, 137, store) == rfc9162.path(100, LEAVES[:137])
    assert consistency_proof(50, 137, store) == rfc9162.proof(50, LEAVES[:137])


def test_store_refuses_nodes_it_does_not_hold() -> None:
    store = MemoryNodeStore(LEAVES[:5])
    with pytest.raises(ProofRequestError, match="not complete"):
        store.node_hashes([NodeId(1, 2)])
    with pytest.raises(ProofRequestError, match="not complete"):
        store.node_hashes([NodeId(5, 0)])
    with pytest.raises(ProofRequestError, match="not complete"):
        store.node_hashes([NodeId(0, -1)])
    with pytest.raises(TreeStateError, match="leaf hash 5"):
        store.append(b"x")
    with pytest.raises(TreeStateError, match="leaf hash 6"):
        store.extend([LEAVES[0], b"x"])
    assert store.size == 5
