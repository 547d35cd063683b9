"""The census roll: parsing and checking the municipality's CSV, and sealing contact details.

A file is accepted whole or not at all: every problem is reported with its line number.
What is kept of a row is its person key (HMAC of the ID number), birth date, residence code,
status, HMACs of the phone number and e-mail address, and the phone and e-mail sealed with
the deployment's contact key (needed to send the one-time code); see docs/identity.md.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox

from verification.identity.model import normalise_subject, person_key
from verification.messages import _

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

REQUIRED_COLUMNS = ("id_number", "birth_date", "residence")
OPTIONAL_COLUMNS = ("phone", "email", "status")
CENSUS_STATUSES = ("citizen", "legal_resident")
MAX_PROBLEMS_SHOWN = 50
MAX_FIELD_LENGTH = 254
ID_NUMBER = re.compile(r"^[0-9A-Z]{5,20}$")
RESIDENCE = re.compile(r"^[A-Za-z0-9._-]{1,32}$")
PHONE = re.compile(r"^\+?[0-9]{7,15}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
OLDEST_BIRTH_YEAR = 1890


@dataclass(frozen=True)
class CensusProblem:
    """One problem in a census file: the line it is on (1 is the header) and what is wrong."""

    line: int
    message: str


class CensusFileRejected(ValueError):
    """A census file with problems; nothing of it may be imported."""

    def __init__(self, problems: list[CensusProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the census file")
        self.problems = problems


@dataclass(frozen=True, repr=False)
class CensusRow:
    """One person on the roll, as read from the file (holds raw values: keep it in memory)."""

    line: int
    id_number: str
    birth_date: date
    residence: str
    status: str | None
    phone: str | None
    email: str | None

    def __repr__(self) -> str:
        return f"CensusRow(line={self.line}, <personal data>)"


@dataclass(frozen=True)
class Contact:
    """Where a one-time code can be sent."""

    phone: str | None
    email: str | None


@dataclass(frozen=True)
class CensusEntry:
    """One row as stored: keyed hashes, the attributes rules need, and the sealed contact."""

    person_key: str
    birth_date: date
    residence: str
    status: str | None
    phone_key: str | None
    email_key: str | None
    contact_sealed: bytes


def parse_census(data: bytes, *, today: date) -> list[CensusRow]:
    """Read a census CSV (UTF-8, comma or semicolon separated, header row first).

    Raises CensusFileRejected listing every problem when any row is malformed.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CensusFileRejected(
            [CensusProblem(line, _("The file is not UTF-8 text (save it as CSV UTF-8)."))]
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CensusFileRejected([CensusProblem(1, _("The file is empty: no header row."))])
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[CensusProblem] = []
    try:
        header = [name.strip().lower() for name in next(reader)]
        columns = _check_header(header, problems)
        if problems:  # rows cannot be read against a wrong header
            raise CensusFileRejected(problems)
        rows = _read_rows(reader, header, columns, today, problems)
    except csv.Error as error:
        problems.append(CensusProblem(reader.line_num, _("Broken CSV: {e}.", e=str(error))))
        rows = []
    if not problems and not rows:
        problems.append(CensusProblem(2, _("The file has a header but no people.")))
    if problems:
        raise CensusFileRejected(problems)
    return rows


def _check_header(header: list[str], problems: list[CensusProblem]) -> dict[str, int]:
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for name in header:
        if name not in known:
            problems.append(
                CensusProblem(
                    1,
                    _(
                        "Unknown column {name!r}; the columns are {known}.",
                        name=name,
                        known=", ".join(known),
                    ),
                )
            )
    for name in REQUIRED_COLUMNS:
        if name not in header:
            problems.append(CensusProblem(1, _("The column {name} is missing.", name=name)))
    if "phone" not in header and "email" not in header:
        problems.append(CensusProblem(1, _("There must be a phone or an email column.")))
    if len(set(header)) != len(header):
        problems.append(CensusProblem(1, _("A column name appears twice.")))
    return {name: header.index(name) for name in known if name in header}


def _read_rows(
    reader: CsvReader,
    header: list[str],
    columns: dict[str, int],
    today: date,
    problems: list[CensusProblem],
) -> list[CensusRow]:
    rows: list[CensusRow] = []
    seen: dict[str, int] = {}
    for fields in reader:
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            problems.append(
                CensusProblem(
                    line,
                    _("Expected {n} fields, found {m}.", n=len(header), m=len(fields)),
                )
            )
            continue
        row_problems: list[str] = []
        row = _parse_row(line, fields, columns, today, row_problems)
        if row is not None and row.id_number in seen:
            row_problems.append(
                _("This ID number is already on line {other}.", other=seen[row.id_number])
            )
        problems.extend(CensusProblem(line, message) for message in row_problems)
        if row is not None and not row_problems:
            seen[row.id_number] = line
            rows.append(row)
    return rows


def _parse_row(
    line: int, fields: list[str], columns: dict[str, int], today: date, problems: list[str]
) -> CensusRow | None:
    def field(name: str) -> str:
        return fields[columns[name]].strip() if name in columns else ""

    if any(len(value) > MAX_FIELD_LENGTH for value in fields):
        problems.append(_("A field is longer than {n} characters.", n=MAX_FIELD_LENGTH))
        return None
    id_number = normalise_subject(field("id_number"))
    if not ID_NUMBER.match(id_number):
        problems.append(_("The ID number must be 5 to 20 letters or digits."))
    born = parse_birth_date(field("birth_date"), today)
    if born is None:
        problems.append(
            _("The birth date must be a real past date written as YYYY-MM-DD or DD/MM/YYYY.")
        )
    residence = field("residence")
    if not RESIDENCE.match(residence):
        problems.append(_("The residence code must be 1 to 32 letters, digits, '.', '_' or '-'."))
    status = field("status").lower() or None
    if status is not None and status not in CENSUS_STATUSES:
        problems.append(_("The status must be citizen or legal_resident (or empty)."))
    phone = normalise_phone(field("phone")) if field("phone") else None
    if field("phone") and phone is None:
        problems.append(_("The phone number must have 7 to 15 digits, with an optional +."))
    email = field("email").lower() or None
    if email is not None and not EMAIL.match(email):
        problems.append(_("The e-mail address is not valid."))
    if not field("phone") and not field("email"):
        problems.append(_("Each person needs a phone number or an e-mail address."))
    if problems or born is None:
        return None
    return CensusRow(line, id_number, born, residence, status, phone, email)


def parse_birth_date(text: str, today: date) -> date | None:
    """A birth date in ISO (1990-05-31) or Portuguese (31/05/1990) form, or None."""
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            born = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return born if date(OLDEST_BIRTH_YEAR, 1, 1) <= born <= today else None
    return None


def normalise_phone(text: str) -> str | None:
    """Digits with an optional leading '+', separators removed; None when not a phone number."""
    compact = re.sub(r"[\s().-]", "", text)
    return compact if PHONE.match(compact) else None


def contact_key(pepper: bytes, kind: str, value: str) -> str:
    """HMAC-SHA-256 of a normalised phone number or e-mail address."""
    message = f"civica/{kind}/v1\x00{value}".encode()
    return hmac.new(pepper, message, hashlib.sha256).hexdigest()


def seal_contact(key: bytes, contact: Contact) -> bytes:
    """Encrypt and authenticate the contact details (XSalsa20-Poly1305, random nonce)."""
    plain = json.dumps({"phone": contact.phone, "email": contact.email}).encode()
    return bytes(SecretBox(key).encrypt(plain))


class ContactUnreadable(ValueError):
    """Sealed contact details that the contact key cannot open (wrong key or tampered)."""


def open_contact(key: bytes, sealed: bytes) -> Contact:
    """Decrypt contact details sealed by `seal_contact`."""
    try:
        data = json.loads(SecretBox(key).decrypt(sealed))
    except CryptoError:
        raise ContactUnreadable("the contact details cannot be opened with this key") from None
    return Contact(phone=data.get("phone"), email=data.get("email"))


def entry_for(row: CensusRow, pepper: bytes, key: bytes) -> CensusEntry:
    """The stored form of a census row: no raw ID number, phone or e-mail survives."""
    return CensusEntry(
        person_key=person_key(pepper, row.id_number),
        birth_date=row.birth_date,
        residence=row.residence,
        status=row.status,
        phone_key=contact_key(pepper, "phone", row.phone) if row.phone else None,
        email_key=contact_key(pepper, "email", row.email) if row.email else None,
        contact_sealed=seal_contact(key, Contact(row.phone, row.email)),
    )
