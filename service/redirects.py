"""Where a form may send the browser next: only to a path on this site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_TARGET_LENGTH = 2000


def local_path(target: object, fallback: str = "/") -> str:
    """`target` if it is a path on this site (`/cycles/3?x=1`), otherwise `fallback`.

    Refused: absolute and scheme-relative URLs (`https://x`, `//x`), backslashes (browsers read
    `/\\x` as `//x`), control characters and whitespace (browsers strip some of them, which can
    turn `/\\t/x` into `//x`), and anything over `MAX_TARGET_LENGTH` characters.
    """
    if not isinstance(target, str) or not target.startswith("/") or len(target) > MAX_TARGET_LENGTH:
        return fallback
    if target.startswith("//") or "\\" in target:
        return fallback
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


NEXT_COOKIE = "civica_next"
