"""Identity providers as a deployment configures them, and the services the routes share.

Configuration (environment):
  CIVICA_PUBLIC_URL            the address citizens use (default http://HOST:PORT); the OIDC
                               redirect URI and the credential audience derive from it
  CIVICA_OIDC_ISSUER           OpenID Connect provider (leave unset to offer no OIDC sign-in)
  CIVICA_OIDC_CLIENT_ID, CIVICA_OIDC_CLIENT_SECRET (or CIVICA_OIDC_CLIENT_SECRET_FILE)
  CIVICA_OIDC_SCOPES           default "openid"
  CIVICA_OIDC_CLAIMS           attribute=claim pairs, e.g.
                               "national_id=nic,birth_date=birthdate,residence=region,status=status"
  CIVICA_OIDC_NAME             the name shown on the sign-in page
  CIVICA_TRUSTED_ISSUERS       JSON file of credential issuers (default DATA/trusted_issuers.json)
  CIVICA_CREDENTIAL_AUDIENCE   default: CIVICA_PUBLIC_URL
  CIVICA_CODE_GATEWAY          "outbox" (default: DATA/outbox/codes.jsonl and the log) or "smtp"
  CIVICA_SMTP_HOST, CIVICA_SMTP_PORT (587), CIVICA_SMTP_FROM, CIVICA_SMTP_USER,
  CIVICA_SMTP_PASSWORD, CIVICA_SMTP_STARTTLS (1)
  CIVICA_CODE_DIGITS           6 to 8 (default 6)
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
from starlette.requests import Request

from service.config import ConfigError, Settings
from service.keys import keys_dir, read_or_create_secret
from verification import repository
from verification.identity.census import Contact, seal_contact
from verification.identity.credential import TrustedIssuer, load_trusted_issuers
from verification.identity.gateways import (
    CodeGateway,
    CodeMessage,
    GatewayCannotDeliver,
    OutboxGateway,
    SmtpGateway,
    SmtpSettings,
)
from verification.identity.model import KeyedSubject, VerifiedIdentity, person_key
from verification.identity.oidc import ClaimMapping, OidcClient, OidcClientConfig
from verification.identity.otp import CodePolicy
from verification.messages import _

log = logging.getLogger(__name__)

PROVIDERS = ("oidc", "credential", "census")
PROVIDER_NAMES = {
    "oidc": _("Digital identity (OpenID Connect)"),
    "credential": _("Signed identity credential"),
    "census": _("ID number and a one-time code"),
}
CONTACT_KEY_FILE = "contact_key"
OIDC_CALLBACK_PATH = "/identity/oidc/callback"


@dataclass(frozen=True, repr=False)
class IdentitySettings:
    """How this deployment identifies citizens."""

    public_url: str
    oidc: OidcClientConfig | None
    trusted_issuers_path: Path
    credential_audience: str
    gateway: str
    outbox_path: Path
    smtp: SmtpSettings | None
    code_policy: CodePolicy

    def __repr__(self) -> str:
        return f"IdentitySettings(public_url={self.public_url!r}, gateway={self.gateway!r})"

    @classmethod
    def from_env(cls, env: Mapping[str, str], settings: Settings) -> IdentitySettings:
        """Read the identity configuration; raises ConfigError on a malformed value."""
        public_url = env.get("CIVICA_PUBLIC_URL", f"http://{settings.host}:{settings.port}")
        public_url = public_url.rstrip("/")
        gateway = env.get("CIVICA_CODE_GATEWAY", "outbox")
        if gateway not in ("outbox", "smtp"):
            raise ConfigError("CIVICA_CODE_GATEWAY must be 'outbox' or 'smtp'")
        try:
            policy = CodePolicy(digits=int(env.get("CIVICA_CODE_DIGITS", "6")))
        except ValueError as error:
            raise ConfigError(f"CIVICA_CODE_DIGITS: {error}") from None
        return cls(
            public_url=public_url,
            oidc=_oidc_from_env(env, public_url),
            trusted_issuers_path=Path(
                env.get("CIVICA_TRUSTED_ISSUERS", str(settings.data_dir / "trusted_issuers.json"))
            ),
            credential_audience=env.get("CIVICA_CREDENTIAL_AUDIENCE", public_url),
            gateway=gateway,
            outbox_path=settings.data_dir / "outbox" / "codes.jsonl",
            smtp=_smtp_from_env(env) if gateway == "smtp" else None,
            code_policy=policy,
        )

    def with_oidc(self, oidc: OidcClientConfig | None) -> IdentitySettings:
        return dataclasses.replace(self, oidc=oidc)


def _oidc_from_env(env: Mapping[str, str], public_url: str) -> OidcClientConfig | None:
    issuer = env.get("CIVICA_OIDC_ISSUER")
    if not issuer:
        return None
    secret = env.get("CIVICA_OIDC_CLIENT_SECRET", "")
    secret_file = env.get("CIVICA_OIDC_CLIENT_SECRET_FILE")
    if secret_file:
        secret = Path(secret_file).read_text(encoding="utf-8").strip()
    client_id = env.get("CIVICA_OIDC_CLIENT_ID", "")
    if not client_id or not secret:
        raise ConfigError("CIVICA_OIDC_ISSUER needs CIVICA_OIDC_CLIENT_ID and a client secret")
    try:
        claims = ClaimMapping.parse(env.get("CIVICA_OIDC_CLAIMS", "birth_date=birthdate"))
    except ValueError as error:
        raise ConfigError(f"CIVICA_OIDC_CLAIMS: {error}") from None
    return OidcClientConfig(
        name=env.get("CIVICA_OIDC_NAME", "Digital identity"),
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        redirect_uri=public_url + OIDC_CALLBACK_PATH,
        scopes=tuple(env.get("CIVICA_OIDC_SCOPES", "openid").split()),
        claims=claims,
    )


def _smtp_from_env(env: Mapping[str, str]) -> SmtpSettings:
    host, sender = env.get("CIVICA_SMTP_HOST"), env.get("CIVICA_SMTP_FROM")
    if not host or not sender:
        raise ConfigError("CIVICA_CODE_GATEWAY=smtp needs CIVICA_SMTP_HOST and CIVICA_SMTP_FROM")
    try:
        port = int(env.get("CIVICA_SMTP_PORT", "587"))
    except ValueError:
        raise ConfigError("CIVICA_SMTP_PORT must be a whole number") from None
    return SmtpSettings(
        host=host,
        port=port,
        sender=sender,
        username=env.get("CIVICA_SMTP_USER") or None,
        password=env.get("CIVICA_SMTP_PASSWORD") or None,
        starttls=env.get("CIVICA_SMTP_STARTTLS", "1") != "0",
    )


class IdentityServices:
    """What the identity routes share: configuration, keys, the gateway and HTTP client."""

    def __init__(self, settings: IdentitySettings, data_dir: Path) -> None:
        self.settings = settings
        self.contact_key = read_or_create_secret(keys_dir(data_dir) / CONTACT_KEY_FILE)
        # opened when a request's ID number is not on the roll, so both cases do the same work
        self.decoy_sealed = seal_contact(self.contact_key, Contact(None, "nobody@invalid"))
        self.gateway: CodeGateway = (
            SmtpGateway(settings.smtp) if settings.smtp else OutboxGateway(settings.outbox_path)
        )
        self.http = httpx.AsyncClient(timeout=10.0, follow_redirects=False)
        self.oidc: OidcClient | None = None
        self.use_oidc(settings.oidc, self.http)

    def use_oidc(self, config: OidcClientConfig | None, http: httpx.AsyncClient) -> None:
        """Configure (or reconfigure) the OpenID Connect client."""
        self.settings = self.settings.with_oidc(config)
        self.oidc = OidcClient(config, http) if config else None

    def trusted_issuers(self) -> tuple[TrustedIssuer, ...]:
        """The credential issuers trusted now (the file is read on each use: cheap, and
        an operator's change applies without a restart)."""
        try:
            return load_trusted_issuers(self.settings.trusted_issuers_path)
        except (OSError, ValueError, KeyError) as error:
            log.error("cannot read trusted issuers: %s", error)
            return ()

    def available_providers(self) -> tuple[str, ...]:
        """Providers this deployment can offer: OIDC when configured, credentials when an
        issuer is trusted, the census always (it says so when no roll is imported)."""
        available = []
        if self.oidc is not None:
            available.append("oidc")
        if self.trusted_issuers():
            available.append("credential")
        available.append("census")
        return tuple(available)

    async def close(self) -> None:
        await self.http.aclose()


async def open_identity(settings: Settings, identity: IdentitySettings | None) -> IdentityServices:
    """Build the identity services for the app's lifespan."""
    configured = identity or IdentitySettings.from_env(os.environ, settings)
    return IdentityServices(configured, settings.data_dir)


def client_address(request: Request) -> str:
    """The client's address (the first X-Forwarded-For hop when proxies are trusted)."""
    settings: Settings = request.state.settings
    if settings.trust_proxy_headers:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first
    return request.client.host if request.client else "unknown"


async def with_census_membership(
    pool: asyncpg.Pool, pepper: bytes, identity: VerifiedIdentity
) -> VerifiedIdentity:
    """Mark an identity as on the census roll when its subject key is found there."""
    subject = identity.subject_key
    key = subject.person_key if isinstance(subject, KeyedSubject) else person_key(pepper, subject)
    entry = await repository.fetch_census_entry(pool, key)
    return dataclasses.replace(identity, census_member=entry is not None)


async def deliver_code(gateway: CodeGateway, message: CodeMessage | None) -> None:
    """Send a code (after the response has gone); nothing to send when nothing matched."""
    if message is None:
        return
    try:
        await asyncio.to_thread(gateway.deliver, message)
    except (GatewayCannotDeliver, OSError) as error:
        log.error("one-time code could not be delivered: %s", error)
