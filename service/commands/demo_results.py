"""The demo's closed cycle: a real participatory budget (Assen 2024, from pabulib) imported,
its ballots replayed through the cast path, voting closed and the record published.

Idempotent: once the record is published, later starts only print where it is. A start that
stopped half-way resumes (voters who already voted are skipped; the close can be repeated).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from ballots import repository as board_store
from proposals import repository as store
from proposals.errors import NotFound
from service.commands.import_pb import ImportFailed, import_file
from verification.record import RECORD_FILES

DEMO_ACTOR = "demo"
DEMO_SLUG = "assen-2024"
DEMO_FILE = "Netherlands_Assen_2024.pb"
FILE_VARIABLE = "CIVICA_DEMO_PABULIB"


def demo_file() -> Path | None:
    """The pabulib file the closed demo cycle comes from: $CIVICA_DEMO_PABULIB, else the shared
    pabulib folder beside the checkout (../shared/pabulib); None when neither exists."""
    chosen = os.environ.get(FILE_VARIABLE)
    candidates = [Path(chosen)] if chosen else []
    checkout = Path(__file__).resolve().parents[2]
    candidates.append(checkout.parent / "shared" / "pabulib" / DEMO_FILE)
    return next((path for path in candidates if path.is_file()), None)


async def seed_demo_results(state: dict[str, Any], base: str) -> list[str]:
    """Put the closed cycle in place unless it is; return the lines that say where it is."""
    pool = state["pool"]
    path = demo_file()
    try:
        cycle = await store.fetch_cycle(pool, DEMO_SLUG)
    except NotFound:
        cycle = None
    published = cycle is not None and (
        await board_store.fetch_record_file_names(pool, cycle.id)
    ) >= set(RECORD_FILES)
    lines = ["civica demo: a closed cycle, its results and election record"]
    if not published:
        if path is None:
            return [
                *lines,
                f"  skipped: {DEMO_FILE} was not found (set {FILE_VARIABLE} to a pabulib file)",
            ]
        started = time.perf_counter()
        said: list[str] = []
        try:
            await import_file(
                pool,
                state["settings"],
                state["keys"],
                path,
                slug=DEMO_SLUG,
                replay=True,
                close=True,
                actor=DEMO_ACTOR,
                say=said.append,
            )
        except ImportFailed as error:
            return [*lines, f"  could not be prepared: {error}"]
        lines.append(
            f"  {path.name} imported, its ballots cast and voting closed"
            f" in {time.perf_counter() - started:.1f} s:"
        )
        lines.extend("  " + line for line in said)
    else:
        lines.append(f"  {DEMO_SLUG} is in place (imported from {DEMO_FILE}, closed)")
    lines += [
        f"  results:  {base}/cycles/{DEMO_SLUG}/results",
        f"  record:   {base}/cycles/{DEMO_SLUG}/record/",
        f"  verify it: civica verify {base}/cycles/{DEMO_SLUG}/record/",
    ]
    return lines
