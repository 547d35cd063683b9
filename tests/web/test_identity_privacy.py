"""After a census import and sign-ins, no column of any table holds a raw ID number, phone
number or e-mail address."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.asgi import csrf_token
from tests.support.identity import CENSUS_CSV, RAW_VALUES, code_in, outbox_messages, sign_in_staff

Client = tuple[httpx.AsyncClient, dict[str, Any]]

COLUMNS = """
SELECT c.table_name, c.column_name, c.data_type
  FROM information_schema.columns c
  JOIN information_schema.tables t
    ON t.table_schema = c.table_schema AND t.table_name = c.table_name
 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
   AND c.data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea',
                       'ARRAY')
"""


async def columns_holding(pool: Any, raw: str) -> list[str]:
    found = []
    for column in await pool.fetch(COLUMNS):
        table, name, kind = column["table_name"], column["column_name"], column["data_type"]
        if kind == "bytea":
            condition = f'position($1::bytea in "{name}") > 0'
            argument: Any = raw.encode()
        else:
            condition = f'strpos("{name}"::text, $1) > 0'
            argument = raw
        hits = await pool.fetchval(f'SELECT count(*) FROM "{table}" WHERE {condition}', argument)
        if hits:
            found.append(f"{table}.{name}")
    return found


async def test_the_database_holds_no_raw_identifiers(app_client: Client) -> None:
    client, state = app_client
    pool = state["pool"]
    await sign_in_staff(client, state)
    await client.get("/identity/census/import")
    response = await client.post(
        "/identity/census/import",
        data={"csrf_token": csrf_token(client, state)},
        files={"census": ("census.csv", CENSUS_CSV.encode(), "text/csv")},
    )
    assert response.status_code == 200
    client.cookies.clear()
    for id_number, born in [("12345678", "1980-05-01"), ("87654321", "1999-12-31")]:
        await client.get("/identity/census")
        await client.post(
            "/identity/census",
            data={"id_number": id_number, "birth_date": born,
                  "csrf_token": csrf_token(client, state)},
        )  # fmt: skip
        code = code_in(outbox_messages(state)[-1])
        response = await client.post(
            "/identity/census/code", data={"code": code, "csrf_token": csrf_token(client, state)}
        )
        assert response.status_code == 303
        await client.get("/identity/eligibility")
    # an unknown ID leaves a (hashed) request behind too
    await client.get("/identity/census")
    await client.post(
        "/identity/census",
        data={"id_number": "55554444", "birth_date": "1970-01-01",
              "csrf_token": csrf_token(client, state)},
    )  # fmt: skip

    assert await pool.fetchval("SELECT count(*) FROM census_entries") == 3
    assert await pool.fetchval("SELECT count(*) FROM census_challenges") == 3
    for raw in (*RAW_VALUES, "55554444"):
        assert await columns_holding(pool, raw) == [], raw
    # the search itself works: it finds a value that is stored
    assert sorted(await columns_holding(pool, "PT-13")) == [
        "census_entries.residence",
        "sessions.data",
    ]
