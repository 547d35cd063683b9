"""Where to send someone back to after signing in, without opening a redirect to other sites."""

from __future__ import annotations

from urllib.parse import urlsplit

NEXT_COOKIE = "civica_next"
MAX_NEXT_LENGTH = 500


def safe_next(value: str | None, default: str = "/") -> str:
    """`value` if it is a path on this site, else `default`."""
    if not value or len(value) > MAX_NEXT_LENGTH or not value.startswith("/"):
        return default
    if value.startswith(("//", "/\\")) or "\\" in value or any(ord(c) < 32 for c in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value
