"""C2SP signed notes with Ed25519 signatures (https://c2sp.org/signed-note).

A signed note is UTF-8 text that ends in a newline, then a blank line, then one or more
signature lines "— <key name> <base64(key ID ‖ signature)>\\n" (U+2014 EM DASH, space). For
Ed25519, signature type 0x01, the key ID is the first 4 bytes, big-endian, of
SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key), and the signature is RFC 8032 Ed25519
over the note text including its final newline. Key strings follow golang.org/x/mod/sumdb/note:
verifier key "<name>+<hex key ID>+<base64(0x01 ‖ public key)>", signer key
"PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ 32-byte seed)>".

Parsing is strict: valid UTF-8, no ASCII control character but newline, canonical standard
base64 (RFC 4648 §4), at most `MAX_NOTE_BYTES` bytes and `MAX_SIGNATURES` signature lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

from verification.errors import KeyFormatError, NoteFormatError, SignatureError

ED25519_TYPE = 0x01
MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100

_SIGNATURE_PREFIX = "— "
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x09\x0b-\x1f]")
_KEY_ID_HEX = re.compile(r"[0-9a-fA-F]{8}")


@dataclass(frozen=True, slots=True)
class NoteVerifier:
    """A trusted Ed25519 note key: its name, key ID and 32-byte public key."""

    name: str
    key_id: int
    public_key: bytes

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Report whether `signature` is this key's Ed25519 signature of `text`."""
        if len(signature) != 64:
            return False
        try:
            VerifyKey(self.public_key).verify(text, signature)
        except BadSignatureError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class NoteSigner:
    """An Ed25519 note signing key with its name and key ID."""

    name: str
    key_id: int
    signing_key: SigningKey = field(repr=False)

    @property
    def verifier(self) -> NoteVerifier:
        """The matching public verifier."""
        return NoteVerifier(self.name, self.key_id, bytes(self.signing_key.verify_key))


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line of a note: key name, key ID and the signature bytes."""

    name: str
    key_id: int
    signature: bytes


@dataclass(frozen=True, slots=True)
class SignedNote:
    """A parsed note: its text (final newline included) and its signature lines."""

    text: str
    signatures: tuple[NoteSignature, ...]


def is_valid_key_name(name: str) -> bool:
    """Report whether `name` is a valid key name: non-empty, no Unicode space, no "+"."""
    # str.split() splits at exactly the characters for which isspace() holds.
    return bool(name) and "+" not in name and name.split() == [name]


def compute_key_id(name: str, public_key: bytes) -> int:
    """Return the Ed25519 key ID: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ED25519_TYPE]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def create_signer(name: str, signing_key: SigningKey | bytes) -> NoteSigner:
    """Return a note signer for an Ed25519 key (or its 32-byte seed) under `name`."""
    if not is_valid_key_name(name):
        raise KeyFormatError(f"invalid key name {name!r}")
    key = signing_key if isinstance(signing_key, SigningKey) else SigningKey(signing_key)
    return NoteSigner(name, compute_key_id(name, bytes(key.verify_key)), key)


def encode_verifier_key(verifier: NoteVerifier) -> str:
    """Return the verifier key string "<name>+<hex key ID>+<base64(0x01 ‖ public key)>"."""
    material = base64.b64encode(bytes([ED25519_TYPE]) + verifier.public_key).decode()
    return f"{verifier.name}+{verifier.key_id:08x}+{material}"


def encode_signer_key(signer: NoteSigner) -> str:
    """Return the secret key string "PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 ‖ seed)>"."""
    material = base64.b64encode(bytes([ED25519_TYPE]) + bytes(signer.signing_key)).decode()
    return f"PRIVATE+KEY+{signer.name}+{signer.key_id:08x}+{material}"


def _decode_key(name: str, key_id_hex: str, material: str) -> tuple[int, bytes]:
    if not is_valid_key_name(name) or not _KEY_ID_HEX.fullmatch(key_id_hex):
        raise KeyFormatError("key string needs a valid name and an 8-digit hex key ID")
    raw = decode_base64(material, KeyFormatError, "key material")
    # Only signature type 0x01 (Ed25519) with a 32-byte key is supported.
    if len(raw) != 33 or raw[0] != ED25519_TYPE:
        raise KeyFormatError("key material is not an Ed25519 key (type 0x01, 32 bytes)")
    return int(key_id_hex, 16), raw[1:]


def parse_verifier_key(vkey: str) -> NoteVerifier:
    """Parse a verifier key string and check its key ID against its name and key."""
    name, _, rest = vkey.partition("+")
    key_id_hex, _, material = rest.partition("+")
    key_id, public_key = _decode_key(name, key_id_hex, material)
    # The key ID must be the hash of this name and this key.
    if key_id != compute_key_id(name, public_key):
        raise KeyFormatError(f"key ID {key_id_hex} does not match key {name}")
    return NoteVerifier(name, key_id, public_key)


def parse_signer_key(skey: str) -> NoteSigner:
    """Parse a "PRIVATE+KEY+..." signer key string and check its key ID."""
    parts = skey.split("+", 4)
    if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
        raise KeyFormatError("signer key must start with PRIVATE+KEY+")
    key_id, seed = _decode_key(parts[2], parts[3], parts[4])
    signer = create_signer(parts[2], seed)
    # The key ID names the public key, so derive it from the seed before comparing.
    if key_id != signer.key_id:
        raise KeyFormatError(f"key ID {parts[3]} does not match signer key {parts[2]}")
    return signer


def decode_base64(text: str, error: type[Exception], what: str) -> bytes:
    """Decode canonical standard base64 (RFC 4648 §4) or raise `error`."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise error(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise error(f"{what} is not canonical base64")
    return raw


def sign_note(text: str, signers: Sequence[NoteSigner]) -> bytes:
    """Sign `text` (which must end in a newline) and return the encoded signed note."""
    if not text.endswith("\n") or _CONTROL_CHARACTERS.search(text):
        raise NoteFormatError("note text must end in a newline and hold no control characters")
    if not signers:
        raise NoteFormatError("a signed note needs at least one signature")
    message = text.encode()
    lines = []
    for signer in signers:
        # Signature line payload: 4-byte big-endian key ID, then Ed25519 over the text.
        signature = signer.signing_key.sign(message).signature
        payload = signer.key_id.to_bytes(4, "big") + signature
        lines.append(f"{_SIGNATURE_PREFIX}{signer.name} {base64.b64encode(payload).decode()}\n")
    return (text + "\n" + "".join(lines)).encode()


def parse_note(note: bytes) -> SignedNote:
    """Split a signed note into its text and signature lines, checking its syntax only."""
    if len(note) > MAX_NOTE_BYTES:
        raise NoteFormatError(f"note is {len(note)} bytes, over the {MAX_NOTE_BYTES} limit")
    try:
        decoded = note.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NoteFormatError("note is not valid UTF-8") from exc
    if _CONTROL_CHARACTERS.search(decoded):
        raise NoteFormatError("note contains an ASCII control character other than newline")
    # The last blank line separates the text (with its final newline) from the signatures.
    split = decoded.rfind("\n\n")
    if split < 0:
        raise NoteFormatError("note has no blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block.endswith("\n"):
        raise NoteFormatError("note must end with a signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteFormatError(f"note has {len(lines)} signatures, over {MAX_SIGNATURES}")
    signatures = []
    for line in lines:
        # Each line: em dash, space, key name, space, base64(key ID ‖ signature).
        if not line.startswith(_SIGNATURE_PREFIX):
            raise NoteFormatError(f"signature line {line!r} does not start with '— '")
        name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        if not is_valid_key_name(name):
            raise NoteFormatError(f"signature line has an invalid key name {name!r}")
        raw = decode_base64(encoded, NoteFormatError, f"signature by {name}")
        if len(raw) < 5:
            raise NoteFormatError(f"signature by {name} is too short")
        signatures.append(NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:]))
    return SignedNote(text, tuple(signatures))


def open_note(
    note: bytes, verifiers: Sequence[NoteVerifier]
) -> tuple[SignedNote, tuple[NoteVerifier, ...]]:
    """Parse a note and verify it; return it with the trusted keys whose signatures verified."""
    parsed = parse_note(note)
    known: dict[tuple[str, int], NoteVerifier] = {}
    for verifier in verifiers:
        if (verifier.name, verifier.key_id) in known:
            raise SignatureError(f"two trusted keys share name and ID {verifier.name}")
        known[(verifier.name, verifier.key_id)] = verifier
    message = parsed.text.encode()
    verified: list[NoteVerifier] = []
    for signature in parsed.signatures:
        # Signatures from unknown keys are ignored, even if the name or the ID matches.
        trusted = known.get((signature.name, signature.key_id))
        if trusted is None:
            continue
        # A known key's signature must verify, or the whole note is rejected.
        if not trusted.verify(message, signature.signature):
            raise SignatureError(f"invalid signature by key {signature.name}")
        if trusted not in verified:
            verified.append(trusted)
    # At least one trusted key must have signed.
    if not verified:
        raise SignatureError("note has no signature from a trusted key")
    return parsed, tuple(verified)
