"""Signed identity credentials: a JWS (compact form) signed with Ed25519 by a trusted issuer.

The pattern of the Cartão de Cidadão's digital signature and of EU digital-identity wallet
attestations. Checked, in order: the form (a compact JWS of at most MAX_TOKEN_BYTES), the
issuer (`iss` must be configured as trusted), the signature (RFC 8037 OKP key; `alg` Ed25519
as in RFC 9864, or its older name EdDSA), the audience (`aud` must name this deployment),
the validity window (`exp`, `nbf`, `iat`, with LEEWAY_S seconds of clock skew) and the claims.
Replay is stopped by the caller: the `nonce` claim must be a single-use nonce this service
issued (see verification/repository.py).

Claims: iss, aud, sub, national_id (optional), birthdate (YYYY-MM-DD), residence, status,
nonce, iat, exp, nbf (optional). The subject key is `national_id` when present.
"""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
    SecurityWarning,
)
from joserfc.jwk import OKPKey
from nacl.signing import SigningKey

from verification.identity.model import VerifiedIdentity, provider_subject_key
from verification.messages import _

PROVIDER = "credential"
ALGORITHMS = ["Ed25519", "EdDSA"]
LEEWAY_S = 60
MAX_TOKEN_BYTES = 8192
MAX_LIFETIME_S = 366 * 24 * 3600
STATUSES = ("citizen", "legal_resident")
TEST_ISSUER = "urn:civica:test-issuer"


class CredentialRejected(ValueError):
    """A credential that cannot be accepted; `explanation` says why in plain words."""

    def __init__(self, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation


class CredentialMalformed(CredentialRejected):
    """Not a compact JWS, or its claims are missing or of the wrong type."""


class CredentialIssuerNotTrusted(CredentialRejected):
    """Signed by an issuer this deployment does not trust."""


class CredentialSignatureInvalid(CredentialRejected):
    """The signature does not verify with the issuer's key (tampered or forged)."""


class CredentialWrongAudience(CredentialRejected):
    """Issued for another service."""


class CredentialExpired(CredentialRejected):
    """Past its `exp`."""


class CredentialNotYetValid(CredentialRejected):
    """Before its `nbf` or `iat`."""


class CredentialReplayed(CredentialRejected):
    """Its nonce is unknown, expired or already used."""


@dataclass(frozen=True)
class TrustedIssuer:
    """An issuer whose Ed25519 public key this deployment trusts."""

    issuer: str
    name: str
    public_key: bytes

    def jwk(self) -> OKPKey:
        return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": _b64(self.public_key)})


@dataclass(frozen=True)
class AcceptedCredential:
    """A credential whose signature, issuer, audience and dates are good; the nonce is next."""

    identity: VerifiedIdentity
    nonce: str
    issuer: str


@dataclass(frozen=True)
class CredentialClaims:
    """What an issuer attests about a person."""

    subject: str
    national_id: str | None
    birth_date: date
    residence: str
    status: str


def nonce_hash(nonce: str) -> bytes:
    """How a credential nonce is stored: its SHA-256."""
    return hashlib.sha256(nonce.encode()).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_for(seed: bytes) -> bytes:
    """The Ed25519 public key of a 32-byte signing seed."""
    return bytes(SigningKey(seed).verify_key)


def signing_jwk(seed: bytes) -> OKPKey:
    """The joserfc private key for a 32-byte Ed25519 seed."""
    public = public_key_for(seed)
    return OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "d": _b64(seed), "x": _b64(public)})


def issue_credential(
    seed: bytes,
    *,
    issuer: str,
    audience: str,
    claims: CredentialClaims,
    nonce: str,
    now: int,
    lifetime_s: int = 600,
) -> str:
    """Sign a credential (the test issuer's job, and any issuer's wire format)."""
    payload: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": claims.subject,
        "birthdate": claims.birth_date.isoformat(),
        "residence": claims.residence,
        "status": claims.status,
        "nonce": nonce,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_s,
    }
    if claims.national_id:
        payload["national_id"] = claims.national_id
    header = {"alg": "Ed25519", "typ": "civica-id+jwt"}
    return jwt.encode(header, payload, signing_jwk(seed), algorithms=["Ed25519"])


def load_trusted_issuers(path: Path) -> tuple[TrustedIssuer, ...]:
    """Read `{"issuers": [{"issuer", "name", "public_key" (base64url)}]}`; none if absent."""
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    issuers = []
    for item in data.get("issuers", []):
        key = _unb64(str(item["public_key"]))
        if len(key) != 32:
            raise ValueError(f"{path}: the key of {item['issuer']!r} is not 32 bytes")
        issuers.append(TrustedIssuer(str(item["issuer"]), str(item.get("name", "")), key))
    return tuple(issuers)


def trusted_issuers_document(issuers: tuple[TrustedIssuer, ...]) -> str:
    """The JSON form `load_trusted_issuers` reads."""
    items = [
        {"issuer": i.issuer, "name": i.name, "public_key": _b64(i.public_key)} for i in issuers
    ]
    return json.dumps({"issuers": items}, indent=2) + "\n"


def read_credential(
    token: str, trusted: tuple[TrustedIssuer, ...], *, audience: str, now: int
) -> AcceptedCredential:
    """Check a credential and return the identity it attests (the nonce is still to be spent)."""
    token = "".join(token.split())
    if not token or len(token) > MAX_TOKEN_BYTES or token.count(".") != 2:
        raise CredentialMalformed(_("This is not a signed credential: paste the whole text."))
    try:
        unverified = json.loads(jws.extract_compact(token.encode()).payload)
    except (JoseError, ValueError):
        raise CredentialMalformed(
            _("This is not a signed credential: paste the whole text.")
        ) from None
    if not isinstance(unverified, dict):
        raise CredentialMalformed(_("The credential's contents are not readable."))
    issuer = next((i for i in trusted if i.issuer == unverified.get("iss")), None)
    if issuer is None:
        raise CredentialIssuerNotTrusted(
            _(
                "The credential was issued by {iss}, which this service does not trust.",
                iss=str(unverified.get("iss"))[:200],
            )
        )
    claims = _verified_claims(token, issuer)
    _check_registered_claims(claims, issuer.issuer, audience, now)
    return AcceptedCredential(
        _identity_from(claims, issuer.issuer), str(claims["nonce"]), issuer.issuer
    )


def _verified_claims(token: str, issuer: TrustedIssuer) -> dict[str, Any]:
    try:
        with warnings.catch_warnings():
            # "EdDSA" is the older name RFC 9864 deprecates; both mean Ed25519 with an OKP key.
            warnings.simplefilter("ignore", SecurityWarning)
            decoded = jwt.decode(token, issuer.jwk(), algorithms=ALGORITHMS)
    except BadSignatureError:
        raise CredentialSignatureInvalid(
            _("The credential's signature does not match: it was changed after it was signed.")
        ) from None
    except (JoseError, ValueError):
        raise CredentialMalformed(
            _("The credential is not signed with Ed25519 in a form this service reads.")
        ) from None
    return dict(decoded.claims)


def _check_registered_claims(claims: dict[str, Any], issuer: str, audience: str, now: int) -> None:
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_S,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": audience},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise CredentialExpired(_("The credential has expired: ask for a new one.")) from None
    except InvalidClaimError as error:
        if error.claim == "aud":
            raise CredentialWrongAudience(
                _("The credential was issued for another service, not this one.")
            ) from None
        if error.claim in ("nbf", "iat"):
            raise CredentialNotYetValid(
                _("The credential is not valid yet: check your device's clock.")
            ) from None
        raise CredentialMalformed(
            _("The credential's {claim} claim is not valid.", claim=error.claim)
        ) from None
    except MissingClaimError as error:
        raise CredentialMalformed(
            _("The credential lacks a required claim: {claim}.", claim=str(error))
        ) from None
    except ClaimError:
        raise CredentialMalformed(_("The credential's claims are not valid.")) from None
    if int(claims["exp"]) - int(claims["iat"]) > MAX_LIFETIME_S:
        raise CredentialMalformed(_("The credential claims to last more than a year."))


def _identity_from(claims: dict[str, Any], issuer: str) -> VerifiedIdentity:
    try:
        born = date.fromisoformat(str(claims["birthdate"]))
        residence = str(claims["residence"])
        status = str(claims["status"])
        subject = str(claims["sub"])
    except (KeyError, ValueError):
        raise CredentialMalformed(
            _("The credential must state a birth date (YYYY-MM-DD), a residence and a status.")
        ) from None
    if status not in STATUSES or not 1 <= len(residence) <= 32 or not 1 <= len(subject) <= 255:
        raise CredentialMalformed(_("The credential's residence, status or subject is not valid."))
    national_id = claims.get("national_id")
    subject_key = (
        str(national_id)
        if isinstance(national_id, str) and national_id.strip()
        else provider_subject_key(PROVIDER, issuer, subject)
    )
    return VerifiedIdentity(PROVIDER, subject_key, born, residence, status)
