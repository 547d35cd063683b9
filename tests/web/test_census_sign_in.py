"""Census roll and one-time codes through the real routes: import, request, deliver, sign in;
limits under concurrent requests; the same answer for IDs on and off the roll."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

import service.census_codes as census_codes
from service.accounts import Role
from service.app import create_app
from service.config import Settings
from service.identity import IdentitySettings
from tests.support.asgi import csrf_token, running_app
from tests.support.identity import (
    CENSUS_CSV,
    code_in,
    import_census,
    outbox_messages,
    sign_in_staff,
)
from verification import repository
from verification.identity.otp import CodePolicy

Client = tuple[httpx.AsyncClient, dict[str, Any]]


@pytest.fixture
async def census_client(settings: Settings) -> AsyncIterator[Client]:
    """The app with small limits, so the limit tests need few requests."""
    identity = IdentitySettings.from_env({}, settings)
    policy = CodePolicy(requests_per_identity=3, requests_per_address=12, attempts_per_address=40)
    identity = dataclasses.replace(identity, code_policy=policy)
    async with running_app(create_app(settings, identity=identity)) as (client, state):
        yield client, state


async def request_code(
    client: httpx.AsyncClient, state: dict[str, Any], id_number: str, born: str
) -> httpx.Response:
    await client.get("/identity/census")
    return await client.post(
        "/identity/census",
        data={"id_number": id_number, "birth_date": born, "csrf_token": csrf_token(client, state)},
    )


async def send_code(client: httpx.AsyncClient, state: dict[str, Any], code: str) -> httpx.Response:
    return await client.post(
        "/identity/census/code", data={"code": code, "csrf_token": csrf_token(client, state)}
    )


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', "", html)


async def test_an_administrator_imports_the_roll_and_a_citizen_signs_in(
    census_client: Client,
) -> None:
    client, state = census_client
    await sign_in_staff(client, state)
    page = await client.get("/identity/census/import")
    assert page.status_code == 200
    assert "No census roll has been imported yet." in page.text
    response = await client.post(
        "/identity/census/import",
        data={"csrf_token": csrf_token(client, state)},
        files={"census": ("census.csv", CENSUS_CSV.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert "Imported 3 people" in response.text
    client.cookies.clear()

    response = await request_code(client, state, "1234 5678", "1980-05-01")
    assert response.status_code == 303
    assert response.headers["location"] == "/identity/census/code"
    page = await client.get("/identity/census/code")
    assert "If the details you gave match the census roll" in page.text
    [message] = outbox_messages(state)
    assert message["phone"] == "+351912345678"
    response = await send_code(client, state, code_in(message))
    assert response.status_code == 303
    assert response.headers["location"] == "/identity/eligibility?signed_in=1"
    page = await client.get(response.headers["location"])
    assert "You are signed in with: ID number and a one-time code." in page.text

    again = await send_code(client, state, code_in(message))
    assert again.status_code == 303  # the request is spent: back to the start
    assert again.headers["location"] == "/identity/census"


async def test_an_e_mail_only_entry_gets_its_code_by_e_mail(census_client: Client) -> None:
    client, state = census_client
    await import_census(state)
    await request_code(client, state, "87654321", "31/12/1999")
    [message] = outbox_messages(state)
    assert (message["phone"], message["email"]) == (None, "rui.silva@example.org")


async def test_ids_on_and_off_the_roll_get_the_same_answer_and_the_same_work(
    census_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Structural, not timing: the same calls in the same order, the same responses."""
    client, state = census_client
    await import_census(state)
    calls: list[str] = []

    def spy(owner: object, name: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        if asyncio.iscoroutinefunction(original):

            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                calls.append(name)
                return await original(*args, **kwargs)

            monkeypatch.setattr(owner, name, async_wrapper)
        else:

            def wrapper(*args: Any, **kwargs: Any) -> Any:
                calls.append(name)
                return original(*args, **kwargs)

            monkeypatch.setattr(owner, name, wrapper)

    for name in ("fetch_census_entry", "insert_challenge", "hit_rate_limit"):
        spy(repository, name)
    for name in ("hash_code", "open_contact", "generate_code", "new_handle"):
        spy(census_codes, name)

    answers = []
    traces = []
    for id_number, born in [
        ("12345678", "1980-05-01"),  # on the roll
        ("99999999", "1980-05-01"),  # not on the roll
        ("12345678", "1980-05-02"),  # on the roll, wrong birth date
    ]:
        client.cookies.clear()
        calls.clear()
        response = await request_code(client, state, id_number, born)
        traces.append(list(calls))
        page = await client.get(response.headers["location"])
        answers.append(
            (response.status_code, response.headers["location"], page.status_code,
             without_tokens(page.text))
        )  # fmt: skip
    assert answers[0] == answers[1] == answers[2]
    assert traces[0] == traces[1] == traces[2]
    assert traces[0] == [
        "hit_rate_limit", "hit_rate_limit", "fetch_census_entry", "generate_code", "hash_code",
        "new_handle", "insert_challenge", "open_contact",
    ]  # fmt: skip
    assert len(outbox_messages(state)) == 1  # only the matching request was sent a code
    rows = await state["pool"].fetch("SELECT census_matched FROM census_challenges ORDER BY id")
    assert [r["census_matched"] for r in rows] == [True, False, False]


async def test_a_code_for_an_unmatched_request_never_signs_in(census_client: Client) -> None:
    client, state = census_client
    await import_census(state)
    await request_code(client, state, "12345678", "1980-05-02")  # wrong birth date
    row = await state["pool"].fetchrow("SELECT id FROM census_challenges")
    assert row is not None
    # Whatever is typed, an unmatched request signs nobody in.
    response = await send_code(client, state, "000000")
    assert response.status_code == 422
    assert "That code is not right" in response.text


async def test_wrong_codes_are_limited_even_when_sent_all_at_once(census_client: Client) -> None:
    client, state = census_client
    await import_census(state)
    await request_code(client, state, "12345678", "1980-05-01")
    right = code_in(outbox_messages(state)[0])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    responses = await asyncio.gather(*(send_code(client, state, wrong) for _ in range(12)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [422] * 5 + [429] * 7
    assert await state["pool"].fetchval("SELECT attempts FROM census_challenges") == 5
    final = await send_code(client, state, right)
    assert final.status_code == 429
    assert "Too many wrong codes" in final.text
    assert "civica_session" not in final.headers.get("set-cookie", "")


async def test_code_requests_per_identity_are_limited_under_concurrency(
    census_client: Client,
) -> None:
    client, state = census_client
    await import_census(state)
    await client.get("/identity/census")
    token = csrf_token(client, state)

    async def ask(id_number: str) -> int:
        response = await client.post(
            "/identity/census",
            data={"id_number": id_number, "birth_date": "1980-05-01", "csrf_token": token},
        )
        return response.status_code

    on_roll = await asyncio.gather(*(ask("12345678") for _ in range(6)))
    assert sorted(on_roll) == [303] * 3 + [429] * 3
    off_roll = await asyncio.gather(*(ask("99999999") for _ in range(6)))
    assert sorted(off_roll) == sorted(on_roll)  # the limit says nothing about the roll
    assert len(outbox_messages(state)) == 3


async def test_code_requests_per_address_are_limited(census_client: Client) -> None:
    client, state = census_client
    await client.get("/identity/census")
    token = csrf_token(client, state)
    statuses = await asyncio.gather(
        *(
            client.post(
                "/identity/census",
                data={
                    "id_number": f"500000{i:02d}",
                    "birth_date": "1980-05-01",
                    "csrf_token": token,
                },
            )
            for i in range(14)
        )
    )
    assert sorted(r.status_code for r in statuses) == [303] * 12 + [429] * 2


async def test_an_expired_code_is_refused(census_client: Client) -> None:
    client, state = census_client
    await import_census(state)
    await request_code(client, state, "12345678", "1980-05-01")
    await state["pool"].execute("UPDATE census_challenges SET expires_at = now()")
    response = await send_code(client, state, code_in(outbox_messages(state)[0]))
    assert response.status_code == 422
    assert "That code has expired" in response.text


async def test_bad_form_input_is_explained(census_client: Client) -> None:
    client, state = census_client
    response = await request_code(client, state, "12", "31-31-1999")
    assert response.status_code == 422
    assert 'href="#id_number"' in response.text
    assert 'href="#birth_date"' in response.text
    assert await state["pool"].fetchval("SELECT count(*) FROM census_challenges") == 0
    await request_code(client, state, "12345678", "1980-05-01")
    response = await send_code(client, state, "12")
    assert response.status_code == 422
    assert "Enter the 6-digit code" in response.text


async def test_a_malformed_csv_is_refused_whole_with_line_numbers(census_client: Client) -> None:
    client, state = census_client
    await import_census(state)
    await sign_in_staff(client, state)
    await client.get("/identity/census/import")
    bad = CENSUS_CSV + "99999999,1980-02-30,PT-11,+351910000000,,\n55555555,1980-01-01,PT-11,,,\n"
    response = await client.post(
        "/identity/census/import",
        data={"csrf_token": csrf_token(client, state)},
        files={"census": ("census.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert "2 problem(s)" in response.text
    assert "<td>5</td>" in response.text
    assert "<td>6</td>" in response.text
    assert "birth date" in response.text
    assert "needs a phone number or an e-mail address" in response.text
    assert await state["pool"].fetchval("SELECT count(*) FROM census_entries") == 3
    assert await state["pool"].fetchval("SELECT count(*) FROM census_imports") == 1


async def test_an_oversized_upload_is_refused(census_client: Client) -> None:
    client, state = census_client
    await sign_in_staff(client, state)
    await client.get("/identity/census/import")
    huge = CENSUS_CSV.encode() + b"12345678,1980-05-01,PT-11,+351912345678,\n" * 250_000
    response = await client.post(
        "/identity/census/import",
        data={"csrf_token": csrf_token(client, state)},
        files={"census": ("census.csv", huge, "text/csv")},
    )
    assert response.status_code == 413
    assert await state["pool"].fetchval("SELECT count(*) FROM census_imports") == 0


@pytest.mark.parametrize("role", [None, Role.REVIEWER, Role.DESK])
async def test_only_an_administrator_imports_the_census(
    census_client: Client, role: Role | None
) -> None:
    client, state = census_client
    if role is not None:
        await sign_in_staff(client, state, role)
    refused = 303 if role is None else 403  # no session: sent to the staff sign-in page
    assert (await client.get("/identity/census/import")).status_code == refused
    await client.get("/")
    response = await client.post(
        "/identity/census/import",
        data={"csrf_token": csrf_token(client, state)},
        files={"census": ("census.csv", CENSUS_CSV.encode(), "text/csv")},
    )
    assert response.status_code == refused
    assert await state["pool"].fetchval("SELECT count(*) FROM census_imports") == 0
