"""The identity part of `civica demo`: demo citizens for each provider, and how to use them."""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from service.commands.issue_credential import load_test_issuer_seed, trust_test_issuer
from service.identity import OIDC_CALLBACK_PATH, IdentityServices
from service.keys import DeploymentKeys
from verification import repository
from verification.identity.census import CensusRow, entry_for
from verification.identity.credential import (
    TEST_ISSUER,
    CredentialClaims,
    issue_credential,
    nonce_hash,
)

DEMO_NONCE_LIFETIME_S = 7 * 24 * 3600
# the test OIDC provider's users, when running from a checkout
OIDC_TEST_USERS = Path(__file__).resolve().parents[2] / "tests" / "oidc" / "users.json"


@dataclass(frozen=True)
class DemoCitizen:
    name: str
    id_number: str
    birth_date: date
    residence: str
    status: str
    phone: str | None
    email: str | None


def _years_ago(years: int, today: date) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def demo_census(today: date) -> list[DemoCitizen]:
    """The demo census roll: two adults and one 16-year-old, who is not eligible at 18+."""
    return [
        DemoCitizen("Ana Silva", "10000001", date(1985, 3, 14), "PT-11", "citizen",
                    "+351910000001", None),
        DemoCitizen("Bruno Costa", "10000002", date(1992, 11, 2), "PT-13", "legal_resident",
                    None, "bruno@example.org"),
        DemoCitizen("Carla Mendes (16)", "10000003", _years_ago(16, today), "PT-11", "citizen",
                    "+351910000003", None),
    ]  # fmt: skip


CREDENTIAL_CITIZEN = DemoCitizen(
    "Diana Rocha", "10000004", date(1970, 6, 30), "PT-08", "citizen", None, None
)


async def seed_identity_demo(state: dict[str, Any]) -> list[str]:
    """Import the demo census (when the roll is empty or was the demo's), trust the test
    issuer, write a ready credential; return the lines that tell a newcomer how to sign in."""
    pool = state["pool"]
    keys: DeploymentKeys = state["keys"]
    services: IdentityServices = state["identity"]
    data_dir: Path = state["settings"].data_dir
    today = date.today()
    citizens = demo_census(today)

    summary = await repository.census_summary(pool)
    last_source = await repository.last_census_source(pool)
    census_lines: list[str]
    if summary.entries == 0 or last_source == "demo":
        rows = [
            CensusRow(i + 2, c.id_number, c.birth_date, c.residence, c.status, c.phone, c.email)
            for i, c in enumerate(citizens)
        ]
        entries = [entry_for(r, keys.identifier_pepper, services.contact_key) for r in rows]
        await repository.replace_census(pool, entries, source="demo", staff_id=None)
        census_lines = [
            f"    {c.name}: ID number {c.id_number}, born {c.birth_date.isoformat()}"
            for c in citizens
        ]
    else:
        census_lines = ["    (an imported census roll is in place; the demo roll was not loaded)"]

    trust_test_issuer(data_dir, services.settings.trusted_issuers_path)
    credential_path = await _write_demo_credential(pool, services, data_dir)

    lines = [
        "civica demo: citizens (sign in at /identity/sign-in)",
        "  ID number and one-time code (/identity/census):",
        *census_lines,
        f"    codes land in {services.settings.outbox_path} (and in this log)",
        "    Carla is 16: after signing in she is told why she cannot take part (18+).",
        "  Signed identity credential (/identity/credential):",
        f"    {CREDENTIAL_CITIZEN.name}: paste the credential in {credential_path}",
        "    (it works once, for 7 days; replaying it is refused. A new one:",
        "     civica issue-credential --id-number 10000004 --birth-date 1970-06-30"
        " --residence PT-08)",
        *_oidc_lines(services),
    ]
    return lines


async def _write_demo_credential(pool: Any, services: IdentityServices, data_dir: Path) -> Path:
    nonce = secrets.token_urlsafe(24)
    await repository.insert_nonce(pool, nonce_hash(nonce), DEMO_NONCE_LIFETIME_S)
    c = CREDENTIAL_CITIZEN
    token = issue_credential(
        load_test_issuer_seed(data_dir),
        issuer=TEST_ISSUER,
        audience=services.settings.credential_audience,
        claims=CredentialClaims("demo-diana", c.id_number, c.birth_date, c.residence, c.status),
        nonce=nonce,
        now=int(time.time()),
        lifetime_s=DEMO_NONCE_LIFETIME_S,
    )
    folder = data_dir / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "credential-diana.jws"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token + "\n")
    return path


def _oidc_lines(services: IdentityServices) -> list[str]:
    users = json.loads(OIDC_TEST_USERS.read_text()) if OIDC_TEST_USERS.exists() else {}
    user_lines = [
        f"      {login} (any password): national id {claims['national_id']}, "
        f"born {claims['birthdate']}"
        for login, claims in users.items()
    ]
    oidc = services.settings.oidc
    if oidc is not None:
        return [
            f"  OpenID Connect (/identity/oidc/start) via {oidc.issuer}:",
            "    if it is the test provider from tests/oidc, its users are:",
            *user_lines,
        ]
    return [
        "  OpenID Connect: not configured, and the demo does not start a provider. To try it:",
        "    (cd tests/oidc && npm ci && PORT=9000 "
        f"REDIRECT_URIS={services.settings.public_url}{OIDC_CALLBACK_PATH} node provider.js)",
        "    then restart the demo with CIVICA_OIDC_ISSUER=http://127.0.0.1:9000 "
        "CIVICA_OIDC_CLIENT_ID=civica",
        "    CIVICA_OIDC_CLIENT_SECRET=civica-secret-for-tests-only CIVICA_OIDC_SCOPES='openid "
        "civica'",
        "    CIVICA_OIDC_CLAIMS=national_id=national_id,birth_date=birthdate,"
        "residence=residence,status=status",
        "    Its test users:",
        *user_lines,
    ]
