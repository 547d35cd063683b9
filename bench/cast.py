"""Throughput and latency of the cast path on a real PostgreSQL, with a reference measured in
the same run.

What one cast does (service.workflows.voting.cast_ballot): validate the ballot against the
frozen manifest, check eligibility, seal it (libsodium sealed box), encode the entry and its
leaf hash, then one transaction: voter-roll row, entry appended under the log head's lock.
The reference is the cheapest durable write of the same shape: one transaction inserting one
row into an unlocked table, so the ratio says what civica's checks, sealing and ordered append
cost on top of PostgreSQL's commit.

Run from the repository root (uses CIVICA_TEST_DATABASE_URL if set, else the embedded server):
    PYTHONPATH=. python bench/cast.py [--ballots 2000] [--concurrency 1,8,32] [--rounds 3]
It creates and drops its own database and stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from ballots.model import BallotKind, BallotSpec
from proposals import repository as store
from service.config import Settings
from service.database import create_pool
from service.keys import load_or_create_keys
from service.workflows.voting import cast_ballot
from tests.support.database import (
    create_test_database,
    drop_test_database,
    ensure_template,
    server_url_from_env,
    start_embedded_server,
    with_database,
)
from tests.support.voting import PotSpec, make_voting_cycle
from verification.formats import Channel
from verification.identity.model import CitizenSession, person_key


async def measure(
    url: str, data_dir: Path, ballots: int, concurrency: int, revision: int
) -> tuple[float, float, float, float]:
    """(casts per second, median ms, reference writes per second, reference median ms)."""
    pool = await create_pool(url, max_size=max(4, concurrency + 2))
    try:
        settings = Settings.from_env({"DATABASE_URL": url, "CIVICA_DATA_DIR": str(data_dir)})
        keys = load_or_create_keys(data_dir)
        voting = await make_voting_cycle(
            pool,
            [
                PotSpec(
                    "City",
                    BallotSpec(BallotKind.SINGLE_CHOICE),
                    [10_00 * (n + 1) for n in range(80)],
                )
            ],
            slug=f"bench-{revision}-{concurrency}",
        )
        scope = (await store.fetch_scopes(pool, voting.cycle.id))[0]
        ids = voting.projects["city"]
        voters = [
            CitizenSession(
                person_key(keys.identifier_pepper, f"b{revision}-{n}"),
                "bench",
                date(1980, 1, 1),
                "norte",
                "citizen",
                False,
            )
            for n in range(ballots)
        ]
        await pool.execute(
            "CREATE TABLE IF NOT EXISTS bench_reference "
            "(id bigint GENERATED ALWAYS AS IDENTITY, payload bytea)"
        )
        queue = asyncio.Queue[int]()
        for n in range(ballots):
            queue.put_nowait(n)
        latencies: list[float] = []

        async def caster() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                started = time.perf_counter()
                await cast_ballot(
                    pool,
                    settings,
                    keys,
                    voting.cycle,
                    scope,
                    voters[n],
                    {ids[n % len(ids)]: 1},
                    channel=Channel.WEB,
                )
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(caster() for _ in range(concurrency)))
        cast_rate = ballots / (time.perf_counter() - started)

        for n in range(ballots):
            queue.put_nowait(n)
        reference: list[float] = []

        async def writer() -> None:
            while not queue.empty():
                queue.get_nowait()
                began = time.perf_counter()
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute(
                        "INSERT INTO bench_reference (payload) VALUES ($1)", b"x" * 400
                    )
                reference.append(time.perf_counter() - began)

        started = time.perf_counter()
        await asyncio.gather(*(writer() for _ in range(concurrency)))
        reference_rate = ballots / (time.perf_counter() - started)
        return (
            cast_rate,
            statistics.median(latencies) * 1000,
            reference_rate,
            statistics.median(reference) * 1000,
        )
    finally:
        await pool.close()


async def main(ballots: int, levels: list[int], rounds: int) -> None:
    server_url = server_url_from_env()
    embedded = None
    if server_url is None:
        embedded = start_embedded_server()
        server_url = with_database(embedded.url, "postgres")
    template = await ensure_template(server_url)
    print(
        f"cast path: {ballots} single-choice ballots per measurement, {rounds} rounds, "
        f"database {'CIVICA_TEST_DATABASE_URL' if embedded is None else 'embedded (fsync off)'}"
    )
    print(
        f"{'concurrency':>11} | {'casts/s':>8} | {'median ms':>9} | {'ref writes/s':>12} | "
        f"{'ref median ms':>13} | {'throughput ratio':>16}"
    )
    try:
        for level in levels:
            results = []
            for revision in range(rounds):
                url = await create_test_database(server_url, template)
                try:
                    with tempfile.TemporaryDirectory(dir=Path.cwd() / ".test-data") as folder:
                        Path(folder).chmod(0o755)
                        results.append(await measure(url, Path(folder), ballots, level, revision))
                finally:
                    await drop_test_database(server_url, url)
            cast_rate = statistics.median(r[0] for r in results)
            cast_ms = statistics.median(r[1] for r in results)
            ref_rate = statistics.median(r[2] for r in results)
            ref_ms = statistics.median(r[3] for r in results)
            print(
                f"{level:>11} | {cast_rate:>8.0f} | {cast_ms:>9.2f} | {ref_rate:>12.0f} | "
                f"{ref_ms:>13.2f} | {cast_rate / ref_rate:>16.2f}"
            )
    finally:
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=2000)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.ballots, [int(c) for c in args.concurrency.split(",")], args.rounds))
