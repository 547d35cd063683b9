"""Receipt checks on the live board, and the published record served for observers."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import httpx

from ballots.model import BallotKind, BallotSpec
from proposals.phases import Phase
from service import board
from service.workflows.closing import close_cycle
from tests.support.asgi import csrf_token
from tests.support.proposals import post_form, set_phase, sign_in_citizen
from tests.support.voting import PotSpec, make_voting_cycle, receipt_from, review_and_cast
from verification.record import RECORD_FILES
from verification.statements import sign_statement
from verification.verifier import ReceiptInput, verify_record

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
SINGLE = BallotSpec(BallotKind.SINGLE_CHOICE)


async def vote_once(client: httpx.AsyncClient, state: dict[str, Any]) -> dict[str, Any]:
    voting = await make_voting_cycle(state["pool"], [PotSpec("City", SINGLE, [10_00, 20_00])])
    await sign_in_citizen(client, state, "ana")
    cast = await review_and_cast(
        client, state, "/cycles/vote-2026/vote/city", [("project", str(voting.projects["city"][0]))]
    )
    return receipt_from(cast.text)


async def test_a_receipt_is_pending_then_included_with_a_proof(app_client: AppClient) -> None:
    client, state = app_client
    receipt = await vote_once(client, state)
    pending = await client.post("/api/cycles/vote-2026/receipts/check", json=receipt)
    assert pending.status_code == 200
    assert pending.json()["status"] == "pending"
    assert receipt["include_by"] in pending.json()["message"], "the API keeps the exact time"
    pending_page = await post_form(
        client, state, "/cycles/vote-2026/receipts/check", {"receipt": json.dumps(receipt)}
    )
    assert "Your ballot is recorded" in pending_page.text
    assert receipt["include_by"] not in pending_page.text, "people read a local date and time"
    assert re.search(r"checkpoint \(by \w+ \d{1,2}, 20\d\d, \d{1,2}:\d\d", pending_page.text)

    cycle_id = await state["pool"].fetchval("SELECT id FROM cycles WHERE slug = 'vote-2026'")
    await board.checkpoint(state["pool"], state["keys"], cycle_id)
    included = await client.post("/api/cycles/vote-2026/receipts/check", json=receipt)
    assert included.json()["status"] == "included"
    assert included.json()["proof"] == []  # a tree of one entry: the leaf is the root
    assert included.json()["root"] == receipt["leaf_hash"]

    page = await post_form(
        client, state, "/cycles/vote-2026/receipts/check", {"receipt": json.dumps(receipt)}
    )
    assert page.status_code == 200
    assert "Your ballot is on the board" in page.text

    upload = await client.post(
        "/cycles/vote-2026/receipts/check",
        data={"csrf_token": csrf_token(client, state)},
        files={"receipt_file": ("receipt.json", json.dumps(receipt).encode(), "application/json")},
    )
    assert "Your ballot is on the board" in upload.text


async def test_forged_and_foreign_receipts_are_refused(app_client: AppClient) -> None:
    client, state = app_client
    receipt = await vote_once(client, state)
    tampered = {**receipt, "index": receipt["index"] + 1}
    response = await client.post("/api/cycles/vote-2026/receipts/check", json=tampered)
    assert response.status_code == 409
    assert response.json()["status"] == "not-signed"
    garbage = await client.post("/api/cycles/vote-2026/receipts/check", content=b"not json")
    assert garbage.status_code == 400
    malformed = await client.post("/api/cycles/vote-2026/receipts/check", json={"format": "x"})
    assert malformed.json()["status"] == "malformed"
    empty = await post_form(client, state, "/cycles/vote-2026/receipts/check", {"receipt": ""})
    assert empty.status_code == 422
    assert 'href="#receipt"' in empty.text


async def test_a_signed_receipt_whose_entry_is_absent_is_evidence(app_client: AppClient) -> None:
    client, state = app_client
    receipt = await vote_once(client, state)
    cycle_id = await state["pool"].fetchval("SELECT id FROM cycles WHERE slug = 'vote-2026'")
    fields = {k: v for k, v in receipt.items() if k != "signature"}
    fields["leaf_hash"] = "ab" * 32  # a receipt the log signed for an entry it does not hold
    forged_by_the_log = sign_statement(
        "civica-receipt/1", fields, board.log_signing_key(state["keys"], cycle_id)
    )
    response = await client.post("/api/cycles/vote-2026/receipts/check", json=forged_by_the_log)
    assert response.status_code == 409
    assert response.json()["status"] == "missing"
    assert "evidence" in response.json()["message"]


async def test_the_record_is_served_after_the_close_and_verifies(
    app_client: AppClient, tmp_path: Path
) -> None:
    client, state = app_client
    receipt = await vote_once(client, state)
    assert (await client.get("/cycles/vote-2026/record/")).status_code == 404
    assert (await client.get("/cycles/vote-2026/record/results.json")).status_code == 404
    await set_phase(state["pool"], "vote-2026", Phase.RESULTS)
    await close_cycle(state["pool"], state["settings"], state["keys"], "vote-2026")

    page = await client.get("/cycles/vote-2026/record/")
    assert page.status_code == 200
    assert "civica verify" in page.text
    folder = tmp_path / "downloaded"
    folder.mkdir()
    for name in RECORD_FILES:
        response = await client.get(f"/cycles/vote-2026/record/{name}")
        assert response.status_code == 200
        (folder / name).write_bytes(response.content)
    assert (await client.get("/cycles/vote-2026/record/secrets.txt")).status_code == 404
    report = verify_record(str(folder), receipts=[ReceiptInput("mine", receipt)])
    assert report.ok, report.to_json()

    archive = await client.get("/cycles/vote-2026/record.zip")
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        assert sorted(n.split("/")[1] for n in opened.namelist()) == sorted(RECORD_FILES)
