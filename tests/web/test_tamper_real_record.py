"""A record made by the real service (HTTP casts, the close, the published files), tampered
with in each way issue 7 lists: the observer's verifier reports every one."""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey

from ballots.casting import prepare_entry
from ballots.model import BallotKind, BallotSpec
from proposals.phases import Phase
from service import board
from service.workflows.closing import close_cycle
from tests.support.proposals import set_phase, sign_in_citizen
from tests.support.voting import PotSpec, make_voting_cycle, receipt_from, review_and_cast
from verification.checkpoint import sign_checkpoint
from verification.formats import (
    BallotContent,
    canonical_json,
    decode_entry,
    encode_ballot,
)
from verification.manifest import parse_manifest
from verification.merkle import hash_leaf, hash_tree
from verification.publish import entry_line, results_document
from verification.record import RECORD_FILES
from verification.recount import ballot_line, recount_entries
from verification.statements import issue_receipt
from verification.verifier import ReceiptInput, verify_record

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]


class RealRecord:
    """A published record downloaded from the service, and the keys the server holds."""

    def __init__(self, folder: Path, log_key: SigningKey, receipts: list[dict[str, Any]]) -> None:
        self.folder = folder
        self.log_key = log_key
        self.receipts = receipts
        self.manifest = parse_manifest((folder / "manifest.json").read_bytes())
        secret = json.loads((folder / "sealing-key.json").read_bytes())["secret_key"]
        self.sealing_secret = base64.b64decode(secret)

    def entries(self, folder: Path) -> list[bytes]:
        return [
            base64.b64decode(json.loads(line)["entry"])
            for line in (folder / "entries.jsonl").read_bytes().splitlines()
        ]

    def republish(self, folder: Path, entries: list[bytes]) -> None:
        """Rewrite entries, ballots and results consistently, as a careful forger would."""
        opened, result = recount_entries(self.manifest, self.sealing_secret, entries)
        (folder / "entries.jsonl").write_bytes(
            b"".join(entry_line(i, e) for i, e in enumerate(entries))
        )
        (folder / "ballots.jsonl").write_bytes(
            b"".join(ballot_line(o, result.status(o)) for o in opened)
        )
        fingerprint = decode_entry(entries[0]).fingerprint
        document = results_document(
            fingerprint, len(entries), hash_tree(entries), "civica test", result
        )
        (folder / "results.json").write_bytes(canonical_json(document))

    def forged_entry(self, template: bytes, alias: bytes, project: int) -> bytes:
        entry = decode_entry(template)
        sealed = bytes(
            SealedBox(PublicKey(self.manifest.sealing_public_key)).encrypt(
                encode_ballot(BallotContent(entry.scope_id, {project: 1}))
            )
        )
        return prepare_entry(entry.fingerprint, entry.scope_id, alias, entry.channel, sealed).entry

    def signed_checkpoint_line(self, origin: str, size: int, root: bytes) -> bytes:
        note = sign_checkpoint(origin, size, root, self.log_key)
        return canonical_json(
            {
                "size": size,
                "root": root.hex(),
                "note": note.decode(),
                "published_at": "2026-01-01T00:00:00Z",
            }
        )


def lines(folder: Path, name: str) -> list[bytes]:
    return (folder / name).read_bytes().splitlines()


def write(folder: Path, name: str, content: list[bytes]) -> None:
    (folder / name).write_bytes(b"".join(line + b"\n" for line in content))


def edit(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    value = json.loads((folder / name).read_bytes())
    change(value)
    (folder / name).write_bytes(canonical_json(value))


def dropped(r: RealRecord, f: Path) -> None:
    entries = r.entries(f)
    del entries[1]
    r.republish(f, entries)


def content_altered(r: RealRecord, f: Path) -> None:
    rows = lines(f, "ballots.jsonl")
    value = json.loads(rows[0])
    projects = [p.id for p in r.manifest.scope(value["scope"]).projects]  # type: ignore[union-attr]
    value["selections"] = [[next(p for p in projects if p != value["selections"][0][0]), 1]]
    rows[0] = canonical_json(value)
    write(f, "ballots.jsonl", rows)


def swapped(r: RealRecord, f: Path) -> None:
    entries = r.entries(f)
    entries[0], entries[2] = entries[2], entries[0]
    r.republish(f, entries)


def duplicated(r: RealRecord, f: Path) -> None:
    entries = r.entries(f)
    entries.append(entries[0])
    r.republish(f, entries)


def injected(r: RealRecord, f: Path) -> None:
    entries = r.entries(f)
    project = r.manifest.scope(decode_entry(entries[0]).scope_id).projects[0].id  # type: ignore[union-attr]
    entries.insert(1, r.forged_entry(entries[0], b"\x42" * 32, project))
    r.republish(f, entries)


def checkpoint_forged(r: RealRecord, f: Path) -> None:
    rows = lines(f, "checkpoints.jsonl")
    value = json.loads(rows[-1])
    text, signatures = value["note"].split("\n\n", 1)
    origin, size, _root = text.split("\n")
    forged = hash_tree([b"forged"])
    value["note"] = f"{origin}\n{size}\n{base64.b64encode(forged).decode()}\n\n{signatures}"
    value["root"] = forged.hex()
    rows[-1] = canonical_json(value)
    write(f, "checkpoints.jsonl", rows)


def split_same_size(r: RealRecord, f: Path) -> None:
    rows = lines(f, "checkpoints.jsonl")
    entries = r.entries(f)
    origin = json.loads(rows[-1])["note"].split("\n", 1)[0]
    other = [*entries[:2], b"another history"]
    rows.insert(
        len(rows) - 1,
        r.signed_checkpoint_line(origin, len(entries), hash_tree(other + entries[3:])),
    )
    write(f, "checkpoints.jsonl", rows)


def split_inconsistent(r: RealRecord, f: Path) -> None:
    rows = lines(f, "checkpoints.jsonl")
    entries = r.entries(f)
    first = json.loads(rows[1])
    origin = first["note"].split("\n", 1)[0]
    rewritten = [b"rewritten history", *entries[1 : first["size"]]]
    rows[1] = r.signed_checkpoint_line(origin, first["size"], hash_tree(rewritten))
    write(f, "checkpoints.jsonl", rows)


def count_altered(r: RealRecord, f: Path) -> None:
    def change(results: Any) -> None:
        results["scopes"][0]["projects"][0]["votes"] += 1
        results["scopes"][0]["projects"][0]["points"] += 1

    edit(f, "results.json", change)


def winners_altered(r: RealRecord, f: Path) -> None:
    def change(results: Any) -> None:
        scope = results["scopes"][0]
        losers = [p["id"] for p in scope["projects"] if p["id"] not in scope["winners"]]
        scope["winners"] = [losers[0]]

    edit(f, "results.json", change)


def cost_altered(r: RealRecord, f: Path) -> None:
    edit(f, "manifest.json", lambda m: m["scopes"][0]["projects"][0].__setitem__("cost_cents", 1))


def budget_altered(r: RealRecord, f: Path) -> None:
    edit(f, "manifest.json", lambda m: m["scopes"][0].__setitem__("budget_cents", 1_00))


def key_replaced(r: RealRecord, f: Path) -> None:
    other = PrivateKey.generate()
    (f / "sealing-key.json").write_bytes(
        canonical_json(
            {
                "public_key": base64.b64encode(bytes(other.public_key)).decode(),
                "secret_key": base64.b64encode(bytes(other)).decode(),
            }
        )
    )


ATTACKS: dict[str, tuple[Callable[[RealRecord, Path], None], str]] = {
    "ballot dropped": (dropped, "checkpoint-root"),
    "ballot content altered": (content_altered, "ballot-content"),
    "entries swapped": (swapped, "checkpoint-root"),
    "entry duplicated": (duplicated, "checkpoint-final"),
    "entry injected with a fresh alias": (injected, "checkpoint-root"),
    "checkpoint signature forged": (checkpoint_forged, "checkpoint-signature"),
    "split view, same size": (split_same_size, "checkpoint-consistency"),
    "split view, inconsistent": (split_inconsistent, "checkpoint-consistency"),
    "published count altered": (count_altered, "result-votes"),
    "winner set altered": (winners_altered, "result-winners"),
    "project cost altered in the manifest": (cost_altered, "manifest-fingerprint"),
    "scope budget altered in the manifest": (budget_altered, "manifest-fingerprint"),
    "released key replaced": (key_replaced, "sealing-key"),
}


@pytest.fixture
async def real_record(app_client: AppClient, tmp_path: Path) -> RealRecord:
    client, state = app_client
    pool = state["pool"]
    voting = await make_voting_cycle(
        pool,
        [
            PotSpec(
                "City",
                BallotSpec(BallotKind.SINGLE_CHOICE),
                [40_00, 30_00, 50_00],
                budget_cents=80_00,
            ),
            PotSpec(
                "Park",
                BallotSpec(BallotKind.K_APPROVAL, max_choices=2),
                [10_00, 20_00, 30_00],
                budget_cents=40_00,
                group="park",
            ),
        ],
        revoting=True,
    )
    city, park = voting.projects["city"], voting.projects["park"]
    receipts = []
    for n, (voter, choice) in enumerate(
        [("ana", 0), ("rui", 1), ("eva", 0), ("ana", 2), ("ines", 2), ("joao", 0)]
    ):
        await sign_in_citizen(client, state, voter)
        cast = await review_and_cast(
            client, state, "/cycles/vote-2026/vote/city", [("project", str(city[choice]))]
        )
        receipts.append(receipt_from(cast.text))
        if n == 2:  # a checkpoint in the middle, so there are several to compare
            await board.checkpoint(pool, state["keys"], voting.cycle.id)
        await review_and_cast(
            client,
            state,
            "/cycles/vote-2026/vote/park",
            [("project", str(park[n % 3])), ("project", str(park[(n + 1) % 3]))],
        )
    await set_phase(pool, "vote-2026", Phase.RESULTS)
    await close_cycle(pool, state["settings"], state["keys"], "vote-2026")
    folder = tmp_path / "clean"
    folder.mkdir()
    for name in RECORD_FILES:
        response = await client.get(f"/cycles/vote-2026/record/{name}")
        assert response.status_code == 200
        (folder / name).write_bytes(response.content)
    return RealRecord(folder, board.log_signing_key(state["keys"], voting.cycle.id), receipts)


async def test_each_kind_of_tampering_with_a_real_record_is_reported(
    real_record: RealRecord, tmp_path: Path
) -> None:
    clean = verify_record(
        str(real_record.folder),
        receipts=[ReceiptInput(f"r{i}", r) for i, r in enumerate(real_record.receipts)],
    )
    assert clean.ok, clean.to_json()
    assert clean.exit_status == 0
    for name, (attack, expected_check) in ATTACKS.items():
        folder = tmp_path / name.replace(" ", "_").replace(",", "")
        shutil.copytree(real_record.folder, folder)
        attack(real_record, folder)
        report = verify_record(str(folder))
        assert not report.ok, name
        assert report.exit_status == 1, name
        assert report.failed(expected_check), (name, report.to_json()["findings"][:3])


async def test_forged_and_orphaned_receipts_against_a_real_record(real_record: RealRecord) -> None:
    genuine = real_record.receipts[1]
    other_key = SigningKey.generate()
    wrong_key = issue_receipt(
        other_key,
        bytes.fromhex(genuine["cycle_fingerprint"]),
        bytes.fromhex(genuine["leaf_hash"]),
        genuine["index"],
        genuine["include_by"],
    )
    absent = issue_receipt(
        real_record.log_key,
        bytes.fromhex(genuine["cycle_fingerprint"]),
        hash_leaf(b"a ballot the board lost"),
        99,
        genuine["include_by"],
    )
    report = verify_record(
        str(real_record.folder),
        receipts=[ReceiptInput("wrong key", wrong_key), ReceiptInput("entry absent", absent)],
    )
    assert report.failed("receipt-signature")
    assert report.failed("receipt-entry")
