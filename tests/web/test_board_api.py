"""The public board's read API and page, through HTTP with the real database."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from service import board
from service.app import routes
from service.keys import load_or_create_keys
from service.resources import resource_dir
from tests.support.board import append_test_entry, open_test_board
from verification.checkpoint import verify_checkpoint
from verification.merkle import hash_leaf, verify_consistency, verify_inclusion

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]


async def test_unknown_cycle_and_unopened_board_are_404(app_client: AppClient) -> None:
    client, state = app_client
    response = await client.get("/api/cycles/nope/board")
    assert response.status_code == 404
    assert response.json()["detail"] == "There is no cycle with that name."
    await state["pool"].execute(
        "INSERT INTO cycles (slug, name, reference_date, project_cost_cap_cents, "
        "propose_eligibility) VALUES ('draft', 'Draft', '2026-01-01', 1, '{}')"
    )
    response = await client.get("/api/cycles/draft/board")
    assert response.status_code == 404
    assert "not opened" in response.json()["detail"]


async def test_entries_are_published_once_checkpointed_and_proofs_verify(
    app_client: AppClient, data_dir: Path
) -> None:
    client, state = app_client
    pool = state["pool"]
    tb = await open_test_board(pool, data_dir)
    entries = [(await append_test_entry(pool, tb, n))[1] for n in range(5)]

    summary = (await client.get("/api/cycles/t/board")).json()
    assert summary["latest_checkpoint"] is None
    assert (await client.get("/api/cycles/t/board/entries?start=0&end=10")).json() == []

    await board.checkpoint(pool, load_or_create_keys(data_dir), tb.cycle_id)
    summary = (await client.get("/api/cycles/t/board")).json()
    note = (await client.get("/api/cycles/t/board/checkpoint")).text.encode()
    checkpoint = verify_checkpoint(note, summary["verifier_key"])
    assert checkpoint.size == 5
    assert checkpoint.origin == summary["origin"] == "civica/" + tb.fingerprint.hex()

    listed = (await client.get("/api/cycles/t/board/entries?start=0&end=10")).json()
    assert [base64.b64decode(e["entry"]) for e in listed] == entries
    assert all(len(e["short_code"]) == 14 for e in listed)

    for index, entry in enumerate(entries):
        proof = (
            await client.get(f"/api/cycles/t/board/proof/inclusion?index={index}&tree_size=5")
        ).json()
        verify_inclusion(
            hash_leaf(entry),
            index,
            5,
            [base64.b64decode(h) for h in proof["proof"]],
            checkpoint.root_hash,
        )
    by_hash = (
        await client.get(
            "/api/cycles/t/board/proof/inclusion?tree_size=5&leaf_hash="
            + hash_leaf(entries[3]).hex()
        )
    ).json()
    assert by_hash["index"] == 3

    for n in range(5, 12):
        await append_test_entry(pool, tb, n)
    await board.checkpoint(pool, load_or_create_keys(data_dir), tb.cycle_id)
    later = verify_checkpoint(
        (await client.get("/api/cycles/t/board/checkpoint")).text.encode(), summary["verifier_key"]
    )
    proof = (await client.get("/api/cycles/t/board/proof/consistency?first=5&second=12")).json()
    verify_consistency(
        5, 12, [base64.b64decode(h) for h in proof["proof"]], checkpoint.root_hash, later.root_hash
    )
    listed = (await client.get("/api/cycles/t/board/checkpoints")).json()
    assert [c["size"] for c in listed] == [5, 12]
    manifest = (await client.get("/api/cycles/t/board/manifest")).content
    assert json.loads(manifest)["cycle"]["slug"] == "t"

    page = await client.get("/cycles/t/board")
    assert page.status_code == 200
    assert listed[0]["note"].splitlines()[0] in page.text
    assert all(
        e["short_code"] in page.text
        for e in (await client.get("/api/cycles/t/board/entries?start=0&end=12")).json()
    )


@pytest.mark.parametrize(
    "query",
    [
        "entries?start=x&end=3",
        "entries?start=5&end=2",
        "entries?start=0&end=5000",
        "entries",
        "proof/inclusion?index=0&tree_size=3",
        "proof/inclusion?leaf_hash=zz&tree_size=1",
        "proof/consistency?first=1&second=9",
    ],
)
async def test_bad_queries_get_clear_400s(
    app_client: AppClient, data_dir: Path, query: str
) -> None:
    client, state = app_client
    tb = await open_test_board(state["pool"], data_dir)
    await append_test_entry(state["pool"], tb, 1)
    await board.checkpoint(state["pool"], load_or_create_keys(data_dir), tb.cycle_id)
    response = await client.get(f"/api/cycles/t/board/{query}")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_the_openapi_document_describes_every_api_route() -> None:
    document = json.loads((resource_dir("static") / "openapi.json").read_text())
    api_paths = {
        route.path for route in routes() if getattr(route, "path", "").startswith("/api/cycles/")
    }
    assert api_paths
    assert api_paths <= set(document["paths"])
