"""`civica issue-credential`: sign a test identity credential with the test issuer's key.

For demos and tests only: the key lives in DATA/keys/test_credential_issuer (0600) and the
service trusts it only when its public key is listed in the trusted issuers file (`civica
demo` adds it there).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import sys
import time
from datetime import date
from pathlib import Path

from service.commands.common import fail, settings_from
from service.config import ConfigError, Settings
from service.database import create_pool, migrate_database, running_database
from service.embedded_db import EmbeddedDatabaseError
from service.identity import IdentitySettings
from service.keys import KeyFileError, keys_dir, read_or_create_secret
from service.migrations import MigrationError
from verification import repository
from verification.identity.credential import (
    STATUSES,
    TEST_ISSUER,
    CredentialClaims,
    TrustedIssuer,
    issue_credential,
    load_trusted_issuers,
    nonce_hash,
    public_key_for,
    trusted_issuers_document,
)

TEST_ISSUER_KEY_FILE = "test_credential_issuer"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "issue-credential", help="sign a test identity credential (demo and tests only)"
    )
    parser.add_argument("--id-number", help="national ID number (the subject key)")
    parser.add_argument("--subject", help="issuer's subject id (default: derived at random)")
    parser.add_argument("--birth-date", required=True, type=date.fromisoformat)
    parser.add_argument("--residence", required=True, help="residence code, e.g. PT-11")
    parser.add_argument("--status", choices=STATUSES, default="citizen")
    parser.add_argument(
        "--nonce",
        help="the nonce shown on the sign-in page (default: register a new one in the database)",
    )
    parser.add_argument("--audience", help="default: this deployment's credential audience")
    parser.add_argument("--valid-for", type=int, default=600, help="seconds (default 600)")
    parser.add_argument("--out", type=Path, help="write the credential here instead of stdout")
    parser.set_defaults(func=run)


def load_test_issuer_seed(data_dir: Path) -> bytes:
    """The test issuer's Ed25519 seed, created (0600) on first use."""
    folder = keys_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return read_or_create_secret(folder / TEST_ISSUER_KEY_FILE)


def trust_test_issuer(data_dir: Path, path: Path) -> bool:
    """Add the test issuer to the trusted issuers file; False if it was already there."""
    public = public_key_for(load_test_issuer_seed(data_dir))
    issuers = load_trusted_issuers(path)
    if any(i.issuer == TEST_ISSUER and i.public_key == public for i in issuers):
        return False
    kept = tuple(i for i in issuers if i.issuer != TEST_ISSUER)
    test = TrustedIssuer(TEST_ISSUER, "civica test issuer (development only)", public)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(trusted_issuers_document((*kept, test)), encoding="utf-8")
    return True


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    try:
        identity = IdentitySettings.from_env(os.environ, settings)
        seed = load_test_issuer_seed(settings.data_dir)
        nonce = args.nonce or _registered_nonce(settings, args.valid_for)
    except (ConfigError, MigrationError, EmbeddedDatabaseError, KeyFileError) as error:
        return fail(str(error))
    claims = CredentialClaims(
        subject=args.subject or secrets.token_hex(8),
        national_id=args.id_number,
        birth_date=args.birth_date,
        residence=args.residence,
        status=args.status,
    )
    token = issue_credential(
        seed,
        issuer=TEST_ISSUER,
        audience=args.audience or identity.credential_audience,
        claims=claims,
        nonce=nonce,
        now=int(time.time()),
        lifetime_s=args.valid_for,
    )
    if args.out:
        args.out.write_text(token + "\n", encoding="utf-8")
        print(f"credential written to {args.out}", file=sys.stderr)
    else:
        print(token)
    return 0


def _registered_nonce(settings: Settings, lifetime_s: int) -> str:
    nonce = secrets.token_urlsafe(24)
    with running_database(settings) as ready:
        assert ready.database_url is not None
        asyncio.run(_store_nonce(ready.database_url, nonce, lifetime_s))
    return nonce


async def _store_nonce(url: str, nonce: str, lifetime_s: int) -> None:
    await migrate_database(url)
    pool = await create_pool(url, min_size=1, max_size=1)
    try:
        await repository.insert_nonce(pool, nonce_hash(nonce), lifetime_s)
    finally:
        await pool.close()
