"""The identity commands as a user runs them (`civica import-census`, `civica
issue-credential`) and the demo's identity seeding."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.commands.demo_identity import seed_identity_demo
from service.commands.issue_credential import trust_test_issuer
from service.config import Settings
from tests.support.asgi import csrf_token
from tests.support.identity import CENSUS_CSV, code_in, outbox_messages
from tests.support.process import civica_env, run_civica

Client = tuple[httpx.AsyncClient, dict[str, Any]]


def env_for(settings: Settings) -> dict[str, str]:
    assert settings.database_url is not None
    return civica_env(settings.data_dir, DATABASE_URL=settings.database_url)


async def test_import_census_command(app_client: Client, tmp_path: Path) -> None:
    client, state = app_client
    path = tmp_path / "census.csv"
    path.write_text(CENSUS_CSV)
    result = run_civica(["import-census", str(path)], env_for(state["settings"]))
    assert result.returncode == 0, result.stderr
    assert "imported 3 people" in result.stdout
    assert await state["pool"].fetchval("SELECT count(*) FROM census_entries") == 3
    # the command and the service share the data folder's keys: the roll works for sign-in
    await client.get("/identity/census")
    await client.post(
        "/identity/census",
        data={"id_number": "12345678", "birth_date": "1980-05-01",
              "csrf_token": csrf_token(client, state)},
    )  # fmt: skip
    assert len(outbox_messages(state)) == 1


async def test_import_census_command_refuses_a_bad_file_whole(
    app_client: Client, tmp_path: Path
) -> None:
    _, state = app_client
    path = tmp_path / "census.csv"
    path.write_text(CENSUS_CSV + "1,not a date,PT-11,,,\n")
    result = run_civica(["import-census", str(path)], env_for(state["settings"]))
    assert result.returncode == 1
    assert "nothing changed" in result.stderr
    assert "line 5:" in result.stderr
    assert await state["pool"].fetchval("SELECT count(*) FROM census_imports") == 0


async def test_issue_credential_command_registers_a_nonce(app_client: Client) -> None:
    client, state = app_client
    settings = state["settings"]
    result = run_civica(
        ["issue-credential", "--id-number", "12345678", "--birth-date", "1980-05-01",
         "--residence", "PT-11"],
        {**env_for(settings), "CIVICA_CREDENTIAL_AUDIENCE":
         state["identity"].settings.credential_audience},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip()
    key = settings.data_dir / "keys" / "test_credential_issuer"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    # not trusted until someone says so
    await client.get("/identity/credential")
    refused = await client.post(
        "/identity/credential", data={"credential": token, "csrf_token": csrf_token(client, state)}
    )
    assert refused.status_code == 422
    trust_test_issuer(settings.data_dir, state["identity"].settings.trusted_issuers_path)
    accepted = await client.post(
        "/identity/credential", data={"credential": token, "csrf_token": csrf_token(client, state)}
    )
    assert accepted.status_code == 303, accepted.text


async def test_demo_seeding_is_idempotent_and_covers_every_provider(
    app_client: Client, capsys: pytest.CaptureFixture[str]
) -> None:
    client, state = app_client
    first = await seed_identity_demo(state)
    second = await seed_identity_demo(state)
    assert await state["pool"].fetchval("SELECT count(*) FROM census_entries") == 3
    text = "\n".join(second)
    assert "10000001" in text
    assert "10000003" in text
    assert str(state["identity"].settings.outbox_path) in text
    assert "OpenID Connect" in text
    assert "ana (any password)" in text
    assert len(first) == len(second)
    credential_path = state["settings"].data_dir / "demo" / "credential-diana.jws"
    assert str(credential_path) in text
    assert stat.S_IMODE(os.stat(credential_path).st_mode) == 0o600

    # the printed credential signs Diana in; Carla (16) signs in and is told why
    await client.get("/identity/credential")
    response = await client.post(
        "/identity/credential",
        data={"credential": credential_path.read_text(), "csrf_token": csrf_token(client, state)},
    )
    assert response.status_code == 303, response.text
    client.cookies.clear()
    await client.get("/identity/census")
    carla_born = next(line for line in second if "10000003" in line).split("born ")[1]
    await client.post(
        "/identity/census",
        data={"id_number": "10000003", "birth_date": carla_born.strip(),
              "csrf_token": csrf_token(client, state)},
    )  # fmt: skip
    code = code_in(outbox_messages(state)[-1])
    await client.post(
        "/identity/census/code", data={"code": code, "csrf_token": csrf_token(client, state)}
    )
    page = await client.get("/identity/eligibility")
    assert "On that date you are 16." in page.text
