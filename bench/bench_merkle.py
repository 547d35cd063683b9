"""Speed of the board's Merkle code at OPP-2018 scale (about 120,000 ballots).

Run from the repository root: PYTHONPATH=. python bench/bench_merkle.py [leaves]. Prints wall-clock
figures (time.perf_counter, best of 3 runs) for: appending every leaf to a compact range
one at a time and in one batch, then taking the root; loading an in-memory node store; and
building plus verifying inclusion and consistency proofs at the full size.
"""

import sys
import time
from collections.abc import Callable

from verification.merkle import (
    compute_root,
    consistency_proof,
    hash_leaf,
    inclusion_proof,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from verification.tree import CompactRange, MemoryNodeStore


def best_of(runs: int, task: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 120_000
    leaves = [hash_leaf(b"ballot %d" % i) for i in range(size)]
    root = root_from_leaf_hashes(leaves)

    def append_one_by_one() -> None:
        compact = CompactRange()
        for leaf in leaves:
            compact = compact.append(leaf)
        assert compact.root() == root

    def append_batch() -> None:
        assert CompactRange().extend(leaves).root() == root

    store = MemoryNodeStore(leaves)
    indexes = range(0, size, max(1, size // 1000))

    def inclusion_proofs() -> None:
        for index in indexes:
            verify_inclusion(leaves[index], index, size, inclusion_proof(index, size, store), root)

    def consistency_proofs() -> None:
        for old in indexes:
            proof = consistency_proof(old + 1, size, store)
            verify_consistency(old + 1, size, proof, compute_root(old + 1, store), root)

    def store_proof_from_scratch() -> None:
        fresh = MemoryNodeStore(leaves)
        inclusion_proof(size // 3, size, fresh)

    per = len(indexes)
    rows = [
        ("compact range, append one at a time + root", best_of(3, append_one_by_one)),
        ("compact range, extend in one batch + root", best_of(3, append_batch)),
        ("root from the list of leaf hashes", best_of(3, lambda: root_from_leaf_hashes(leaves))),
        ("node store load + first proof (cold)", best_of(3, store_proof_from_scratch)),
        ("inclusion proof build + verify, each", best_of(3, inclusion_proofs) / per),
        ("consistency proof + old root + verify, each", best_of(3, consistency_proofs) / per),
    ]
    print(f"leaves: {size}")
    for label, seconds in rows:
        print(f"{label:<45} {seconds * 1e3:10.3f} ms")


if __name__ == "__main__":
    main()
