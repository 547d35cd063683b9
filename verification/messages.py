"""User-facing text written in the pure domain code, translatable where it is shown.

`_("Choose at most {k} projects.", k=3)` marks the message id for extraction (Babel finds `_`)
and returns a `Message`: a `str` holding the English text, which also remembers its message id
and values, so the web layer can translate it into the visitor's language and fill in the
values there (`service.i18n.translate_message`). The domain never needs to know the language.

Values that are themselves messages (a field label, a status name) are translated too; `Money`
(integer cents) and `Day` (a calendar date) are formatted in the visitor's locale. Anything that
turns a `Message` into a plain `str` (`str()`, an f-string, `.lower()`, `", ".join`) loses its
message id and leaves it English: keep messages whole, and build lists and case changes as
messages of their own.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


class Message(str):
    """English text that remembers its message id and the values filled into it."""

    msgid: str
    values: dict[str, Any]

    def __new__(cls, msgid: str, values: dict[str, Any] | None = None) -> Message:
        values = values or {}
        text = msgid.format(**values) if values else msgid
        message = super().__new__(cls, text)
        message.msgid = msgid
        message.values = values
        return message


def _(msgid: str, **values: Any) -> Message:
    """Mark `msgid` as user-facing text and fill in its `{named}` values."""
    return Message(msgid, values)


class Money(int):
    """An amount of integer cents filled into a message: shown as euros in the visitor's locale
    by the web layer, and as plain euros in the English text."""

    def __format__(self, spec: str) -> str:
        return f"€{Decimal(int(self)).scaleb(-2):,.2f}"


class Day(date):
    """A calendar date filled into a message: shown in the visitor's locale by the web layer
    (`5 de março de 2026`), and as "5 March 2026" in the English text."""

    @classmethod
    def of(cls, day: date) -> Day:
        return cls(day.year, day.month, day.day)

    def __format__(self, spec: str) -> str:
        return f"{self.day} {MONTHS[self.month - 1]} {self.year}"


class Moment(str):
    """An instant (RFC 3339, UTC, as the board signs it) filled into a message: shown as a date
    and time in the visitor's language and the deployment's time zone by the web layer, and as
    the exact signed value in the English text."""
