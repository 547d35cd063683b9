"""OpenID Connect sign-in: authorization code flow with PKCE (S256), state and nonce.

The way national eID gateways (autenticação.gov, FranceConnect, itsme) are integrated. The
protocol pieces come from Authlib (authorization URL, PKCE challenge, token request body)
and the ID token is verified with joserfc (Authlib's JOSE library):

1. Discovery (OpenID Connect Discovery 1.0 §4): the document's `issuer` must equal the
   configured issuer exactly.
2. Authorization request (OIDC Core §3.1.2.1, RFC 7636): random `state`, `nonce` and PKCE
   verifier, kept server-side in the browser's session.
3. Callback: `state` must match (constant-time compare); an `error` is the provider's refusal;
   an `iss` parameter (RFC 9207) must name the issuer.
4. Token request (§3.1.3.1) with client_secret_basic and the PKCE verifier.
5. ID token validation (§3.1.3.7): signature with a key from the provider's JWKS (fetched
   again once when the key id is unknown: key rotation), `iss`, `aud` contains the client id
   (and `azp` names it when there are several audiences), `exp` and `iat` with LEEWAY_S of
   clock skew, and `nonce` equals ours.
6. Claims are mapped to attributes as the deployment configures (ClaimMapping).
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri, prepare_token_request
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet

from verification.identity.model import VerifiedIdentity, provider_subject_key
from verification.messages import _

PROVIDER = "oidc"
LEEWAY_S = 60
ID_TOKEN_ALGORITHMS = ["RS256", "PS256", "ES256", "Ed25519", "EdDSA"]
MAX_FLOW_AGE_S = 15 * 60


class OidcError(Exception):
    """An OpenID Connect sign-in that cannot go on; `explanation` is for the citizen."""

    def __init__(self, explanation: str, detail: str = "") -> None:
        super().__init__(f"{explanation} {detail}".strip())
        self.explanation = explanation


class OidcProviderUnavailable(OidcError):
    """The provider's discovery document, keys or token endpoint did not answer properly."""


class OidcStateMismatch(OidcError):
    """The callback's state is not the one this browser started with (forged or stale)."""


class OidcProviderRefused(OidcError):
    """The provider sent an error instead of a code (e.g. the person cancelled)."""


class OidcIdTokenInvalid(OidcError):
    """The ID token's signature or claims do not check out."""


class OidcClaimsMissing(OidcError):
    """The ID token lacks the attributes this deployment maps."""


@dataclass(frozen=True)
class ClaimMapping:
    """Which ID token claims carry which attributes (names differ between gateways)."""

    national_id: str | None = None
    birth_date: str | None = "birthdate"
    residence: str | None = None
    status: str | None = None

    @classmethod
    def parse(cls, spec: str) -> ClaimMapping:
        """Read `national_id=nic,birth_date=birthdate,residence=region,status=status`."""
        fields: dict[str, str | None] = dict.fromkeys(
            ("national_id", "birth_date", "residence", "status")
        )
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, sep, claim = part.partition("=")
            if not sep or name.strip() not in fields or not claim.strip():
                raise ValueError(
                    f"claim mapping {part!r}: use attribute=claim, attributes are "
                    + ", ".join(fields)
                )
            fields[name.strip()] = claim.strip()
        return cls(**fields)


@dataclass(frozen=True, repr=False)
class OidcClientConfig:
    """One deployment's OpenID Connect client registration."""

    name: str
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: tuple[str, ...] = ("openid",)
    claims: ClaimMapping = ClaimMapping()

    def __repr__(self) -> str:
        return f"OidcClientConfig(issuer={self.issuer!r}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(frozen=True, repr=False)
class PendingAuthorization:
    """What the browser's session keeps between the redirect and the callback."""

    state: str
    nonce: str
    code_verifier: str
    started_at: int

    def __repr__(self) -> str:
        return "PendingAuthorization(<secret>)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "code_verifier": self.code_verifier,
            "started_at": self.started_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingAuthorization:
        return cls(
            str(data["state"]), str(data["nonce"]), str(data["code_verifier"]),
            int(data["started_at"]),
        )  # fmt: skip


def validate_id_token(
    id_token: str, keys: KeySet, *, issuer: str, client_id: str, nonce: str, now: int
) -> dict[str, Any]:
    """Verify an ID token's signature and claims (OIDC Core §3.1.3.7); return its claims."""
    try:
        decoded = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
    except BadSignatureError:
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer was altered on the way: its signature is wrong.")
        ) from None
    except (JoseError, ValueError) as error:
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer could not be verified."), str(error)
        ) from None
    claims = dict(decoded.claims)
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=LEEWAY_S,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError:
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer has expired. Please sign in again.")
        ) from None
    except InvalidClaimError as error:
        if error.claim == "aud":
            raise OidcIdTokenInvalid(
                _("The sign-in service's answer was meant for another application.")
            ) from None
        if error.claim == "iss":
            raise OidcIdTokenInvalid(
                _("The sign-in service's answer came from an unexpected issuer.")
            ) from None
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer is not valid ({claim}).", claim=error.claim)
        ) from None
    except MissingClaimError as error:
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer lacks a required claim."), str(error)
        ) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer was meant for another application.")
        )
    sent = claims.get("nonce")
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
        raise OidcIdTokenInvalid(
            _("The sign-in service's answer belongs to another sign-in attempt. Please try again.")
        )
    return claims


def identity_from_claims(
    claims: Mapping[str, Any], mapping: ClaimMapping, issuer: str
) -> VerifiedIdentity:
    """Map ID token claims to a verified identity as configured."""
    national_id = _claim(claims, mapping.national_id)
    subject_key = national_id or provider_subject_key(PROVIDER, issuer, str(claims["sub"]))
    born_text = _claim(claims, mapping.birth_date)
    try:
        born = date.fromisoformat(born_text) if born_text else None
    except ValueError:
        raise OidcClaimsMissing(
            _("The sign-in service gave a birth date this service cannot read.")
        ) from None
    status = _claim(claims, mapping.status)
    status = status[:32] if status else None  # any other value fails a status rule, by name
    residence = _claim(claims, mapping.residence)
    return VerifiedIdentity(
        PROVIDER, subject_key, born, residence[:32] if residence else None, status
    )


def _claim(claims: Mapping[str, Any], name: str | None) -> str | None:
    if name is None:
        return None
    value = claims.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return str(value).strip()


class OidcClient:
    """A relying party for one provider; holds the discovered metadata and cached keys."""

    def __init__(self, config: OidcClientConfig, http: httpx.AsyncClient) -> None:
        self.config = config
        self.http = http
        self._metadata: ProviderMetadata | None = None
        self._keys: KeySet | None = None

    async def metadata(self) -> ProviderMetadata:
        """The provider's discovery document (fetched once)."""
        if self._metadata is None:
            url = self.config.issuer.rstrip("/") + "/.well-known/openid-configuration"
            document = await self._get_json(url)
            if document.get("issuer") != self.config.issuer:
                raise OidcProviderUnavailable(
                    _("The sign-in service is misconfigured."), "discovery issuer mismatch"
                )
            try:
                self._metadata = ProviderMetadata(
                    issuer=str(document["issuer"]),
                    authorization_endpoint=str(document["authorization_endpoint"]),
                    token_endpoint=str(document["token_endpoint"]),
                    jwks_uri=str(document["jwks_uri"]),
                )
            except KeyError as error:
                raise OidcProviderUnavailable(
                    _("The sign-in service is misconfigured."), f"discovery lacks {error}"
                ) from None
        return self._metadata

    async def begin(self, now: int | None = None) -> tuple[str, PendingAuthorization]:
        """The URL to send the browser to, and what to keep until the callback."""
        metadata = await self.metadata()
        pending = PendingAuthorization(
            state=generate_token(32),
            nonce=generate_token(32),
            code_verifier=generate_token(64),
            started_at=int(time.time()) if now is None else now,
        )
        url = prepare_grant_uri(
            metadata.authorization_endpoint,
            self.config.client_id,
            "code",
            redirect_uri=self.config.redirect_uri,
            scope=" ".join(self.config.scopes),
            state=pending.state,
            nonce=pending.nonce,
            code_challenge=create_s256_code_challenge(pending.code_verifier),
            code_challenge_method="S256",
        )
        return str(url), pending

    async def complete(
        self, pending: PendingAuthorization, params: Mapping[str, str], now: int | None = None
    ) -> VerifiedIdentity:
        """Check the callback, exchange the code and verify the ID token."""
        now = int(time.time()) if now is None else now
        state = params.get("state", "")
        if not hmac.compare_digest(state.encode(), pending.state.encode()):
            raise OidcStateMismatch(
                _("This sign-in answer does not belong to the sign-in you started here. "
                  "Please start again.")
            )  # fmt: skip
        if now - pending.started_at > MAX_FLOW_AGE_S:
            raise OidcStateMismatch(_("This sign-in took too long. Please start again."))
        metadata = await self.metadata()
        if "error" in params:
            raise OidcProviderRefused(
                _(
                    "The sign-in service did not sign you in ({error}). Nothing was recorded.",
                    error=params["error"][:100],
                )
            )
        if "iss" in params and params["iss"] != metadata.issuer:
            raise OidcStateMismatch(_("This sign-in answer came from another sign-in service."))
        code = params.get("code", "")
        if not code:
            raise OidcProviderRefused(_("The sign-in service sent no authorization code."))
        id_token = await self._exchange(metadata, code, pending.code_verifier)
        claims = await self._validated(id_token, metadata, pending.nonce, now)
        return identity_from_claims(claims, self.config.claims, metadata.issuer)

    async def _exchange(self, metadata: ProviderMetadata, code: str, verifier: str) -> str:
        body = prepare_token_request(
            "authorization_code",
            code=code,
            redirect_uri=self.config.redirect_uri,
            code_verifier=verifier,
        )
        try:
            response = await self.http.post(
                metadata.token_endpoint,
                content=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                },
                auth=(self.config.client_id, self.config.client_secret),
            )
        except httpx.HTTPError as error:
            raise OidcProviderUnavailable(
                _("The sign-in service did not answer. Please try again later."), str(error)
            ) from None
        if response.status_code != 200:
            raise OidcProviderRefused(
                _("The sign-in service refused to complete the sign-in. Please start again."),
                response.text[:300],
            )
        try:
            id_token = response.json()["id_token"]
        except (ValueError, KeyError, TypeError):
            raise OidcIdTokenInvalid(_("The sign-in service sent no ID token.")) from None
        if not isinstance(id_token, str):
            raise OidcIdTokenInvalid(_("The sign-in service sent no ID token."))
        return id_token

    async def _validated(
        self, id_token: str, metadata: ProviderMetadata, nonce: str, now: int
    ) -> dict[str, Any]:
        issuer, client_id = metadata.issuer, self.config.client_id
        keys = await self._key_set(metadata, refresh=False)
        try:
            return validate_id_token(
                id_token, keys, issuer=issuer, client_id=client_id, nonce=nonce, now=now
            )
        except OidcIdTokenInvalid:
            if not self._signed_with_unknown_key(id_token, keys):
                raise
        keys = await self._key_set(metadata, refresh=True)  # the provider rotated its keys
        return validate_id_token(
            id_token, keys, issuer=issuer, client_id=client_id, nonce=nonce, now=now
        )

    @staticmethod
    def _signed_with_unknown_key(id_token: str, keys: KeySet) -> bool:

        try:
            kid = jws.extract_compact(id_token.encode()).headers().get("kid")
        except (JoseError, ValueError):
            return False
        return kid is not None and all(key.kid != kid for key in keys.keys)

    async def _key_set(self, metadata: ProviderMetadata, *, refresh: bool) -> KeySet:
        if self._keys is None or refresh:
            document = await self._get_json(metadata.jwks_uri)
            try:
                self._keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, KeyError):
                raise OidcProviderUnavailable(
                    _("The sign-in service is misconfigured."), "unreadable JWKS"
                ) from None
        return self._keys

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self.http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise OidcProviderUnavailable(
                _("The sign-in service did not answer. Please try again later."), str(error)
            ) from None
        if not isinstance(document, dict):
            raise OidcProviderUnavailable(_("The sign-in service is misconfigured."))
        return document
