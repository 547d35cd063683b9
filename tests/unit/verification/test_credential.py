"""Signed identity credentials: signature, issuer, audience, dates and claims are checked."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey
from nacl.utils import random

from verification.identity.credential import (
    LEEWAY_S,
    CredentialClaims,
    CredentialExpired,
    CredentialIssuerNotTrusted,
    CredentialMalformed,
    CredentialNotYetValid,
    CredentialSignatureInvalid,
    CredentialWrongAudience,
    TrustedIssuer,
    issue_credential,
    load_trusted_issuers,
    public_key_for,
    read_credential,
    signing_jwk,
    trusted_issuers_document,
)
from verification.identity.model import provider_subject_key

SEED = random(32)
ISSUER = "https://issuer.example"
AUDIENCE = "https://civica.example"
NOW = 1_780_000_000
TRUSTED = (TrustedIssuer(ISSUER, "Example issuer", public_key_for(SEED)),)
CLAIMS = CredentialClaims("subject-1", "12345678", date(1990, 5, 31), "PT-11", "citizen")


def issue(
    *, seed: bytes = SEED, issuer: str = ISSUER, audience: str = AUDIENCE, now: int = NOW,
    claims: CredentialClaims = CLAIMS, lifetime_s: int = 600,
) -> str:  # fmt: skip
    return issue_credential(
        seed, issuer=issuer, audience=audience, claims=claims, nonce="n-1", now=now,
        lifetime_s=lifetime_s,
    )  # fmt: skip


def read(token: str, now: int = NOW) -> object:
    return read_credential(token, TRUSTED, audience=AUDIENCE, now=now)


def test_a_good_credential_yields_the_identity_and_its_nonce() -> None:
    accepted = read_credential(issue(), TRUSTED, audience=AUDIENCE, now=NOW + 30)
    assert accepted.nonce == "n-1"
    assert accepted.issuer == ISSUER
    identity = accepted.identity
    assert identity.provider == "credential"
    assert identity.subject_key == "12345678"
    assert identity.birth_date == date(1990, 5, 31)
    assert (identity.residence, identity.status) == ("PT-11", "citizen")


def test_without_a_national_id_the_subject_is_scoped_to_the_issuer() -> None:
    claims = CredentialClaims("subject-1", None, date(1990, 5, 31), "PT-11", "citizen")
    identity = read_credential(issue(claims=claims), TRUSTED, audience=AUDIENCE, now=NOW).identity
    assert identity.subject_key == provider_subject_key("credential", ISSUER, "subject-1")


def test_a_tampered_credential_is_refused() -> None:
    header, payload, signature = issue().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["birthdate"] = "1970-01-01"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(CredentialSignatureInvalid, match="changed after it was signed"):
        read(f"{header}.{forged}.{signature}")


def test_a_credential_signed_by_another_key_is_refused() -> None:
    with pytest.raises(CredentialSignatureInvalid):
        read(issue(seed=random(32)))


def test_an_untrusted_issuer_is_refused() -> None:
    with pytest.raises(CredentialIssuerNotTrusted, match="does not trust"):
        read(issue(issuer="https://evil.example"))


def test_a_credential_for_another_service_is_refused() -> None:
    with pytest.raises(CredentialWrongAudience, match="another service"):
        read(issue(audience="https://other.example"))


def test_expiry_and_clock_skew() -> None:
    token = issue(lifetime_s=600)
    read(token, now=NOW + 600 + LEEWAY_S - 1)
    with pytest.raises(CredentialExpired, match="expired"):
        read(token, now=NOW + 600 + LEEWAY_S + 1)


def test_a_credential_from_the_future_is_refused() -> None:
    token = issue(now=NOW + 3600)
    with pytest.raises(CredentialNotYetValid, match="not valid yet"):
        read(token)


def test_garbage_and_unsigned_tokens_are_refused() -> None:
    for token in ("", "not a token", "a.b.c", "x" * 9000):
        with pytest.raises(CredentialMalformed):
            read(token)
    secret = OctKey.import_key(b"k" * 32)
    unsigned = jwt.encode({"alg": "HS256"}, {"iss": ISSUER}, secret, algorithms=["HS256"])
    with pytest.raises(CredentialMalformed):
        read(unsigned)


def test_missing_claims_are_refused() -> None:
    token = jwt.encode(
        {"alg": "Ed25519"},
        {"iss": ISSUER, "aud": AUDIENCE, "sub": "s", "iat": NOW, "exp": NOW + 60},
        signing_jwk(SEED),
        algorithms=["Ed25519"],
    )
    with pytest.raises(CredentialMalformed, match="nonce"):
        read(token)


def test_whitespace_from_copying_is_ignored() -> None:
    token = issue()
    assert (
        read_credential(token[:50] + "\n  " + token[50:], TRUSTED, audience=AUDIENCE, now=NOW).nonce
        == "n-1"
    )


def test_trusted_issuers_file_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "issuers.json"
    assert load_trusted_issuers(path) == ()
    path.write_text(trusted_issuers_document(TRUSTED))
    assert load_trusted_issuers(path) == TRUSTED
