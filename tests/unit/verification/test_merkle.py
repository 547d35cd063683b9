"""RFC 9162 Merkle hashing and proofs: known answers, edge sizes, and refused proofs."""

from collections.abc import Sequence

import pytest

from tests.unit.verification import rfc9162
from verification.errors import (
    ConsistencyProofError,
    InclusionProofError,
    ProofRequestError,
    VerificationError,
)
from verification.merkle import (
    EMPTY_ROOT,
    NodeId,
    ProofPlan,
    compute_root,
    consistency_proof,
    hash_children,
    hash_leaf,
    hash_tree,
    inclusion_proof,
    plan_consistency_proof,
    plan_inclusion_proof,
    plan_root,
    root_from_leaf_hashes,
    tile_range,
    verify_consistency,
    verify_inclusion,
)
from verification.tree import MemoryNodeStore

# Known-answer vectors: the 8-leaf tree of the Certificate Transparency reference test suites,
# as published in github.com/transparency-dev/merkle, testonly/constants.go (LeafInputs,
# NodeHashes, RootHashes) and proof/verify_test.go (inclusionProofs, consistencyProofs;
# their leaf numbers there are 1-based, the indexes below are 0-based).
CT_LEAVES = [
    bytes.fromhex(""),
    bytes.fromhex("00"),
    bytes.fromhex("10"),
    bytes.fromhex("2021"),
    bytes.fromhex("3031"),
    bytes.fromhex("40414243"),
    bytes.fromhex("5051525354555657"),
    bytes.fromhex("606162636465666768696a6b6c6d6e6f"),
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_NODES = {
    NodeId(0, 0): "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    NodeId(0, 1): "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    NodeId(0, 2): "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    NodeId(0, 3): "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    NodeId(0, 4): "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    NodeId(0, 5): "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    NodeId(0, 6): "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    NodeId(0, 7): "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    NodeId(1, 0): "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    NodeId(1, 1): "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    NodeId(1, 2): "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    NodeId(1, 3): "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    NodeId(2, 0): "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    NodeId(2, 1): "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    NodeId(3, 0): "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}
# (index, size, proof) from inclusionProofs.
CT_INCLUSION = [
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (size1, size2, proof) from consistencyProofs.
CT_CONSISTENCY = [
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]

EDGE_SIZES = [*range(1, 18), 31, 32, 33, 63, 64, 65, 127, 128, 129]
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def _leaf_hashes(size: int) -> list[bytes]:
    return [hash_leaf(b"ballot %d" % i) for i in range(size)]


def _hexes(hashes: Sequence[bytes]) -> list[str]:
    return [value.hex() for value in hashes]


def _flip(value: bytes, bit: int = 3) -> bytes:
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


CT_STORE = MemoryNodeStore(hash_leaf(leaf) for leaf in CT_LEAVES)


def test_empty_tree_root_is_sha256_of_nothing() -> None:
    assert hash_tree([]) == EMPTY_ROOT == bytes.fromhex(CT_ROOTS[0])
    assert compute_root(0, MemoryNodeStore()) == EMPTY_ROOT


def test_leaf_and_node_hashes_use_the_rfc_prefixes() -> None:
    assert hash_leaf(b"").hex() == CT_NODES[NodeId(0, 0)]
    assert hash_children(hash_leaf(b""), hash_leaf(b"\x00")).hex() == CT_NODES[NodeId(1, 0)]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_ct_vectors(size: int) -> None:
    assert hash_tree(CT_LEAVES[:size]).hex() == CT_ROOTS[size]
    assert compute_root(size, CT_STORE).hex() == CT_ROOTS[size]


def test_every_node_hash_matches_the_ct_vectors() -> None:
    nodes = list(CT_NODES)
    assert _hexes(CT_STORE.node_hashes(nodes)) == [CT_NODES[node] for node in nodes]


@pytest.mark.parametrize(("index", "size", "expected"), CT_INCLUSION)
def test_inclusion_proofs_match_the_ct_vectors(index: int, size: int, expected: list[str]) -> None:
    proof = inclusion_proof(index, size, CT_STORE)
    assert _hexes(proof) == expected
    verify_inclusion(hash_leaf(CT_LEAVES[index]), index, size, proof, bytes.fromhex(CT_ROOTS[size]))


@pytest.mark.parametrize(("size1", "size2", "expected"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_ct_vectors(
    size1: int, size2: int, expected: list[str]
) -> None:
    proof = consistency_proof(size1, size2, CT_STORE)
    assert _hexes(proof) == expected
    verify_consistency(
        size1, size2, proof, bytes.fromhex(CT_ROOTS[size1]), bytes.fromhex(CT_ROOTS[size2])
    )


@pytest.mark.parametrize("size", EDGE_SIZES)
def test_edge_sizes_agree_with_the_rfc_definitions(size: int) -> None:
    leaves = _leaf_hashes(size)
    store = MemoryNodeStore(leaves)
    roots = [rfc9162.mth(leaves[:n]) for n in range(size + 1)]
    assert root_from_leaf_hashes(leaves) == roots[size] == compute_root(size, store)
    for index in range(size):
        proof = inclusion_proof(index, size, store)
        assert proof == rfc9162.path(index, leaves)
        verify_inclusion(leaves[index], index, size, proof, roots[size])
    for size1 in range(size + 1):
        proof = consistency_proof(size1, size, store)
        assert proof == (rfc9162.proof(size1, leaves) if 0 < size1 < size else [])
        verify_consistency(size1, size, proof, roots[size1], roots[size])


def _corrupt_inclusion(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes
) -> list[tuple[str, int, int, list[bytes], bytes, bytes]]:
    # The probes of transparency-dev/merkle's corruptInclusionProof, plus truncation.
    probes = [
        ("index - 1", index - 1, size, proof, root, leaf),
        ("index + 1", index + 1, size, proof, root, leaf),
        ("index ^ 2", index ^ 2, size, proof, root, leaf),
        ("size * 2", index, size * 2, proof, root, leaf),
        ("size // 2", index, size // 2, proof, root, leaf),
        ("wrong leaf", index, size, proof, root, hash_leaf(b"WrongLeaf")),
        ("empty root", index, size, proof, EMPTY_ROOT, leaf),
        ("random root", index, size, proof, SOME_HASH, leaf),
        ("trailing root", index, size, [*proof, root], root, leaf),
        ("preceding root", index, size, [root, *proof], root, leaf),
    ]
    for position in range(len(proof)):
        bad = list(proof)
        bad[position] = _flip(bad[position])
        probes.append((f"proof[{position}] bit flipped", index, size, bad, root, leaf))
    if proof:
        probes.append(("removed component", index, size, proof[:-1], root, leaf))
    if len(proof) > 1:
        probes.append(
            ("inserted component", index, size, [proof[0], SOME_HASH, *proof[1:]], root, leaf)
        )
    return probes


@pytest.mark.parametrize(("index", "size", "expected"), CT_INCLUSION[1:])
def test_corrupted_inclusion_proofs_are_refused(index: int, size: int, expected: list[str]) -> None:
    proof = [bytes.fromhex(value) for value in expected]
    root, leaf = bytes.fromhex(CT_ROOTS[size]), hash_leaf(CT_LEAVES[index])
    accepted = []
    for desc, p_index, p_size, p_proof, p_root, p_leaf in _corrupt_inclusion(
        index, size, proof, root, leaf
    ):
        try:
            verify_inclusion(p_leaf, p_index, p_size, p_proof, p_root)
        except InclusionProofError:
            continue
        accepted.append(desc)
    assert accepted == []


@pytest.mark.parametrize(("size1", "size2", "expected"), CT_CONSISTENCY[1:])
def test_corrupted_consistency_proofs_are_refused(
    size1: int, size2: int, expected: list[str]
) -> None:
    # The probes of transparency-dev/merkle's corruptConsistencyProof.
    proof = [bytes.fromhex(value) for value in expected]
    root1, root2 = bytes.fromhex(CT_ROOTS[size1]), bytes.fromhex(CT_ROOTS[size2])
    probes = [
        (size1 - 1, size2, root1, root2, proof),
        (size1 + 1, size2, root1, root2, proof),
        (size1 ^ 2, size2, root1, root2, proof),
        (size1, size2 * 2, root1, root2, proof),
        (size1, size2 // 2, root1, root2, proof),
        (size1, size2, SOME_HASH, root2, proof),
        (size1, size2, root1, SOME_HASH, proof),
        (size1, size2, root2, root1, proof),
        (size1, size2, root1, root2, []),
        (size1, size2, root1, root2, [*proof, root1]),
        (size1, size2, root1, root2, [*proof, root2]),
        (size1, size2, root1, root2, [root1, *proof]),
        (size1, size2, root1, root2, [root2, *proof]),
        (size1, size2, root1, root2, [proof[0], *proof]),
        (size1, size2, root1, root2, proof[:-1]),
    ]
    for position in range(len(proof)):
        bad = list(proof)
        bad[position] = _flip(bad[position], 4)
        probes.append((size1, size2, root1, root2, bad))
    accepted = []
    for p_size1, p_size2, p_root1, p_root2, p_proof in probes:
        try:
            verify_consistency(p_size1, p_size2, p_proof, p_root1, p_root2)
        except ConsistencyProofError:
            continue
        accepted.append((p_size1, p_size2, len(p_proof)))
    assert accepted == []


def test_single_leaf_tree_root_is_the_leaf_hash() -> None:
    leaf = hash_leaf(b"data")
    verify_inclusion(leaf, 0, 1, [], leaf)
    with pytest.raises(InclusionProofError, match="root"):
        verify_inclusion(leaf, 0, 1, [], SOME_HASH)
    with pytest.raises(InclusionProofError, match="leaf hash is 0 bytes"):
        verify_inclusion(b"", 0, 1, [], leaf)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (1, 1), (2, 1), (-1, 4)])
def test_inclusion_outside_the_tree_is_refused(index: int, size: int) -> None:
    with pytest.raises(InclusionProofError, match="not in a tree"):
        verify_inclusion(SOME_HASH, index, size, [], EMPTY_ROOT)


def test_inclusion_errors_say_what_failed() -> None:
    leaves = _leaf_hashes(5)
    store = MemoryNodeStore(leaves)
    proof, root = inclusion_proof(1, 5, store), compute_root(5, store)
    with pytest.raises(InclusionProofError, match="too few"):
        verify_inclusion(leaves[1], 1, 5, proof[:-1], root)
    with pytest.raises(InclusionProofError, match="needs 3"):
        verify_inclusion(leaves[1], 1, 5, [*proof, root], root)
    with pytest.raises(InclusionProofError, match="proof hash 1 is 31 bytes"):
        verify_inclusion(leaves[1], 1, 5, [proof[0], proof[1][:31], proof[2]], root)


def test_trivial_consistency_cases() -> None:
    root = hash_tree([b"a", b"b"])
    verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(0, 2, [], EMPTY_ROOT, root)
    verify_consistency(2, 2, [], root, root)
    with pytest.raises(ConsistencyProofError, match="two different roots for size 2"):
        verify_consistency(2, 2, [], root, SOME_HASH)
    with pytest.raises(ConsistencyProofError, match="must be empty"):
        verify_consistency(2, 2, [root], root, root)
    with pytest.raises(ConsistencyProofError, match="empty tree"):
        verify_consistency(0, 2, [], SOME_HASH, root)
    with pytest.raises(ConsistencyProofError, match="must be empty"):
        verify_consistency(0, 2, [EMPTY_ROOT], EMPTY_ROOT, root)
    with pytest.raises(ConsistencyProofError, match="cannot extend"):
        verify_consistency(2, 1, [], root, root)
    with pytest.raises(ConsistencyProofError, match="empty proof"):
        verify_consistency(1, 2, [], hash_leaf(b"a"), root)


def test_a_proof_does_not_bind_the_tree_size_on_its_own() -> None:
    # Leaf 0 has the same path shape in trees of 3 and 4 leaves, so the proof for size 3
    # also "verifies" against size 4 with the size-3 root. Only a signed checkpoint binds a
    # size to its root, which is why callers take both from one verified checkpoint.
    leaves = _leaf_hashes(3)
    store = MemoryNodeStore(leaves)
    proof, root3 = inclusion_proof(0, 3, store), compute_root(3, store)
    verify_inclusion(leaves[0], 0, 4, proof, root3)
    # With the real size-4 root, the same proof is refused.
    with pytest.raises(InclusionProofError):
        verify_inclusion(leaves[0], 0, 4, proof, rfc9162.mth([*leaves, hash_leaf(b"x")]))


def test_plans_refuse_impossible_requests() -> None:
    with pytest.raises(ProofRequestError):
        plan_inclusion_proof(3, 3)
    with pytest.raises(ProofRequestError):
        plan_consistency_proof(4, 3)
    with pytest.raises(ProofRequestError):
        plan_root(0)
    with pytest.raises(ProofRequestError, match="not complete"):
        inclusion_proof(0, 9, CT_STORE)
    plan = plan_inclusion_proof(1, 5)
    with pytest.raises(ProofRequestError, match="expected 3 node hashes"):
        plan.assemble([SOME_HASH])
    with pytest.raises(ProofRequestError, match="not 32"):
        plan.assemble([SOME_HASH, SOME_HASH, b"short"])


def test_plan_names_the_nodes_a_database_must_return() -> None:
    # Leaf 1 of 7: sibling leaf 0, sibling pair [2, 4), then the right edge [4, 7) which
    # folds leaves 4-5 and 6 into one proof hash.
    assert plan_inclusion_proof(1, 7) == ProofPlan(
        (NodeId(0, 0), NodeId(1, 1), NodeId(1, 2), NodeId(0, 6)), 2, 4
    )
    assert plan_consistency_proof(3, 7).nodes[0] == NodeId(0, 2)
    assert tile_range(0, 13) == [NodeId(3, 0), NodeId(2, 2), NodeId(0, 12)]
    assert tile_range(5, 12) == [NodeId(0, 5), NodeId(1, 3), NodeId(2, 2)]
    assert (NodeId(2, 3).begin, NodeId(2, 3).end) == (12, 16)


def test_errors_share_the_verification_base() -> None:
    for error in (InclusionProofError, ConsistencyProofError, ProofRequestError):
        assert issubclass(error, VerificationError)
