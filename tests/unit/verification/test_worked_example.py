"""The worked example of docs/election-record.md §13: the printed figures are the committed
files', the record verifies, and the spec's rules recomputed from scratch (hashlib and PyNaCl
only, none of civica's code) give the same hashes."""

import base64
import hashlib
import json
from pathlib import Path

from nacl.public import PrivateKey, SealedBox
from nacl.signing import VerifyKey

from tests.vectors.generate import describe_worked_example
from verification.verifier import ReceiptInput, verify_record

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "tests" / "vectors" / "worked_example"
DOCS = REPO / "docs" / "election-record.md"


def _docs_block() -> str:
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("<!-- worked-example:begin -->\n```\n")[1].split("```\n<!--")[0]
    return block


def test_the_figures_in_the_docs_are_those_of_the_committed_files() -> None:
    assert _docs_block() == describe_worked_example(EXAMPLE)


def test_the_worked_example_verifies() -> None:
    receipt = json.loads((EXAMPLE / "receipt.json").read_text())
    report = verify_record(str(EXAMPLE), receipts=[ReceiptInput("receipt.json", receipt)])
    assert report.ok, report.findings
    assert report.counts["entries"] == 5


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def test_the_spec_alone_reproduces_the_example() -> None:
    manifest_bytes = (EXAMPLE / "manifest.json").read_bytes()
    fingerprint = hashlib.sha256(manifest_bytes).digest()
    manifest = json.loads(manifest_bytes)
    # §3: entries, and §4: leaf and node hashes, then the roots the checkpoints sign.
    entries = [
        base64.b64decode(json.loads(line)["entry"])
        for line in (EXAMPLE / "entries.jsonl").read_bytes().splitlines()
    ]
    assert all(e.startswith(b"civica-entry/1\n" + fingerprint) for e in entries)
    leaves = [hashlib.sha256(b"\x00" + e).digest() for e in entries]
    root3 = _node(_node(leaves[0], leaves[1]), leaves[2])
    root5 = _node(_node(_node(leaves[0], leaves[1]), _node(leaves[2], leaves[3])), leaves[4])
    checkpoints = [json.loads(x) for x in (EXAMPLE / "checkpoints.jsonl").read_bytes().splitlines()]
    assert [(c["size"], c["root"]) for c in checkpoints] == [(3, root3.hex()), (5, root5.hex())]
    # §4: the note's signature, with the key ID of the origin and the log key.
    log_key = base64.b64decode(manifest["log_public_key"])
    origin = "civica/" + fingerprint.hex()
    text, signature_line = checkpoints[1]["note"].split("\n\n")
    assert text == f"{origin}\n5\n{base64.b64encode(root5).decode()}"
    name, payload = signature_line.removeprefix("— ").rstrip("\n").split(" ")
    raw = base64.b64decode(payload)
    key_id = hashlib.sha256(origin.encode() + b"\n\x01" + log_key).digest()[:4]
    assert (name, raw[:4]) == (origin, key_id)
    VerifyKey(log_key).verify((text + "\n").encode(), raw[4:])
    # §5: the released key opens entry 0 to the padded canonical plaintext.
    keys = json.loads((EXAMPLE / "sealing-key.json").read_bytes())
    secret = PrivateKey(base64.b64decode(keys["secret_key"]))
    assert bytes(secret.public_key) == base64.b64decode(manifest["sealing_public_key"])
    plaintext = SealedBox(secret).decrypt(entries[0][88:])
    body = b'{"format":"civica-ballot/1","scope":1,"selections":[[12,1]]}'
    assert plaintext == body + b"\x00" * (256 - len(body))
    # §9: the closing statement signs the file hashes.
    closing = json.loads((EXAMPLE / "closing.json").read_bytes())
    for file_name, digest in closing["files"].items():
        assert hashlib.sha256((EXAMPLE / file_name).read_bytes()).hexdigest() == digest
    fields = {k: v for k, v in closing.items() if k != "signature"}
    message = (
        b"civica-close/1\n"
        + json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    VerifyKey(log_key).verify(message, base64.b64decode(closing["signature"]))
