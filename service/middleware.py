"""ASGI middleware: security headers, request size limits and CSRF protection.

CSRF uses the signed double-submit pattern (OWASP): a random `civica_csrf` cookie, and a form
field or `X-CSRF-Token` header holding HMAC-SHA-256(session key, cookie). Every POST, PUT, PATCH
and DELETE outside the public JSON API is checked before the route runs, so no form can forget.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "civica_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_EXEMPT_PREFIXES = ("/api/",)
DEFAULT_BODY_LIMIT = 1_000_000
UPLOAD_BODY_LIMIT = 8_000_000

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ]
)

RejectRenderer = Callable[[Scope, Receive, Send, int, str], Awaitable[None]]


def csrf_token_for(secret: str, session_key: bytes) -> str:
    """The form token that matches the browser's CSRF cookie."""
    mac = hmac.new(session_key, b"civica/csrf/v1\x00" + secret.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def is_https(scope: Scope, trust_proxy: bool) -> bool:
    if scope.get("scheme") == "https":
        return True
    if trust_proxy:
        for name, value in scope.get("headers", []):
            if name == b"x-forwarded-proto":
                return bool(value == b"https")
    return False


class SecurityHeadersMiddleware:
    """Adds CSP, HSTS (over TLS), framing, referrer and sniffing headers to every response."""

    def __init__(self, app: ASGIApp, *, trust_proxy: bool = False) -> None:
        self.app = app
        self.trust_proxy = trust_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = is_https(scope, self.trust_proxy)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
                if https:
                    headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
                if "cache-control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CSRFMiddleware:
    """Refuses unsafe requests whose CSRF token does not match the cookie; caps body sizes."""

    def __init__(self, app: ASGIApp, *, reject: RejectRenderer, trust_proxy: bool = False) -> None:
        self.app = app
        self.reject = reject
        self.trust_proxy = trust_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        session_key: bytes = scope["state"]["keys"].session_key
        secret = _cookie(scope, CSRF_COOKIE)
        new_secret = secret is None or len(secret) < 32
        if new_secret:
            secret = secrets.token_urlsafe(32)
        assert secret is not None
        scope["state"]["csrf_token"] = csrf_token_for(secret, session_key)
        send = self._setting_cookie(scope, send, secret) if new_secret else send

        if scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = UPLOAD_BODY_LIMIT if _is_multipart(scope) else DEFAULT_BODY_LIMIT
        body = await _read_body(receive, limit)
        if body is None:
            await self.reject(scope, receive, send, 413, "too_large")
            return
        replay = _replayer(body, receive)
        checked = not scope["path"].startswith(CSRF_EXEMPT_PREFIXES)
        if checked and (new_secret or not await _token_matches(scope, replay, secret, session_key)):
            await self.reject(scope, _replayer(body, receive), send, 403, "csrf")
            return
        await self.app(scope, _replayer(body, receive), send)

    def _setting_cookie(self, scope: Scope, send: Send, secret: str) -> Send:
        secure = "; Secure" if is_https(scope, self.trust_proxy) else ""

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.append(
                    "Set-Cookie",
                    f"{CSRF_COOKIE}={secret}; Path=/; HttpOnly; SameSite=Lax{secure}",
                )
            await send(message)

        return send_with_cookie


async def _token_matches(scope: Scope, receive: Receive, secret: str, session_key: bytes) -> bool:
    expected = csrf_token_for(secret, session_key)
    sent = _header(scope, CSRF_HEADER)
    if sent is None:
        request = Request(scope, receive)
        try:
            form = await request.form()
        except Exception:  # malformed bodies are refused like a missing token
            return False
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
        await form.close()
    return sent is not None and hmac.compare_digest(sent, expected)


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, "cookie")
    if raw is None:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers", []):
        if key == wanted:
            return str(value.decode("latin-1"))
    return None


def _is_multipart(scope: Scope) -> bool:
    content_type = _header(scope, "content-type") or ""
    return content_type.startswith("multipart/form-data")


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replayer(body: bytes, original: Receive) -> Receive:
    """A `receive` that hands over the buffered body, then waits on the real connection."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
