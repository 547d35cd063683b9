"""C2SP signed notes: published vectors, keys, and malformed notes refused."""

import pytest
from nacl.signing import SigningKey

from verification.errors import KeyFormatError, NoteFormatError, SignatureError
from verification.note import (
    MAX_NOTE_BYTES,
    MAX_SIGNATURES,
    compute_key_id,
    create_signer,
    encode_signer_key,
    encode_verifier_key,
    open_note,
    parse_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
)

# golang.org/x/mod/sumdb/note: the package documentation's example (note.go) and
# note_test.go (TestVerifierList): PeterNeumann's key pair, the note it signs, and the second
# signature by EnochRoot. Ed25519 is deterministic, so signing must reproduce it byte for byte.
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
PETER_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_LINE = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqd"
    "ngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_LINE = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWL"
    "ox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = (PETER_TEXT + "\n" + PETER_LINE).encode()

# github.com/transparency-dev/formats, log/note_test.go: signer and verifier key pairs.
FORMATS_KEY_PAIRS = [
    (
        "Log+2271c621+AemuH5ooBpEPcr+W8onrjA1NfuzBVHdezakU81Ekarvs",
        "PRIVATE+KEY+Log+2271c621+AdEIq9FLRQni54Wg68T96VJO+iayOaulswav2DUMKgvQ",
    ),
    (
        "Known+451c786d+AXAQ0T7lbwuY4ABJ9/MYY9bWV3hmSyOGVt2x42NkmdUH",
        "PRIVATE+KEY+Known+451c786d+AQPRoE2+Z+Ed1HaHBA9F/FfracvcZ2rDU39kCecMEoci",
    ),
    (
        "KnownAgain+4893b26c+AQ+LR7BFF/F/dkpIBjBpSvT0crkteizuUkavAoGeaYMj",
        "PRIVATE+KEY+KnownAgain+4893b26c+ARhZda/l25zjGZswYLDZsLNRzNpmv5wYTN9IoTr1OJ2+",
    ),
    (
        "Unknown+fdbb2e08+AWgRIYZ+8x1Vl+1Q+sR8zciNHiYI1SdlBjNw+RV0rots",
        "PRIVATE+KEY+Unknown+fdbb2e08+Aav2knTC6orbhXX8pMWuNiWgO+Wwk2DB+h1eU2Q1W1nU",
    ),
]

# The example of the C2SP signed-note specification (c2sp.org/signed-note, editor's copy),
# as quoted verbatim by several independent implementations.
C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONnc"
    "AlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
).encode()


def test_signing_reproduces_the_go_example_byte_for_byte() -> None:
    signer = parse_signer_key(PETER_SKEY)
    assert sign_note(PETER_TEXT, [signer]) == PETER_NOTE
    assert encode_verifier_key(signer.verifier) == PETER_VKEY
    assert encode_signer_key(signer) == PETER_SKEY


def test_the_go_example_opens_with_either_key() -> None:
    note = (PETER_TEXT + "\n" + PETER_LINE + ENOCH_LINE).encode()
    peter, enoch = parse_verifier_key(PETER_VKEY), parse_verifier_key(ENOCH_VKEY)
    signed, verified = open_note(note, [peter, enoch])
    assert signed.text == PETER_TEXT
    assert verified == (peter, enoch)
    assert open_note(note, [enoch])[1] == (enoch,)
    assert [(s.name, f"{s.key_id:08x}") for s in signed.signatures] == [
        ("PeterNeumann", "c74f20a3"),
        ("EnochRoot", "af0cfe78"),
    ]


def test_enoch_root_key_is_the_all_zero_seed() -> None:
    assert encode_verifier_key(create_signer("EnochRoot", bytes(32)).verifier) == ENOCH_VKEY


@pytest.mark.parametrize(("vkey", "skey"), FORMATS_KEY_PAIRS)
def test_key_strings_of_transparency_dev_formats_round_trip(vkey: str, skey: str) -> None:
    signer = parse_signer_key(skey)
    assert encode_verifier_key(signer.verifier) == vkey
    assert parse_verifier_key(vkey) == signer.verifier
    assert encode_signer_key(signer) == skey


def test_the_c2sp_example_verifies() -> None:
    verifier = parse_verifier_key(C2SP_VKEY)
    assert verifier.key_id == 0x530D903A
    assert open_note(C2SP_NOTE, [verifier])[0].text == "This is an example message.\n"


def test_key_id_is_the_hash_of_name_type_and_key() -> None:
    verifier = parse_verifier_key(PETER_VKEY)
    assert compute_key_id("PeterNeumann", verifier.public_key) == 0xC74F20A3
    assert compute_key_id("PeterNeumann2", verifier.public_key) != 0xC74F20A3


@pytest.mark.parametrize(
    "vkey",
    [
        "",
        "PeterNeumann",
        "PeterNeumann+c74f20a3",
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong ID
        "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # 7 hex digits
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space
        "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # empty name
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # bad base64
        "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # type 0x02
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy",  # short key
    ],
)
def test_malformed_verifier_keys_are_refused(vkey: str) -> None:
    with pytest.raises(KeyFormatError):
        parse_verifier_key(vkey)


@pytest.mark.parametrize(
    "skey",
    [
        PETER_SKEY.replace("PRIVATE", "PUBLIC"),
        PETER_SKEY.replace("c74f20a3", "c74f20a4"),
        PETER_SKEY.replace("PeterNeumann", "EnochRoot"),
        PETER_SKEY[:-4],
        "PRIVATE+KEY+PeterNeumann",
    ],
)
def test_malformed_signer_keys_are_refused(skey: str) -> None:
    with pytest.raises(KeyFormatError):
        parse_signer_key(skey)


def test_signer_does_not_show_its_secret() -> None:
    signer = parse_signer_key(PETER_SKEY)
    assert "AYEKFALVFGyNhPJEMzD1QIDr" not in repr(signer)
    assert str(bytes(signer.signing_key)) not in repr(signer)


def test_unknown_keys_are_ignored_but_a_bad_known_signature_rejects() -> None:
    peter = parse_verifier_key(PETER_VKEY)
    other = create_signer("PeterNeumann", SigningKey(bytes(range(32))))
    # Same name, other key ID: ignored, and Peter's own signature carries the note.
    note = sign_note(PETER_TEXT, [other]) + PETER_LINE.encode()
    assert open_note(note, [peter])[1] == (peter,)
    # Only an unknown key signed: refused.
    with pytest.raises(SignatureError, match="no signature from a trusted key"):
        open_note(sign_note(PETER_TEXT, [other]), [peter])
    # A known key's bad signature rejects the note even beside a good one.
    forged = PETER_LINE.replace("BS9UG", "BT9UG").encode()
    with pytest.raises(SignatureError, match="invalid signature by key PeterNeumann"):
        open_note(PETER_NOTE + forged, [peter])
    with pytest.raises(SignatureError, match="no signature"):
        open_note(PETER_NOTE, [])


def test_duplicate_trusted_keys_are_refused() -> None:
    peter = parse_verifier_key(PETER_VKEY)
    with pytest.raises(SignatureError, match="share name and ID"):
        open_note(PETER_NOTE, [peter, peter])


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        (PETER_TEXT.encode() + PETER_LINE.encode(), "blank line"),
        (PETER_NOTE[:-1], "end with a signature line"),
        (PETER_TEXT.encode() + b"\n", "end with a signature line"),
        (PETER_NOTE.replace(b"\xe2\x80\x94 ", b"- "), "does not start"),
        (PETER_NOTE.replace(b"\xe2\x80\x94 ", b"\xe2\x80\x94"), "does not start"),
        (PETER_NOTE.replace(b"PeterNeumann ", b"Peter+Neumann "), "invalid key name"),
        (PETER_NOTE.replace(b"PeterNeumann ", b"PeterNeumann  "), "base64"),
        (PETER_NOTE.replace(b"AM=\n", b"AM= \n"), "base64"),
        (PETER_NOTE.replace(b"AM=\n", b"AN=\n"), "canonical"),
        (PETER_NOTE.replace(b"problem,\n", b"problem,\r\n"), "control character"),
        (PETER_NOTE.replace(b"problem,", b"problem\t"), "control character"),
        (PETER_NOTE.replace(b"cryptography", b"crypt\xffgraphy"), "UTF-8"),
        (PETER_TEXT.encode() + "\n— PeterNeumann AAAA\n".encode(), "too short"),
        (b"a" * (MAX_NOTE_BYTES + 1), "limit"),
        (PETER_TEXT.encode() + b"\n" + PETER_LINE.encode() * (MAX_SIGNATURES + 1), "over"),
    ],
)
def test_malformed_notes_are_refused(note: bytes, reason: str) -> None:
    with pytest.raises(NoteFormatError, match=reason):
        parse_note(note)
    with pytest.raises(NoteFormatError):
        open_note(note, [parse_verifier_key(PETER_VKEY)])


def test_text_may_hold_blank_lines_and_the_last_one_separates() -> None:
    signer = parse_signer_key(PETER_SKEY)
    text = "first\n\nthird\n"
    signed, _ = open_note(sign_note(text, [signer]), [signer.verifier])
    assert signed.text == text


def test_sixteen_signatures_are_accepted() -> None:
    signers = [create_signer(f"witness{i}", bytes([i]) * 32) for i in range(16)]
    note = sign_note(PETER_TEXT, signers)
    assert len(open_note(note, [signer.verifier for signer in signers])[1]) == 16


def test_signing_refuses_bad_text_and_names() -> None:
    signer = parse_signer_key(PETER_SKEY)
    with pytest.raises(NoteFormatError):
        sign_note("no final newline", [signer])
    with pytest.raises(NoteFormatError):
        sign_note("bell \x07\n", [signer])
    with pytest.raises(NoteFormatError):
        sign_note(PETER_TEXT, [])
    with pytest.raises(KeyFormatError):
        create_signer("with space", bytes(32))
    with pytest.raises(KeyFormatError):
        create_signer("", bytes(32))
