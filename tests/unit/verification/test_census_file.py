"""Census CSV: accepted whole or refused whole with line numbers; contact sealing."""

from __future__ import annotations

from datetime import date

import pytest
from nacl.utils import random

from verification.identity.census import (
    CensusFileRejected,
    Contact,
    ContactUnreadable,
    entry_for,
    open_contact,
    parse_census,
    seal_contact,
)
from verification.identity.model import person_key

TODAY = date(2026, 6, 1)
GOOD = (
    "id_number,birth_date,residence,phone,email,status\n"
    "12345678,1980-05-01,PT-11,+351 910 000 001,,citizen\n"
    "2345 6789 ZZ1,31/12/1999,PT-13,,Maria@Example.org,legal_resident\n"
    "\n"
    "34567890,2000-02-29,PT-11,(+351) 910-000-003,joao@example.org,\n"
)


def problems(text: str | bytes) -> list[tuple[int, str]]:
    data = text.encode() if isinstance(text, str) else text
    with pytest.raises(CensusFileRejected) as rejected:
        parse_census(data, today=TODAY)
    return [(p.line, p.message) for p in rejected.value.problems]


def test_a_good_file_is_read_and_normalised() -> None:
    rows = parse_census(GOOD.encode(), today=TODAY)
    assert [r.line for r in rows] == [2, 3, 5]
    assert rows[0].id_number == "12345678"
    assert rows[0].phone == "+351910000001"
    assert rows[0].email is None
    assert rows[1].id_number == "23456789ZZ1"
    assert rows[1].birth_date == date(1999, 12, 31)
    assert rows[1].email == "maria@example.org"
    assert rows[1].status == "legal_resident"
    assert rows[2].phone == "+351910000003"
    assert rows[2].status is None
    assert "12345678" not in repr(rows[0])


def test_semicolons_and_a_byte_order_mark_are_accepted() -> None:
    text = "\ufeffid_number;birth_date;residence;email\n12345678;1980-05-01;PT-11;a@b.pt\n"
    rows = parse_census(text.encode(), today=TODAY)
    assert rows[0].email == "a@b.pt"


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_returned() -> None:
    text = (
        "id_number,birth_date,residence,phone,email\n"
        "12345678,1980-05-01,PT-11,+351910000001,\n"
        "12,1980-05-01,PT-11,+351910000002,\n"
        "23456789,1980-13-01,PT-11,+351910000003,\n"
        "34567890,2030-01-01,PT 11,12,\n"
        "45678901,1980-05-01,PT-11,,\n"
        "56789012,1980-05-01,PT-11,,not-an-address\n"
        "12345678,1990-01-01,PT-11,+351910000009,\n"
        "67890123,1980-05-01,PT-11\n"
    )
    found = problems(text)
    lines = [line for line, _ in found]
    assert 2 not in lines
    assert set(lines) == {3, 4, 5, 6, 7, 8, 9}
    messages = dict.fromkeys(lines, "")
    for line, message in found:
        messages[line] += message
    assert "ID number" in messages[3]
    assert "birth date" in messages[4]
    assert "birth date" in messages[5]
    assert "residence" in messages[5]
    assert "phone" in messages[5]
    assert "phone number or an e-mail" in messages[6]
    assert "e-mail address is not valid" in messages[7]
    assert "already on line 2" in messages[8]
    assert "Expected 5 fields, found 3" in messages[9]


def test_header_problems() -> None:
    assert problems("id,birth_date,residence,phone\n1,2,3,4\n")[0][0] == 1
    found = problems("id_number,residence\n12345678,PT-11\n")
    assert all(line == 1 for line, _ in found)
    assert any("birth_date is missing" in m for _, m in found)
    assert any("phone or an email column" in m for _, m in found)


def test_empty_and_header_only_files() -> None:
    assert problems("")[0][0] == 1
    assert "no people" in problems("id_number,birth_date,residence,phone\n")[0][1]


def test_a_file_that_is_not_utf8_is_refused_with_its_line() -> None:
    data = b"id_number,birth_date,residence,phone\n12345678,1980-05-01,Lisboa \xe9,+35191\n"
    assert problems(data) == [(2, "The file is not UTF-8 text (save it as CSV UTF-8).")]


def test_an_unclosed_quote_is_refused() -> None:
    found = problems('id_number,birth_date,residence,phone\n"12345678,1980-05-01,PT-11,+3519\n')
    assert found


def test_stored_entry_keeps_no_raw_value() -> None:
    pepper, key = random(32), random(32)
    row = parse_census(GOOD.encode(), today=TODAY)[0]
    entry = entry_for(row, pepper, key)
    assert entry.person_key == person_key(pepper, "12345678")
    stored = repr(entry).encode() + entry.contact_sealed
    for raw in (b"12345678", b"+351910000001", b"910000001"):
        assert raw not in stored
    assert open_contact(key, entry.contact_sealed) == Contact("+351910000001", None)


def test_sealed_contact_needs_the_right_key_and_detects_tampering() -> None:
    key = random(32)
    sealed = seal_contact(key, Contact(None, "a@b.pt"))
    with pytest.raises(ContactUnreadable):
        open_contact(random(32), sealed)
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(ContactUnreadable):
        open_contact(key, tampered)
