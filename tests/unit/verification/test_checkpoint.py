"""C2SP tlog-checkpoint: a published checkpoint, round trips, tampering and wrong keys."""

import base64

import pytest
from nacl.signing import SigningKey

from verification.checkpoint import (
    Checkpoint,
    encode_checkpoint,
    parse_checkpoint,
    parse_checkpoint_text,
    sign_checkpoint,
    verify_checkpoint,
)
from verification.errors import (
    CheckpointFormatError,
    KeyFormatError,
    NoteFormatError,
    OriginMismatchError,
    SignatureError,
    VerificationError,
)
from verification.merkle import EMPTY_ROOT, hash_tree
from verification.note import create_signer, encode_verifier_key, sign_note

# A real Go checksum database checkpoint signed by sum.golang.org's published key, from
# github.com/transparency-dev/formats, log/note_test.go (TestSumDBNoteParsing).
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n"
    "6476701\n"
    "mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=\n"
    "\n"
    "— sum.golang.org Az3grsLX85Gz+s1SiTbgkuqxgItqFq7gsMUEyVnrsa9LM7Us9S+1xbFIGu95949rj4nPRYfvi"
    "mWEPWL+o3GeoWwOoAw=\n"
).encode()

# The example of the C2SP tlog-checkpoint specification; its key is not published, so it
# is only parsed.
C2SP_EXAMPLE = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcy"
    "v2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
).encode()

ORIGIN = "civica.example/cycle/2018"
SEED = bytes(range(32))
SIGNER = create_signer(ORIGIN, SEED)
VKEY = encode_verifier_key(SIGNER.verifier)
ROOT = hash_tree([b"ballot 1", b"ballot 2", b"ballot 3"])


def _body(origin: str = ORIGIN, size: str = "3", root: str | None = None) -> str:
    root_line = base64.b64encode(ROOT).decode() if root is None else root
    return f"{origin}\n{size}\n{root_line}\n"


def test_the_go_checksum_database_checkpoint_verifies() -> None:
    checkpoint = verify_checkpoint(SUMDB_NOTE, SUMDB_VKEY, origin="go.sum database tree")
    assert checkpoint.origin == "go.sum database tree"
    assert checkpoint.size == 6476701
    assert checkpoint.root_hash == base64.b64decode("mb8QLQIs0Z0yP5Cstq6guj87oXWeC9gEM8oVikmm9Wk=")
    assert checkpoint.extensions == ()
    with pytest.raises(OriginMismatchError):
        verify_checkpoint(SUMDB_NOTE, SUMDB_VKEY, origin="Go rocks but I might have the wrong ID")
    with pytest.raises(SignatureError):
        verify_checkpoint(SUMDB_NOTE.replace(b"6476701", b"6476702"), SUMDB_VKEY)


def test_the_c2sp_example_parses() -> None:
    checkpoint = parse_checkpoint(C2SP_EXAMPLE)
    assert (checkpoint.origin, checkpoint.size) == ("example.com/behind-the-sofa", 20852163)
    assert len(checkpoint.root_hash) == 32


def test_body_encoding_is_the_specified_lines() -> None:
    checkpoint = Checkpoint(ORIGIN, 3, ROOT, ("extension one",))
    text = encode_checkpoint(checkpoint)
    assert text == _body() + "extension one\n"
    assert parse_checkpoint_text(text) == checkpoint


def test_sign_parse_verify_round_trip() -> None:
    note = sign_checkpoint(ORIGIN, 3, ROOT, SEED)
    assert note.decode().startswith(_body() + "\n— " + ORIGIN + " ")
    expected = Checkpoint(ORIGIN, 3, ROOT)
    assert parse_checkpoint(note) == expected
    assert verify_checkpoint(note, VKEY, origin=ORIGIN) == expected
    assert verify_checkpoint(note, SIGNER.verifier) == expected
    assert sign_checkpoint(ORIGIN, 3, ROOT, SigningKey(SEED)) == note
    assert sign_checkpoint(ORIGIN, 3, ROOT, SIGNER) == note


def test_empty_tree_and_extensions_round_trip() -> None:
    note = sign_checkpoint(ORIGIN, 0, EMPTY_ROOT, SEED, extensions=["voting open"])
    assert verify_checkpoint(note, VKEY) == Checkpoint(ORIGIN, 0, EMPTY_ROOT, ("voting open",))


def test_key_name_can_differ_from_the_origin() -> None:
    note = sign_checkpoint(
        "Câmara Municipal de Lisboa — OP 2018", 3, ROOT, SEED, "lisboa.example/op"
    )
    vkey = encode_verifier_key(create_signer("lisboa.example/op", SEED).verifier)
    assert verify_checkpoint(note, vkey).origin == "Câmara Municipal de Lisboa — OP 2018"
    with pytest.raises(CheckpointFormatError, match="signer is"):
        sign_checkpoint(ORIGIN, 3, ROOT, SIGNER, "someone-else")


def test_every_flipped_bit_is_refused() -> None:
    note = sign_checkpoint(ORIGIN, 3, ROOT, SEED)
    accepted = []
    for position in range(len(note)):
        for bit in (0, 5):
            tampered = bytearray(note)
            tampered[position] ^= 1 << bit
            try:
                verify_checkpoint(bytes(tampered), VKEY)
            except VerificationError:
                continue
            accepted.append((position, bit))
    assert accepted == []


def test_wrong_keys_are_refused() -> None:
    note = sign_checkpoint(ORIGIN, 3, ROOT, SEED)
    other = encode_verifier_key(create_signer(ORIGIN, bytes(32)).verifier)
    with pytest.raises(SignatureError, match="no signature from a trusted key"):
        verify_checkpoint(note, other)
    with pytest.raises(SignatureError, match="no signature from a trusted key"):
        verify_checkpoint(note, SUMDB_VKEY)
    with pytest.raises(KeyFormatError):
        verify_checkpoint(note, "not a key")
    # Any one of several trusted keys (e.g. during key rotation) is enough.
    assert verify_checkpoint(note, [other, VKEY]).size == 3


def test_a_forged_log_signature_is_refused_beside_a_witness_signature() -> None:
    witness = create_signer("witness.example", bytes([7]) * 32)
    forger = create_signer(ORIGIN, bytes([9]) * 32)
    text = _body()
    # The forger's key has another key ID, so it is an unknown key: ignored, not trusted.
    forged = sign_note(text, [forger, witness])
    with pytest.raises(SignatureError, match="no signature from a trusted key"):
        verify_checkpoint(forged, VKEY)
    # A bad signature under the log's own name and key ID rejects the note outright, even
    # beside a good signature from another trusted key.
    log_line = sign_note(text, [SIGNER]).decode().split("\n\n", 1)[1]
    prefix, encoded = log_line.rstrip("\n").rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[10] ^= 1
    bad_line = f"{prefix} {base64.b64encode(bytes(raw)).decode()}\n"
    witness_line = sign_note(text, [witness]).decode().split("\n\n", 1)[1]
    witness_vkey = encode_verifier_key(witness.verifier)
    assert verify_checkpoint((text + "\n" + witness_line).encode(), witness_vkey).size == 3
    with pytest.raises(SignatureError, match="invalid signature by key"):
        verify_checkpoint((text + "\n" + witness_line + bad_line).encode(), [witness_vkey, VKEY])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"{ORIGIN}\n3\n", "needs at least 3"),
        (_body(origin=""), "origin line is empty"),
        (_body(origin=ORIGIN + " "), "whitespace"),
        (_body(origin=" " + ORIGIN), "whitespace"),
        (_body(size="03"), "not a valid size"),
        (_body(size="-3"), "not a valid size"),
        (_body(size="+3"), "not a valid size"),
        (_body(size="3 "), "not a valid size"),
        (_body(size="٣"), "not a valid size"),
        (_body(size=str(1 << 64)), "not a valid size"),
        (_body(size=""), "not a valid size"),
        (_body(root="ThisIsn'tBase64"), "not valid base64"),
        (_body(root=base64.b64encode(b"bananas").decode()), "7 bytes"),
        (_body(root=base64.b64encode(ROOT).decode() + " "), "not valid base64"),
        (_body(root=base64.b64encode(ROOT).decode().rstrip("=")), "not valid base64"),
        (_body() + "\n", "extension line is empty"),
        (_body() + "trailing \n", "whitespace"),
    ],
)
def test_malformed_checkpoints_are_refused(text: str, reason: str) -> None:
    with pytest.raises(CheckpointFormatError, match=reason):
        parse_checkpoint_text(text)
    # Signed or not, the note is refused for its body.
    note = sign_note(text, [SIGNER]) if text.endswith("\n") else text.encode()
    with pytest.raises(NoteFormatError):
        verify_checkpoint(note, VKEY)


def test_checkpoint_text_needs_a_final_newline() -> None:
    with pytest.raises(CheckpointFormatError, match="newline"):
        parse_checkpoint_text(_body()[:-1])


def test_malformed_notes_are_refused_before_the_body() -> None:
    note = sign_checkpoint(ORIGIN, 3, ROOT, SEED)
    for bad in (
        note.replace(b"\n\n", b"\n"),  # no blank line
        note + b"x",  # no final newline
        note.replace(b"3\n", b"3\r\n"),  # control character
        b"\xff" + note,  # not UTF-8
        note + b"\n" * (1 << 20),  # oversize
    ):
        with pytest.raises(NoteFormatError):
            verify_checkpoint(bad, VKEY)


def test_signing_refuses_what_it_could_not_parse() -> None:
    with pytest.raises(CheckpointFormatError, match="32"):
        sign_checkpoint(ORIGIN, 3, b"short", SEED)
    with pytest.raises(CheckpointFormatError, match="out of range"):
        sign_checkpoint(ORIGIN, -1, ROOT, SEED)
    with pytest.raises(CheckpointFormatError, match="control character"):
        sign_checkpoint(ORIGIN + "\nforged", 3, ROOT, SEED, "k")
    with pytest.raises(CheckpointFormatError, match="extension"):
        sign_checkpoint(ORIGIN, 3, ROOT, SEED, extensions=[""])
