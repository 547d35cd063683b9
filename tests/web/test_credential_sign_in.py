"""Signed identity credentials through the real routes: nonce, sign-in, replay, refusals."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import date
from typing import Any

import httpx

from service.commands.issue_credential import load_test_issuer_seed, trust_test_issuer
from tests.support.asgi import csrf_token
from tests.support.identity import code_in, import_census, outbox_messages
from verification.identity.credential import TEST_ISSUER, CredentialClaims, issue_credential

Client = tuple[httpx.AsyncClient, dict[str, Any]]
DIANA = CredentialClaims("demo-diana", "12345678", date(1980, 5, 1), "PT-11", "citizen")


def trust(state: dict[str, Any]) -> bytes:
    data_dir = state["settings"].data_dir
    trust_test_issuer(data_dir, state["identity"].settings.trusted_issuers_path)
    return load_test_issuer_seed(data_dir)


async def page_nonce(client: httpx.AsyncClient) -> str:
    page = await client.get("/identity/credential")
    assert page.status_code == 200
    found = re.search(r'<code id="nonce">([^<]+)</code>', page.text)
    assert found
    return found.group(1)


def credential(
    state: dict[str, Any], seed: bytes, nonce: str, *, audience: str | None = None,
    claims: CredentialClaims = DIANA, now: int | None = None,
) -> str:  # fmt: skip
    return issue_credential(
        seed,
        issuer=TEST_ISSUER,
        audience=audience or state["identity"].settings.credential_audience,
        claims=claims,
        nonce=nonce,
        now=int(time.time()) if now is None else now,
    )


async def present(client: httpx.AsyncClient, state: dict[str, Any], token: str) -> httpx.Response:
    return await client.post(
        "/identity/credential", data={"credential": token, "csrf_token": csrf_token(client, state)}
    )


async def test_sign_in_with_a_credential_and_replay_is_refused(app_client: Client) -> None:
    client, state = app_client
    seed = trust(state)
    sign_in_page = await client.get("/identity/sign-in")
    assert 'href="/identity/credential"' in sign_in_page.text
    token = credential(state, seed, await page_nonce(client))
    response = await present(client, state, token)
    assert response.status_code == 303, response.text
    page = await client.get(response.headers["location"])
    assert "You are signed in with: Signed identity credential." in page.text

    client.cookies.clear()
    await client.get("/identity/credential")
    replayed = await present(client, state, token)
    assert replayed.status_code == 422
    assert "This credential was already used" in replayed.text
    assert "civica_session" not in replayed.headers.get("set-cookie", "")


async def test_a_nonce_the_service_never_issued_is_refused(app_client: Client) -> None:
    client, state = app_client
    seed = trust(state)
    await client.get("/identity/credential")
    response = await present(client, state, credential(state, seed, "made-up-nonce"))
    assert response.status_code == 422
    assert "not issued by this service" in response.text


async def test_an_expired_nonce_is_refused(app_client: Client) -> None:
    client, state = app_client
    seed = trust(state)
    nonce = await page_nonce(client)
    await state["pool"].execute("UPDATE credential_nonces SET expires_at = now()")
    response = await present(client, state, credential(state, seed, nonce))
    assert response.status_code == 422
    assert "already used, or its nonce expired" in response.text


async def test_bad_credentials_are_refused_with_clear_messages(app_client: Client) -> None:
    client, state = app_client
    seed = trust(state)
    nonce = await page_nonce(client)
    good = credential(state, seed, nonce)
    header, payload, signature = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["birthdate"] = "1950-01-01"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = f"{header}.{forged}.{signature}"
    cases = {
        tampered: "changed after it was signed",
        credential(state, seed, nonce, audience="https://other.example"): "another service",
        credential(state, seed, nonce, now=int(time.time()) - 3600): "has expired",
        credential(state, b"\x01" * 32, nonce): "changed after it was signed",
        "": "Paste your signed credential.",
        "hello": "This is not a signed credential",
    }
    for token, message in cases.items():
        response = await present(client, state, token)
        assert response.status_code == 422, message
        assert message in response.text
        assert 'href="#credential"' in response.text
    # none of the refusals spent the nonce: the good credential still works once
    assert (await present(client, state, good)).status_code == 303


async def test_an_untrusted_issuer_is_refused(app_client: Client) -> None:
    client, state = app_client
    seed = load_test_issuer_seed(state["settings"].data_dir)  # exists, but not trusted
    assert 'href="/identity/credential"' not in (await client.get("/identity/sign-in")).text
    nonce = await page_nonce(client)
    response = await present(client, state, credential(state, seed, nonce))
    assert response.status_code == 422
    assert "which this service does not trust" in response.text


async def test_the_same_person_through_two_providers_is_one_voter(app_client: Client) -> None:
    client, state = app_client
    await import_census(state)
    seed = trust(state)
    response = await present(client, state, credential(state, seed, await page_nonce(client)))
    assert response.status_code == 303
    by_credential = await state["pool"].fetchval("SELECT data->'citizen' FROM sessions")
    assert by_credential["census_member"] is True  # found on the roll by the ID number

    client.cookies.clear()
    await client.get("/identity/census")
    await client.post(
        "/identity/census",
        data={
            "id_number": "12345678",
            "birth_date": "1980-05-01",
            "csrf_token": csrf_token(client, state),
        },
    )
    code = code_in(outbox_messages(state)[0])
    response = await client.post(
        "/identity/census/code", data={"code": code, "csrf_token": csrf_token(client, state)}
    )
    assert response.status_code == 303
    citizens = await state["pool"].fetch("SELECT data->'citizen' AS c FROM sessions")
    keys = {row["c"]["person_key"] for row in citizens}
    assert len(citizens) == 2
    assert len(keys) == 1
