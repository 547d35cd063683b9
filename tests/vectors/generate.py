"""Regenerate the verifier's test vectors: a clean record, the worked example, and one
tampered record per attack, each in `tests/vectors/<name>/`.

Run from the repository root: PYTHONPATH=. python tests/vectors/generate.py

Everything is derived from fixed seeds (keys, aliases and the sealed boxes' ephemeral keys),
so the output is identical on every run; the tests verify the committed files and also check
that this script still reproduces them. Each vector's `expected.json` says what it is and lists
the checks the verifier must report (an empty list: the record must verify). A vector made
another way (through the real service, say) is a folder with the record files, an
`expected.json` and optionally a `receipt.json`: the tests pick it up as it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey, SealedBox
from nacl.signing import SigningKey

from ballots.model import BallotKind, BallotSpec
from tests.support.election import TestElection, derive, rule, scope
from verification.checkpoint import sign_checkpoint
from verification.formats import Channel, canonical_json, decode_entry, log_origin, short_code
from verification.manifest import parse_manifest
from verification.merkle import consistency_proof, hash_leaf, hash_tree, root_from_leaf_hashes
from verification.note import compute_key_id
from verification.publish import entry_line, results_document
from verification.recount import ballot_line, recount_entries
from verification.statements import issue_receipt
from verification.tree import MemoryNodeStore

VECTORS = Path(__file__).resolve().parent


def vector_election() -> TestElection:
    """Four scopes, one per ballot type, 26 ballots with revotes, desk and invalid ballots."""
    election = TestElection(
        [
            scope(
                1,
                "nacional",
                100_000_00,
                {101: 45_000_00, 102: 30_000_00, 103: 50_000_00, 104: 20_000_00},
                vote_group="national",
                tally=rule("greedy"),
            ),
            scope(
                2,
                "norte",
                60_000_00,
                {201: 25_000_00, 202: 30_000_00, 203: 20_000_00},
                ballot=BallotSpec(BallotKind.K_APPROVAL, max_choices=2),
                vote_group="regional",
                tally=rule("greedy-stop", min_votes=1),
            ),
            scope(
                3,
                "centro",
                50_000_00,
                {301: 20_000_00, 302: 25_000_00, 303: 15_000_00, 304: 10_000_00},
                ballot=BallotSpec(BallotKind.KNAPSACK, min_spend_percent=50),
                vote_group="regional",
                tally=rule("mes", completion="add1-greedy"),
            ),
            scope(
                4,
                "lisboa-cidade",
                40_000_00,
                {401: 10_000_00, 402: 20_000_00, 403: 15_000_00},
                ballot=BallotSpec(BallotKind.CUMULATIVE, points=5, max_points_per_project=3),
                vote_group="lisboa",
                tally=rule(
                    "mes",
                    completion="add1",
                    utilities="cardinality",
                    tie_break="seeded",
                    seed="opp-2018",
                ),
            ),
        ],
        seed="vectors",
        checkpoint_every=4,
    )
    casts: list[tuple[str, int, dict[int, int]]] = [
        ("ana", 1, {101: 1}),
        ("bruno", 1, {102: 1}),
        ("carla", 2, {201: 1, 203: 1}),
        ("duarte", 3, {301: 1, 303: 1}),
        ("ana", 2, {202: 1}),
        ("eva", 4, {401: 3, 402: 2}),
        ("bruno", 1, {103: 1}),  # bruno votes again: this one counts
        ("filipa", 3, {302: 1, 304: 1}),
        ("gil", 1, {101: 1}),
        ("helena", 4, {402: 3, 403: 1}),
        ("carla", 1, {104: 1}),
        ("ines", 2, {201: 1, 202: 1}),
        ("joao", 3, {301: 1, 302: 1}),
        ("eva", 1, {101: 1}),
        ("duarte", 1, {102: 1}),
        ("luis", 4, {401: 2, 403: 3}),
        ("marta", 2, {203: 1}),
        ("nuno", 1, {103: 1}),
    ]
    for voter, scope_id, selections in casts:
        election.cast(voter, scope_id, selections)
    # Paper ballots entered at a desk.
    election.cast("olga", 1, {101: 1}, channel=Channel.DESK)
    election.cast("paulo", 3, {303: 1, 304: 1, 302: 1}, channel=Channel.DESK)
    # Invalid ballots are published as invalid, with their reason, not dropped.
    election.cast("rita", 3, {301: 1, 302: 1, 303: 1})  # over the budget
    election.cast("sara", 2, {201: 1, 202: 1, 203: 1})  # too many choices
    election.cast("tiago", 4, {401: 4})  # more than 3 points on one project
    election.cast("ursula", 1, {}, plaintext=b"not a ballot".ljust(256, b"\x00"))  # malformed
    election.cast("gil", 1, {104: 1})  # gil changes his mind
    election.cast("vasco", 2, {202: 1, 203: 1})
    return election


def worked_example() -> TestElection:
    """The small record of docs/election-record.md §13: two scopes, five ballots."""
    election = TestElection(
        [
            scope(
                1,
                "nacional",
                50_000_00,
                {11: 30_000_00, 12: 20_000_00, 13: 25_000_00},
                vote_group="national",
                tally=rule("greedy", min_votes=1),
            ),
            scope(
                2,
                "algarve",
                30_000_00,
                {21: 10_000_00, 22: 15_000_00, 23: 20_000_00},
                ballot=BallotSpec(BallotKind.K_APPROVAL, max_choices=2),
                vote_group="regional",
                tally=rule("mes", completion="add1-greedy"),
            ),
        ],
        seed="worked-example",
        checkpoint_every=3,
    )
    election.cast("ana", 1, {12: 1})
    election.cast("ana", 2, {21: 1, 22: 1})
    election.cast("bruno", 1, {11: 1})
    election.cast("carla", 2, {22: 1, 23: 1})
    election.cast("ana", 1, {13: 1})
    return election


def describe_worked_example(folder: Path) -> str:
    """The facts of the worked example that docs/election-record.md §13 prints, from its files."""
    manifest_bytes = (folder / "manifest.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    fingerprint = hashlib.sha256(manifest_bytes).digest()
    origin = log_origin(fingerprint)
    log_key = base64.b64decode(manifest["log_public_key"])
    secret = json.loads((folder / "sealing-key.json").read_bytes())["secret_key"]
    entries = entries_of(folder)
    leaves = [hash_leaf(entry) for entry in entries]
    out = [
        f"manifest.json       {len(manifest_bytes)} bytes",
        f"fingerprint         {fingerprint.hex()}",
        f"origin              {origin}",
        f"log public key      {manifest['log_public_key']}",
        f"log key ID          {compute_key_id(origin, log_key):08x}",
        f"sealing public key  {manifest['sealing_public_key']}",
        f"sealing secret key  {secret}",
        "",
    ]
    plaintext = SealedBox(PrivateKey(base64.b64decode(secret))).decrypt(
        decode_entry(entries[0]).sealed_ballot
    )
    body = plaintext.rstrip(b"\x00")
    out += [
        f"entry 0 plaintext   {body.decode()}",
        f"                    + {len(plaintext) - len(body)} zero bytes = {len(plaintext)} bytes",
        f"entry 0 bytes       {entries[0][:88].hex()}",
        f"                    ‖ {len(entries[0]) - 88} bytes of sealed ballot",
        "",
    ]
    for index, entry in enumerate(entries):
        decoded = decode_entry(entry)
        out.append(
            f"entry {index}  scope {decoded.scope_id}  {decoded.channel.name.lower():<4}  "
            f"alias {decoded.alias.hex()[:16]}…  {len(entry)} bytes"
        )
        out.append(f"  leaf hash         {leaves[index].hex()}")
    nodes = {
        "node(0,1)": root_from_leaf_hashes(leaves[0:2]),
        "node(2,3)": root_from_leaf_hashes(leaves[2:4]),
        "node(0..3)": root_from_leaf_hashes(leaves[0:4]),
    }
    out += ["", *(f"{name:<19} {value.hex()}" for name, value in nodes.items())]
    names = {leaf: f"leaf {index}" for index, leaf in enumerate(leaves)}
    names.update({value: name for name, value in nodes.items()})
    proof = consistency_proof(3, 5, MemoryNodeStore(leaves))
    out.append(f"proof 3 -> 5        [{', '.join(names.get(h, h.hex()) for h in proof)}]")
    for line in read_lines(folder, "checkpoints.jsonl"):
        checkpoint = json.loads(line)
        out.append(f"root of size {checkpoint['size']:<6} {checkpoint['root']}  (checkpoint)")
    out.append("")
    for line in read_lines(folder, "ballots.jsonl"):
        ballot = json.loads(line)
        out.append(
            f"ballot {ballot['index']}  scope {ballot['scope']}  "
            f"{json.dumps(ballot['selections'], separators=(',', ':')):<16} {ballot['status']}"
        )
    results = json.loads((folder / "results.json").read_bytes())
    for item in results["scopes"]:
        votes = " ".join(f"{p['id']}:{p['votes']}" for p in item["projects"])
        out.append(
            f"scope {item['scope']}  votes {votes}  winners {item['winners']}  "
            f"total {item['total_cost_cents']} cents"
        )
    closing = json.loads((folder / "closing.json").read_bytes())
    out.append("")
    out += [f"{name:<19} {digest}" for name, digest in closing["files"].items()]
    receipt = json.loads((folder / "receipt.json").read_bytes())
    out += [
        "",
        f"receipt             entry {receipt['index']}, leaf hash {receipt['leaf_hash'][:16]}…, "
        f"short code {short_code(bytes.fromhex(receipt['leaf_hash']))}",
    ]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Record files


def read_lines(folder: Path, name: str) -> list[bytes]:
    return (folder / name).read_bytes().splitlines()


def write_lines(folder: Path, name: str, lines: list[bytes]) -> None:
    (folder / name).write_bytes(b"".join(line + b"\n" for line in lines))


def entries_of(folder: Path) -> list[bytes]:
    return [
        base64.b64decode(json.loads(line)["entry"]) for line in read_lines(folder, "entries.jsonl")
    ]


def republish(folder: Path, election: TestElection, entries: list[bytes]) -> None:
    """Rewrite entries, ballots and results for other entries, as a careful forger would.

    Checkpoints and the closing statement stay: only the log key could re-sign them.
    """
    manifest = parse_manifest((folder / "manifest.json").read_bytes())
    opened, result = recount_entries(manifest, bytes(election.keys.sealing_key), entries)
    (folder / "entries.jsonl").write_bytes(
        b"".join(entry_line(i, e) for i, e in enumerate(entries))
    )
    (folder / "ballots.jsonl").write_bytes(
        b"".join(ballot_line(o, result.status(o)) for o in opened)
    )
    document = results_document(
        election.fingerprint, len(entries), hash_tree(entries), "civica 0.1.0", result
    )
    (folder / "results.json").write_bytes(canonical_json(document))


def edit_json(folder: Path, name: str, change: Callable[[Any], None]) -> None:
    value = json.loads((folder / name).read_bytes())
    change(value)
    (folder / name).write_bytes(canonical_json(value))


def save_receipt(folder: Path, receipt: dict[str, Any] | None) -> None:
    assert receipt is not None
    (folder / "receipt.json").write_bytes(canonical_json(receipt) + b"\n")


# ---------------------------------------------------------------------------------------------
# Attacks: each takes a copy of the clean record and the election that made it.


def ballot_dropped(folder: Path, election: TestElection) -> None:
    """Entry 6 (bruno's second ballot) is removed; later indexes shift down."""
    entries = entries_of(folder)
    del entries[6]
    republish(folder, election, entries)
    save_receipt(folder, election.receipts[6])


def ballot_content_altered(folder: Path, election: TestElection) -> None:
    """A published ballot says another project than its sealed entry opens to."""
    lines = read_lines(folder, "ballots.jsonl")
    lines[8] = lines[8].replace(b'"selections":[[101,1]]', b'"selections":[[103,1]]')
    write_lines(folder, "ballots.jsonl", lines)


def entry_replaced(folder: Path, election: TestElection) -> None:
    """Entry 8 (gil) is re-sealed with another choice; ballots and results follow it."""
    entries = entries_of(folder)
    entries[8] = election.entry_for("gil", 1, {103: 1}, label="forged")
    republish(folder, election, entries)


def entries_swapped(folder: Path, election: TestElection) -> None:
    """Entries 2 and 9 change places."""
    entries = entries_of(folder)
    entries[2], entries[9] = entries[9], entries[2]
    republish(folder, election, entries)


def entry_duplicated(folder: Path, election: TestElection) -> None:
    """Entry 3 is appended again at the end."""
    entries = entries_of(folder)
    entries.append(entries[3])
    republish(folder, election, entries)


def entry_injected(folder: Path, election: TestElection) -> None:
    """A ballot under a fresh alias is slipped in at index 5."""
    entries = entries_of(folder)
    entries.insert(5, election.entry_for("nobody", 1, {103: 1}, label="injected"))
    republish(folder, election, entries)


def checkpoint_signature_forged(folder: Path, election: TestElection) -> None:
    """Checkpoint line 2 gets another root; its signature line is kept, so it no longer verifies."""
    lines = read_lines(folder, "checkpoints.jsonl")
    value = json.loads(lines[2])
    text, signatures = value["note"].split("\n\n", 1)
    origin, size, _root = text.split("\n")
    forged_root = hash_tree([b"forged"])
    value["note"] = f"{origin}\n{size}\n{base64.b64encode(forged_root).decode()}\n\n{signatures}"
    value["root"] = forged_root.hex()
    lines[2] = canonical_json(value)
    write_lines(folder, "checkpoints.jsonl", lines)


def _signed_line(election: TestElection, size: int, root: bytes, published_at: str) -> bytes:
    note = sign_checkpoint(election.origin, size, root, election.keys.log_key)
    return canonical_json(
        {"size": size, "root": root.hex(), "note": note.decode(), "published_at": published_at}
    )


def split_view_same_size(folder: Path, election: TestElection) -> None:
    """A second, validly signed checkpoint of size 8 with another root (another history)."""
    lines = read_lines(folder, "checkpoints.jsonl")
    entries = entries_of(folder)
    other = entries[:8]
    other[7] = election.entry_for("someone-else", 1, {104: 1}, label="split")
    lines.insert(2, _signed_line(election, 8, hash_tree(other), "2018-05-02T09:02:30Z"))
    write_lines(folder, "checkpoints.jsonl", lines)


def split_view_inconsistent(folder: Path, election: TestElection) -> None:
    """Checkpoint 12 is replaced by a validly signed one that does not extend checkpoint 8."""
    lines = read_lines(folder, "checkpoints.jsonl")
    entries = entries_of(folder)
    other = entries[:12]
    other[0] = election.entry_for("ana", 1, {103: 1}, label="rewritten")
    position = next(i for i, line in enumerate(lines) if json.loads(line)["size"] == 12)
    published_at = json.loads(lines[position])["published_at"]
    lines[position] = _signed_line(election, 12, hash_tree(other), published_at)
    write_lines(folder, "checkpoints.jsonl", lines)


def count_altered(folder: Path, election: TestElection) -> None:
    """Project 101 gets one vote more in results.json."""

    def change(results: Any) -> None:
        project = results["scopes"][0]["projects"][0]
        project["votes"] += 1
        project["points"] += 1

    edit_json(folder, "results.json", change)


def winners_altered(folder: Path, election: TestElection) -> None:
    """A scope's published winners differ from what its rule selects."""

    def change(results: Any) -> None:
        winners = results["scopes"][0]["winners"]
        losers = [p["id"] for p in results["scopes"][0]["projects"] if p["id"] not in winners]
        winners[-1] = losers[0]

    edit_json(folder, "results.json", change)


def manifest_cost_altered(folder: Path, election: TestElection) -> None:
    """A project's cost is changed in the manifest after voting opened."""
    edit_json(
        folder,
        "manifest.json",
        lambda m: m["scopes"][0]["projects"][0].__setitem__("cost_cents", 10_000_00),
    )


def manifest_budget_altered(folder: Path, election: TestElection) -> None:
    """A scope's budget is changed in the manifest after voting opened."""
    edit_json(
        folder, "manifest.json", lambda m: m["scopes"][1].__setitem__("budget_cents", 90_000_00)
    )


def sealing_key_replaced(folder: Path, election: TestElection) -> None:
    """Another key pair is released instead of the one ballots were sealed to."""
    other = PrivateKey(derive("vectors", "another sealing key"))
    (folder / "sealing-key.json").write_bytes(
        canonical_json(
            {
                "public_key": base64.b64encode(bytes(other.public_key)).decode(),
                "secret_key": base64.b64encode(bytes(other)).decode(),
            }
        )
    )


def status_altered(folder: Path, election: TestElection) -> None:
    """Bruno's superseded first ballot is published as counted."""
    lines = read_lines(folder, "ballots.jsonl")
    assert b'"status":"superseded"' in lines[1]
    lines[1] = lines[1].replace(b'"status":"superseded"', b'"status":"counted"')
    write_lines(folder, "ballots.jsonl", lines)


def receipt_entry_absent(folder: Path, election: TestElection) -> None:
    """The server signed a receipt for entry 26, then lost the entry: the record is clean."""
    entry = election.entry_for("wanda", 1, {102: 1}, label="lost")
    save_receipt(folder, election.receipt_for(entry, len(election.entries)))


def receipt_wrong_key(folder: Path, election: TestElection) -> None:
    """A receipt for a real entry, signed with a key that is not the cycle's log key."""
    genuine = election.receipts[4]
    assert genuine is not None
    other = SigningKey(derive("vectors", "impostor"))
    receipt = issue_receipt(
        other,
        election.fingerprint,
        bytes.fromhex(genuine["leaf_hash"]),
        genuine["index"],
        genuine["include_by"],
    )
    save_receipt(folder, receipt)


ATTACKS: dict[str, tuple[Callable[[Path, TestElection], None], list[str]]] = {
    "ballot_dropped": (ballot_dropped, ["checkpoint-root", "receipt-entry"]),
    "ballot_content_altered": (ballot_content_altered, ["ballot-content"]),
    "entry_replaced": (entry_replaced, ["checkpoint-root"]),
    "entries_swapped": (entries_swapped, ["checkpoint-root"]),
    "entry_duplicated": (entry_duplicated, ["checkpoint-final"]),
    "entry_injected": (entry_injected, ["checkpoint-root"]),
    "checkpoint_signature_forged": (checkpoint_signature_forged, ["checkpoint-signature"]),
    "split_view_same_size": (split_view_same_size, ["checkpoint-consistency"]),
    "split_view_inconsistent": (split_view_inconsistent, ["checkpoint-consistency"]),
    "count_altered": (count_altered, ["result-votes"]),
    "winners_altered": (winners_altered, ["result-winners"]),
    "manifest_cost_altered": (manifest_cost_altered, ["manifest-fingerprint"]),
    "manifest_budget_altered": (manifest_budget_altered, ["manifest-fingerprint"]),
    "sealing_key_replaced": (sealing_key_replaced, ["sealing-key"]),
    "status_altered": (status_altered, ["ballot-status"]),
    "receipt_entry_absent": (receipt_entry_absent, ["receipt-entry"]),
    "receipt_wrong_key": (receipt_wrong_key, ["receipt-signature"]),
}


def generate(target: Path = VECTORS) -> None:
    """Write every vector under `target`, each with its `expected.json`."""
    election = vector_election()
    clean = target / "clean"
    _fresh(clean)
    election.close(clean)
    save_receipt(clean, election.receipts[6])
    _expect(clean, "A clean record of a cycle with every ballot type: it verifies.", [])
    example = worked_example()
    _fresh(target / "worked_example")
    example.close(target / "worked_example")
    save_receipt(target / "worked_example", example.receipts[2])
    _expect(target / "worked_example", "The worked example of docs/election-record.md §13.", [])
    for name, (attack, checks) in ATTACKS.items():
        folder = target / name
        _fresh(folder)
        for path in clean.iterdir():
            if path.name not in ("receipt.json", "expected.json"):
                shutil.copyfile(path, folder / path.name)
        attack(folder, election)
        _expect(folder, " ".join((attack.__doc__ or "").split()), checks)
    _write_readme(target)


def _write_readme(target: Path) -> None:
    rows = []
    for expected in sorted(target.glob("*/expected.json")):
        value = json.loads(expected.read_text(encoding="utf-8"))
        findings = ", ".join(f"`{check}`" for check in value["findings"]) or "none (verifies)"
        rows.append(f"| `{expected.parent.name}` | {value['description']} | {findings} |")
    text = (
        "# Verifier test vectors\n\n"
        "Election records for `docs/election-record.md`, written by `generate.py` (run it from "
        "the repository root: `PYTHONPATH=. python tests/vectors/generate.py`). Each folder is a "
        "record; `expected.json` lists the checks (§11) a verifier must report, and "
        "`receipt.json`, where present, is a voter's receipt to check with it. Every vector "
        "starts from the clean record. The split views and the lost entry's receipt are made "
        "with the cycle's log key, as a dishonest server could; the others as a forger "
        "without it, who cannot re-sign checkpoints or the closing statement.\n\n"
        "| vector | what was done | findings a verifier must report (at least) |\n"
        "| --- | --- | --- |\n" + "\n".join(rows) + "\n"
    )
    (target / "README.md").write_text(text, encoding="utf-8")


def _expect(folder: Path, description: str, checks: list[str]) -> None:
    """`expected.json`: what the vector is and the checks a verifier must report (none: clean)."""
    value = {"description": description, "findings": checks}
    (folder / "expected.json").write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def update_worked_example_in_docs(docs: Path) -> None:
    """Write the worked example's facts between the markers of docs/election-record.md §13."""
    text = docs.read_text(encoding="utf-8")
    begin, end = "<!-- worked-example:begin -->\n", "<!-- worked-example:end -->"
    head, rest = text.split(begin)
    _, tail = rest.split(end)
    block = "```\n" + describe_worked_example(VECTORS / "worked_example") + "```\n"
    docs.write_text(head + begin + block + end + tail, encoding="utf-8")


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        generate(Path(sys.argv[1]))
        print(f"wrote the vectors under {sys.argv[1]}")
    else:
        generate(VECTORS)
        update_worked_example_in_docs(VECTORS.parents[1] / "docs" / "election-record.md")
        print(f"wrote the vectors under {VECTORS} and §13 of docs/election-record.md")
