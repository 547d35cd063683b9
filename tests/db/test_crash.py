"""Kill the service with SIGKILL while ballots are being cast: after a restart, every receipt a
voter was given names an entry that is on the board."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from ballots.model import BallotKind, BallotSpec
from service.database import create_pool
from tests.support.process import civica_env, free_port, start_civica, wait_until_healthy
from tests.support.voting import PotSpec, make_voting_cycle, receipt_from, review_form_fields

SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(database_url)
    try:
        yield pool
    finally:
        await pool.close()


async def vote(base: str, subject: str, project: int) -> dict[str, Any] | None:
    """One voter's whole journey over real HTTP; the receipt, or None if the server died."""
    async with httpx.AsyncClient(base_url=base, timeout=20) as client:
        try:
            await client.get("/dev/sign-in")
            token = await _csrf(client)
            await client.post(
                "/dev/sign-in",
                data={
                    "subject": subject,
                    "birth_date": "1980-01-01",
                    "residence": "norte",
                    "status": "citizen",
                    "next": "/",
                    "csrf_token": token,
                },
            )
            review = await client.post(
                "/cycles/crash/vote/city/review",
                data={"project": str(project), "csrf_token": token},
            )
            fields = dict(review_form_fields(review.text))
            cast = await client.post(
                "/cycles/crash/vote/city/cast", data={**fields, "csrf_token": token}
            )
        except httpx.TransportError:
            return None
        return receipt_from(cast.text) if cast.status_code == 200 else None


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/dev/sign-in")
    marker = 'name="csrf_token" value="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


async def test_receipts_survive_a_sigkill_mid_voting(
    pool: asyncpg.Pool, database_url: str, data_dir: Path
) -> None:
    voting = await make_voting_cycle(pool, [PotSpec("City", SINGLE, [10_00, 20_00])], slug="crash")
    project = voting.projects["city"][0]
    env = civica_env(data_dir, DATABASE_URL=database_url, CIVICA_CHECKPOINT_INTERVAL="1")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = data_dir / "serve.log"
    server = start_civica(["serve", "--port", str(port)], env, log)
    try:
        wait_until_healthy(port, server)
        tasks = [asyncio.create_task(vote(base, f"crash-voter-{n}", project)) for n in range(40)]
        deadline = time.monotonic() + 60
        while sum(t.done() and t.result() is not None for t in tasks) < 8:
            assert time.monotonic() < deadline, "no ballots were cast"
            await asyncio.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(10)
        receipts = [r for r in await asyncio.gather(*tasks) if r is not None]
        assert len(receipts) >= 8

        server = start_civica(["serve", "--port", str(port)], env, log)
        wait_until_healthy(port, server)
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            for receipt in receipts:
                status = ""
                for _attempt in range(40):
                    check = await client.post("/api/cycles/crash/receipts/check", json=receipt)
                    status = check.json()["status"]
                    if status != "pending":
                        break
                    await asyncio.sleep(0.25)
                assert status == "included", check.json()
        size = await pool.fetchval(
            "SELECT size FROM board_heads WHERE cycle_id = $1", voting.cycle.id
        )
        indices = [
            r["leaf_index"]
            for r in await pool.fetch(
                "SELECT leaf_index FROM board_entries WHERE cycle_id = $1 ORDER BY 1",
                voting.cycle.id,
            )
        ]
        assert indices == list(range(size)), "no gap, no duplicate after the crash"
        assert await pool.fetchval("SELECT count(*) FROM voter_roll") == size
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            server.wait(30)
