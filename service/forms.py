"""Reading submitted forms strictly: UTF-8 only, bounded, and values parsed with clear errors.

Starlette's parser decodes bytes it cannot read as Latin-1 or U+FFFD, so a form holding bytes
that are not UTF-8 would be stored silently garbled; here it is refused with a 400 instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from starlette.exceptions import HTTPException
from starlette.requests import Request

from proposals.i18n import _

MAX_FIELDS = 2000
MAX_ID = 2**63 - 1
_ID = re.compile(r"^[1-9][0-9]{0,18}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
FORM_TYPE = "application/x-www-form-urlencoded"
NOT_UTF8 = _(
    "The form contained bytes that are not valid UTF-8 text, so it could not be read. Nothing "
    "was stored. Send it again from the page, or check the program that sent it."
)


class Form:
    """The fields of a submitted form, in order."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs = list(pairs)

    def get(self, name: str, default: str = "") -> str:
        """The first value of `name`, or `default`."""
        for key, value in self.pairs:
            if key == name:
                return value
        return default

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]

    def __contains__(self, name: object) -> bool:
        return any(key == name for key, _value in self.pairs)


async def read_form(request: Request) -> Form:
    """The request's urlencoded form, decoded strictly as UTF-8; 400 otherwise."""
    content_type, _sep, params = request.headers.get("content-type", "").partition(";")
    if content_type.strip().lower() != FORM_TYPE:
        raise HTTPException(400, _("Send this form from its page (as a web form)."))
    charset = re.search(r"charset=\"?([A-Za-z0-9_-]+)", params)
    if charset and charset[1].lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise HTTPException(400, NOT_UTF8)
    body = await request.body()
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise HTTPException(400, NOT_UTF8) from None
    except ValueError:
        raise HTTPException(400, _("The form has too many fields.")) from None
    return Form(pairs)


def parse_id(text: str | None) -> int | None:
    """A database identifier typed in a form or query, or None."""
    text = (text or "").strip()
    if not _ID.match(text):
        return None
    value = int(text)
    return value if value <= MAX_ID else None


def parse_whole(text: str, low: int, high: int) -> int | None:
    """A whole number within [low, high], or None."""
    text = text.strip()
    if not re.fullmatch(r"-?[0-9]{1,12}", text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_moment(text: str, zone: ZoneInfo) -> datetime | None:
    """A date-time typed in a form ("2018-01-23T09:30", "2018-01-23 09:30" or "2018-01-23",
    read in `zone`), or None."""
    text = text.strip().replace(" ", "T")
    try:
        if "T" in text:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=zone)
        return datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=zone)
    except ValueError:
        return None


def moment_input(moment: datetime, zone: ZoneInfo) -> str:
    """A date-time as a `datetime-local` field value in `zone`."""
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M")


def query_text(request: Request, name: str, limit: int = 200) -> str:
    """A query parameter as plain text: control characters dropped, trimmed, bounded."""
    return _CONTROL.sub("", request.query_params.get(name, "")).strip()[:limit]


def query_page(request: Request) -> int:
    """The page number in the query (1 when absent or out of range)."""
    return parse_whole(request.query_params.get("page", "1"), 1, 100_000) or 1
