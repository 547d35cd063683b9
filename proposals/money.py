"""Money as integer cents: parsing what people type, formatting what they read.

Accepted: "1234", "1234.56", "1234,56", "1 234,56 €", "€1,234.56", "1.234.567,89". Refused as
ambiguous: a single separator followed by exactly three digits ("300,000", "1.234"), because
Portuguese and English readers take it in opposite ways.
"""

from __future__ import annotations

import re

from proposals.i18n import _

MAX_CENTS = 10**15  # ten trillion euros: far above any budget, far below bigint
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009_']")
_CURRENCY = re.compile(r"(?i)(€|eur|euros?)")


class MoneyFormatError(ValueError):
    """The text is not an amount of money; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_money(text: str) -> int:
    """The amount in `text`, in integer cents (may be zero or negative: callers check range)."""
    raw = _CURRENCY.sub("", _SPACES.sub("", text.strip()))
    if not raw:
        raise MoneyFormatError(_("Enter an amount in euros, for example 250000 or 250000,50."))
    negative = raw.startswith("-")
    body = raw.lstrip("+-")
    if not re.fullmatch(r"[0-9.,]+", body) or not re.search(r"[0-9]", body):
        raise MoneyFormatError(_("Enter the amount using digits only, for example 250000,50."))
    whole, cents = _split(body)
    if not whole.isdigit() and whole != "":
        raise MoneyFormatError(_("Enter the amount using digits only, for example 250000,50."))
    value = int(whole or "0") * 100 + cents
    if value > MAX_CENTS:
        raise MoneyFormatError(_("That amount is too large."))
    return -value if negative else value


def _split(body: str) -> tuple[str, int]:
    """Split into whole euros (digits only) and cents, resolving the separators."""
    last_dot, last_comma = body.rfind("."), body.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
        thousands = "," if decimal == "." else "."
        whole, _sep, fraction = body.rpartition(decimal)
        if decimal in whole:
            raise MoneyFormatError(_("The amount has more than one decimal separator."))
        return _grouped(whole, thousands), _cents(fraction)
    separator = "." if last_dot >= 0 else "," if last_comma >= 0 else ""
    if not separator:
        return body, 0
    parts = body.split(separator)
    if len(parts) > 2:
        return _grouped(body, separator), 0
    whole, fraction = parts
    if len(fraction) == 3:
        raise MoneyFormatError(
            _(
                "“{text}” could mean two different amounts. Write it without a thousands "
                "separator, for example 300000 or 300000,00.",
                text=body,
            )
        )
    return whole, _cents(fraction)


def _grouped(whole: str, separator: str) -> str:
    groups = whole.split(separator)
    if not groups[0] or len(groups[0]) > 3 or any(len(g) != 3 for g in groups[1:]):
        raise MoneyFormatError(_("The thousands separators are in the wrong places."))
    return "".join(groups)


def _cents(fraction: str) -> int:
    if fraction == "":
        return 0
    if not fraction.isdigit() or len(fraction) > 2:
        raise MoneyFormatError(_("Amounts have at most two decimal places (cents)."))
    return int(fraction.ljust(2, "0"))


def format_money(cents: int, locale: str = "en") -> str:
    """`cents` as euros for display: "€1,234.56" (en) or "1 234,56 €" (pt); no cents if whole."""
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(cents), 100)
    portuguese = locale.lower().startswith("pt")
    grouped = f"{euros:,}".replace(",", "\u00a0" if portuguese else ",")
    if rest:
        grouped += ("," if portuguese else ".") + f"{rest:02d}"
    return f"{sign}{grouped}\u00a0€" if portuguese else f"{sign}€{grouped}"


def format_money_input(cents: int) -> str:
    """`cents` as a form field value that `parse_money` reads back exactly: "1234.56"."""
    euros, rest = divmod(cents, 100)
    return f"{euros}.{rest:02d}" if rest else str(euros)
