"""Money typed by people becomes integer cents, or a clear refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proposals.money import MoneyFormatError, format_money, format_money_input, parse_money


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234", 123_400),
        ("1234.56", 123_456),
        ("1234,56", 123_456),
        ("1 234,56 €", 123_456),
        ("€1,234.56", 123_456),
        ("1.234.567,89", 123_456_789),
        ("1,234,567.89", 123_456_789),
        ("300000", 30_000_000),
        ("300\u00a0000 EUR", 30_000_000),
        ("0,5", 50),
        ("12,", 1200),
        ("-10", -1000),
        ("0", 0),
    ],
)
def test_amounts_people_type(text: str, cents: int) -> None:
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "12.345",
        "300,000",
        "1,23,45",
        "1.2.3,4,5",
        "1,234.5.6",
        "12.345,6789",
        "1e5",
        "10.999",
        "1" * 20,
    ],
)
def test_unreadable_or_ambiguous_amounts_are_refused(text: str) -> None:
    with pytest.raises(MoneyFormatError) as caught:
        parse_money(text)
    assert caught.value.message


def test_formatting() -> None:
    assert format_money(30_000_000) == "€300,000"
    assert format_money(123_456) == "€1,234.56"
    assert format_money(123_456, "pt-PT") == "1\u00a0234,56\u00a0€"


@given(st.integers(min_value=0, max_value=10**14))
def test_form_values_read_back_exactly(cents: int) -> None:
    assert parse_money(format_money_input(cents)) == cents
