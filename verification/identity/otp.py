"""One-time codes for the census provider, and the limits that keep guessing useless.

A code is 6 to 8 random digits, lives `lifetime_s` seconds, is stored only as an Argon2id hash
and may be tried `max_attempts` times. Requests are limited per identity and per client
address in fixed windows. The code itself has too few digits for hashing to stop an offline
search; the hash keeps a database reader from simply reading live codes, while the short life
and the attempt limit are what stop online guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP's minimum Argon2id profile (19 MiB, 2 passes, 1 lane): ~50 ms here, so a burst of
# requests cannot exhaust the two cores; the code's entropy, not this cost, bounds guessing.
CODE_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@dataclass(frozen=True)
class CodePolicy:
    """How codes are made and how often people may ask for and try them."""

    digits: int = 6
    lifetime_s: int = 600
    max_attempts: int = 5
    window_s: int = 3600
    requests_per_identity: int = 5
    requests_per_address: int = 30
    attempts_per_address: int = 60

    def __post_init__(self) -> None:
        if not 6 <= self.digits <= 8:
            raise ValueError("one-time codes have 6 to 8 digits")
        if self.lifetime_s <= 0 or self.max_attempts <= 0 or self.window_s <= 0:
            raise ValueError("code lifetime, attempts and window must be positive")

    @property
    def lifetime_minutes(self) -> int:
        return max(1, self.lifetime_s // 60)


def generate_code(digits: int) -> str:
    """A uniformly random code of `digits` decimal digits (leading zeros kept)."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def hash_code(code: str) -> str:
    """Argon2id hash of a code."""
    return CODE_HASHER.hash(code)


def code_matches(code_hash: str, code: str) -> bool:
    """Whether `code` is the one hashed in `code_hash` (always does the full Argon2id work)."""
    try:
        return CODE_HASHER.verify(code_hash, code)
    except (VerificationError, InvalidHashError):
        return False


def normalise_code(text: str) -> str:
    """The digits of what was typed (people add spaces or dashes when copying)."""
    return "".join(ch for ch in text if ch.isdigit())[:16]


def new_handle() -> tuple[str, bytes]:
    """A random handle for a code request (kept by the browser's session) and its SHA-256."""
    handle = secrets.token_urlsafe(32)
    return handle, handle_hash(handle)


def handle_hash(handle: str) -> bytes:
    return hashlib.sha256(handle.encode()).digest()


def limit_bucket(pepper: bytes, kind: str, value: str) -> str:
    """A rate-limit counter's name: the kind of limit and an HMAC of what it limits."""
    mac = hmac.new(pepper, f"civica/limit/v1\x00{kind}\x00{value}".encode(), hashlib.sha256)
    return f"{kind}:{mac.hexdigest()}"


def window_start(now: datetime, window_s: int) -> datetime:
    """The start of the fixed window `now` falls in."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    seconds = int((now - epoch).total_seconds())
    return epoch + timedelta(seconds=seconds - seconds % window_s)
