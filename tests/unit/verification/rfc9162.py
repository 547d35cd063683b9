"""A literal, recursive transcription of RFC 9162 §2.1, used as the oracle in the tests.

It follows the RFC's definitions word for word (MTH, PATH, PROOF/SUBPROOF over lists of
leaf hashes) and is deliberately slow and simple; the code under test must agree with it.
"""

import hashlib


def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def mth(leaf_hashes: list[bytes]) -> bytes:
    """MTH(D[n]) over leaf hashes (§2.1.1)."""
    n = len(leaf_hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hashes[0]
    k = _largest_power_of_two_below(n)
    return hashlib.sha256(b"\x01" + mth(leaf_hashes[:k]) + mth(leaf_hashes[k:])).digest()


def path(m: int, leaf_hashes: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) (§2.1.3.1)."""
    n = len(leaf_hashes)
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if m < k:
        return [*path(m, leaf_hashes[:k]), mth(leaf_hashes[k:])]
    return [*path(m - k, leaf_hashes[k:]), mth(leaf_hashes[:k])]


def proof(m: int, leaf_hashes: list[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) for 0 < m < n (§2.1.4.1)."""
    return _subproof(m, leaf_hashes, True)


def _subproof(m: int, leaf_hashes: list[bytes], whole: bool) -> list[bytes]:
    n = len(leaf_hashes)
    if m == n:
        return [] if whole else [mth(leaf_hashes)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        return [*_subproof(m, leaf_hashes[:k], whole), mth(leaf_hashes[k:])]
    return [*_subproof(m - k, leaf_hashes[k:], False), mth(leaf_hashes[:k])]
