"""The real OpenID Connect provider (panva/oidc-provider on Node.js) the OIDC tests run.

`npm ci` installs it from tests/oidc/package-lock.json into tests/oidc/node_modules when that
folder is missing; the provider listens on 127.0.0.1 and is killed by pid at the end.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import httpx

from tests.support.process import free_port

OIDC_DIR = Path(__file__).resolve().parents[1] / "oidc"
REDIRECT_URI = "http://testserver/identity/oidc/callback"
CLIENT_ID = "civica"
OTHER_CLIENT_ID = "another-app"


def client_secret(client_id: str) -> str:
    return f"{client_id}-secret-for-tests-only"


@dataclass(frozen=True)
class RunningProvider:
    issuer: str
    pid: int


def install_provider() -> None:
    """Install the provider from the lockfile when node_modules is missing."""
    if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed to install the test OIDC provider (apt-get install nodejs npm)"
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=OIDC_DIR,
        check=True,
        timeout=300,
    )


@contextmanager
def running_provider(
    log_path: Path, redirect_uris: tuple[str, ...] = (REDIRECT_URI,)
) -> Iterator[RunningProvider]:
    """Start the provider on a free port, wait for its discovery document, stop it after.

    `redirect_uris`: the callbacks the test clients may use (a browser test passes the real
    server's `/identity/oidc/callback`)."""
    node = shutil.which("node")
    assert node, "Node.js is needed to run the test OIDC provider"
    install_provider()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    env = {"PATH": "/usr/bin:/bin", "PORT": str(port), "REDIRECT_URIS": ",".join(redirect_uris)}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [node, "provider.js"], cwd=OIDC_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        _wait_for_discovery(issuer, process, log_path)
        yield RunningProvider(issuer, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_for_discovery(issuer: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the OIDC provider exited: {log.read_text()[-2000:]}")
        try:
            response = httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2)
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the OIDC provider did not publish its discovery document in time")


async def log_in_at_provider(authorize_url: str, login: str, *, abort: bool = False) -> str:
    """Act as the person's browser at the provider: log in, consent; return the URL the
    provider redirects back to (the relying party's callback)."""
    async with httpx.AsyncClient(timeout=10) as browser:
        response = await browser.get(authorize_url)
        for _ in range(12):
            if response.is_redirect:
                location = response.headers["location"]
                if location.startswith(REDIRECT_URI):
                    return location
                response = await browser.get(urljoin(str(response.url), location))
                continue
            assert response.status_code == 200, response.text[:500]
            html = response.text
            if abort:
                abort_url = re.search(r'href="([^"]*/abort)"', html)
                assert abort_url, html[:500]
                response = await browser.get(urljoin(str(response.url), abort_url.group(1)))
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', html)
            prompt = re.search(r'name="prompt" value="([^"]+)"', html)
            assert action, html[:500]
            assert prompt, html[:500]
            form = {"prompt": prompt.group(1)}
            if prompt.group(1) == "login":
                form.update(login=login, password="any password")
            response = await browser.post(urljoin(str(response.url), action.group(1)), data=form)
    raise AssertionError("the provider did not redirect back")


async def id_token_for(
    issuer: str, client_id: str, login: str, nonce: str, scope: str = "openid civica"
) -> str:
    """Run a whole authorization code flow directly (as another relying party would) and
    return the ID token the provider issues."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = {
        "response_type": "code", "client_id": client_id, "redirect_uri": REDIRECT_URI,
        "scope": scope, "state": secrets.token_urlsafe(8), "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256",
    }  # fmt: skip
    callback = await log_in_at_provider(f"{issuer}/auth?{urlencode(query)}", login)
    code = dict(parse_qsl(urlsplit(callback).query))["code"]
    async with httpx.AsyncClient(timeout=10) as rp:
        response = await rp.post(
            f"{issuer}/token",
            data={"grant_type": "authorization_code", "code": code,
                  "redirect_uri": REDIRECT_URI, "code_verifier": verifier},
            auth=(client_id, client_secret(client_id)),
        )  # fmt: skip
    response.raise_for_status()
    token: str = response.json()["id_token"]
    return token
