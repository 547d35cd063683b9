"""OpenID Connect sign-in against a real provider process (panva/oidc-provider) on 127.0.0.1.

The app's client reaches the provider over real HTTP (discovery, token, JWKS). Refusals are
produced for real: a man-in-the-middle transport on the app's HTTP client alters or swaps
the ID token the provider returned, and callbacks are forged.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc.jwk import KeySet

from service.app import create_app
from service.config import Settings
from service.identity import IdentitySettings
from tests.support.asgi import running_app
from tests.support.oidc_provider import (
    CLIENT_ID,
    OTHER_CLIENT_ID,
    REDIRECT_URI,
    RunningProvider,
    client_secret,
    id_token_for,
    log_in_at_provider,
    running_provider,
)
from verification.identity.model import person_key
from verification.identity.oidc import (
    LEEWAY_S,
    ClaimMapping,
    OidcClientConfig,
    OidcIdTokenInvalid,
    validate_id_token,
)

Client = tuple[httpx.AsyncClient, dict[str, Any]]


@pytest.fixture(scope="session")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningProvider]:
    log = tmp_path_factory.mktemp("oidc") / "provider.log"
    with running_provider(log) as running:
        yield running


def oidc_config(issuer: str) -> OidcClientConfig:
    return OidcClientConfig(
        name="Test eID",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret=client_secret(CLIENT_ID),
        redirect_uri=REDIRECT_URI,
        scopes=("openid", "civica"),
        claims=ClaimMapping.parse(
            "national_id=national_id,birth_date=birthdate,residence=residence,status=status"
        ),
    )


@pytest.fixture
async def oidc_client(settings: Settings, provider: RunningProvider) -> AsyncIterator[Client]:
    identity = IdentitySettings.from_env({}, settings).with_oidc(oidc_config(provider.issuer))
    async with running_app(create_app(settings, identity=identity)) as (client, state):
        yield client, state


class TokenRewriter(httpx.AsyncBaseTransport):
    """Real HTTP to the provider, with the token endpoint's ID token replaced on the way."""

    def __init__(self, rewrite: Callable[[str], str]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.rewrite = rewrite

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("/token"):
            return response
        await response.aread()
        body = json.loads(response.content)
        body["id_token"] = self.rewrite(body["id_token"])
        return httpx.Response(response.status_code, json=body)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def start(client: httpx.AsyncClient) -> str:
    response = await client.get("/identity/oidc/start")
    assert response.status_code == 303, response.text
    return response.headers["location"]


async def follow_callback(client: httpx.AsyncClient, callback: str) -> httpx.Response:
    parts = urlsplit(callback)
    return await client.get(f"{parts.path}?{parts.query}")


async def sign_in(client: httpx.AsyncClient, login: str) -> httpx.Response:
    return await follow_callback(client, await log_in_at_provider(await start(client), login))


async def test_sign_in_through_a_real_provider(oidc_client: Client) -> None:
    client, state = oidc_client
    assert 'href="/identity/oidc/start"' in (await client.get("/identity/sign-in")).text
    authorize = await start(client)
    query = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert query["code_challenge_method"] == "S256"
    assert query["client_id"] == CLIENT_ID
    assert len(query["state"]) >= 32
    assert len(query["nonce"]) >= 32
    pending = await state["pool"].fetchval("SELECT data->'oidc_pending' FROM sessions")
    assert create_s256_code_challenge(pending["code_verifier"]) == query["code_challenge"]

    response = await follow_callback(client, await log_in_at_provider(authorize, "ana"))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/identity/eligibility?signed_in=1"
    citizen = await state["pool"].fetchval("SELECT data->'citizen' FROM sessions")
    assert citizen["person_key"] == person_key(state["keys"].identifier_pepper, "11111111")
    assert (citizen["birth_date"], citizen["residence"], citizen["status"]) == (
        "1980-05-01",
        "PT-11",
        "citizen",
    )
    assert "oidc_pending" not in json.dumps(
        await state["pool"].fetchval("SELECT data FROM sessions")
    )
    page = await client.get(response.headers["location"])
    assert "You are signed in with: Test eID." in page.text  # the deployment's own name


async def test_claims_reach_the_eligibility_rules(oidc_client: Client) -> None:
    client, _ = oidc_client
    assert (await sign_in(client, "carla")).status_code == 303  # born 2015
    page = await client.get("/identity/eligibility")
    assert "You must be at least 18 years old on" in page.text


async def test_a_forged_state_is_refused(oidc_client: Client) -> None:
    client, state = oidc_client
    callback = await log_in_at_provider(await start(client), "ana")
    forged = callback.replace("state=", "state=x")
    response = await follow_callback(client, forged)
    assert response.status_code == 400
    assert "does not belong to the sign-in you started here" in response.text
    # the pending sign-in was spent: the genuine callback no longer works either
    again = await follow_callback(client, callback)
    assert again.status_code == 400
    assert await state["pool"].fetchval("SELECT count(*) FROM sessions WHERE data ? 'citizen'") == 0


async def test_a_callback_without_a_started_sign_in_is_refused(oidc_client: Client) -> None:
    client, _ = oidc_client
    callback = await log_in_at_provider(await start(client), "ana")
    client.cookies.clear()
    response = await follow_callback(client, callback)
    assert response.status_code == 400
    assert "does not belong to a sign-in started in this browser" in response.text


async def test_a_cancelled_sign_in_is_explained(oidc_client: Client) -> None:
    client, _ = oidc_client
    callback = await log_in_at_provider(await start(client), "ana", abort=True)
    response = await follow_callback(client, callback)
    assert response.status_code == 400
    assert "did not sign you in (access_denied)" in response.text


def altered(id_token: str) -> str:
    header, payload, signature = id_token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["birthdate"] = "1950-01-01"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


async def with_rewriter(
    state: dict[str, Any], issuer: str, rewrite: Callable[[str], str]
) -> httpx.AsyncClient:
    http = httpx.AsyncClient(transport=TokenRewriter(rewrite), timeout=10)
    state["identity"].use_oidc(oidc_config(issuer), http)
    return http


async def test_a_tampered_id_token_is_refused(
    oidc_client: Client, provider: RunningProvider
) -> None:
    client, state = oidc_client
    http = await with_rewriter(state, provider.issuer, altered)
    try:
        response = await sign_in(client, "ana")
    finally:
        await http.aclose()
    assert response.status_code == 400
    assert "altered on the way: its signature is wrong" in response.text
    assert await state["pool"].fetchval("SELECT count(*) FROM sessions WHERE data ? 'citizen'") == 0


async def test_an_id_token_for_another_client_is_refused(
    oidc_client: Client, provider: RunningProvider
) -> None:
    client, state = oidc_client
    authorize = await start(client)
    nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
    other = await id_token_for(provider.issuer, OTHER_CLIENT_ID, "ana", nonce)
    http = await with_rewriter(state, provider.issuer, lambda _: other)
    try:
        response = await follow_callback(client, await log_in_at_provider(authorize, "ana"))
    finally:
        await http.aclose()
    assert response.status_code == 400
    assert "meant for another application" in response.text


async def test_an_id_token_with_another_nonce_is_refused(
    oidc_client: Client, provider: RunningProvider
) -> None:
    client, state = oidc_client
    earlier = await id_token_for(provider.issuer, CLIENT_ID, "ana", "an-earlier-sign-in")
    http = await with_rewriter(state, provider.issuer, lambda _: earlier)
    try:
        response = await sign_in(client, "ana")
    finally:
        await http.aclose()
    assert response.status_code == 400
    assert "belongs to another sign-in attempt" in response.text


async def test_an_expired_id_token_is_refused(provider: RunningProvider) -> None:
    token = await id_token_for(provider.issuer, CLIENT_ID, "bruno", "nonce-1")
    async with httpx.AsyncClient() as http:
        keys = KeySet.import_key_set((await http.get(f"{provider.issuer}/jwks")).json())
    claims = validate_id_token(
        token, keys, issuer=provider.issuer, client_id=CLIENT_ID, nonce="nonce-1",
        now=_claim(token, "iat"),
    )  # fmt: skip
    assert claims["national_id"] == "22222222"
    with pytest.raises(OidcIdTokenInvalid, match="has expired"):
        validate_id_token(
            token, keys, issuer=provider.issuer, client_id=CLIENT_ID, nonce="nonce-1",
            now=_claim(token, "exp") + LEEWAY_S + 1,
        )  # fmt: skip
    with pytest.raises(OidcIdTokenInvalid, match="unexpected issuer"):
        validate_id_token(
            token, keys, issuer="http://127.0.0.1:1", client_id=CLIENT_ID, nonce="nonce-1",
            now=_claim(token, "iat"),
        )  # fmt: skip


def _claim(token: str, name: str) -> int:
    payload = token.split(".")[1]
    value: int = json.loads(base64.urlsafe_b64decode(payload + "=="))[name]
    return value


async def test_an_unreachable_provider_is_explained(settings: Settings, tmp_path: Path) -> None:
    config = oidc_config("http://127.0.0.1:9")  # nothing listens on the discard port
    identity = IdentitySettings.from_env({}, settings).with_oidc(config)
    async with running_app(create_app(settings, identity=identity)) as (client, _):
        response = await client.get("/identity/oidc/start")
    assert response.status_code == 503
    assert "did not answer" in response.text
