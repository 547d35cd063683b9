"""Identity configuration from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.config import ConfigError, Settings
from service.identity import IdentitySettings
from verification.identity.oidc import ClaimMapping


def base(tmp_path: Path) -> Settings:
    return Settings.from_env({"CIVICA_DATA_DIR": str(tmp_path)})


def test_defaults(tmp_path: Path) -> None:
    identity = IdentitySettings.from_env({}, base(tmp_path))
    assert identity.public_url == "http://127.0.0.1:8000"
    assert identity.credential_audience == "http://127.0.0.1:8000"
    assert identity.oidc is None
    assert identity.gateway == "outbox"
    assert identity.outbox_path == tmp_path / "outbox" / "codes.jsonl"
    assert identity.trusted_issuers_path == tmp_path / "trusted_issuers.json"
    assert identity.code_policy.digits == 6


def test_oidc_and_smtp_from_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    identity = IdentitySettings.from_env(
        {
            "CIVICA_PUBLIC_URL": "https://op.example.pt/",
            "CIVICA_OIDC_ISSUER": "https://id.example.pt",
            "CIVICA_OIDC_CLIENT_ID": "civica",
            "CIVICA_OIDC_CLIENT_SECRET_FILE": str(secret),
            "CIVICA_OIDC_SCOPES": "openid profile",
            "CIVICA_OIDC_CLAIMS": "national_id=nic, birth_date=birthdate",
            "CIVICA_CODE_GATEWAY": "smtp",
            "CIVICA_SMTP_HOST": "mail.example.pt",
            "CIVICA_SMTP_FROM": "op@example.pt",
            "CIVICA_CODE_DIGITS": "8",
        },
        base(tmp_path),
    )
    assert identity.oidc is not None
    assert identity.oidc.redirect_uri == "https://op.example.pt/identity/oidc/callback"
    assert identity.oidc.client_secret == "s3cret"
    assert identity.oidc.scopes == ("openid", "profile")
    assert identity.oidc.claims == ClaimMapping(national_id="nic", birth_date="birthdate")
    assert "s3cret" not in repr(identity.oidc)
    assert identity.smtp is not None
    assert identity.smtp.port == 587
    assert identity.code_policy.digits == 8


@pytest.mark.parametrize(
    "env",
    [
        {"CIVICA_CODE_GATEWAY": "pigeon"},
        {"CIVICA_CODE_GATEWAY": "smtp"},
        {"CIVICA_CODE_DIGITS": "4"},
        {"CIVICA_OIDC_ISSUER": "https://id.example.pt"},
        {"CIVICA_OIDC_ISSUER": "https://x", "CIVICA_OIDC_CLIENT_ID": "c",
         "CIVICA_OIDC_CLIENT_SECRET": "s", "CIVICA_OIDC_CLAIMS": "age=birthdate"},
    ],
)  # fmt: skip
def test_malformed_configuration_is_refused(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        IdentitySettings.from_env(env, base(tmp_path))
