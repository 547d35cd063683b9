"""Languages: English and European Portuguese, chosen per request, and locale-aware formatting.

The page language comes from the `civica_lang` cookie (set by the language switch), then the
browser's Accept-Language, then the deployment default (`CIVICA_DEFAULT_LOCALE`). Messages are
English in the sources; the Portuguese catalogue is `service/locale/pt_PT/LC_MESSAGES/messages.po`,
compiled in memory the first time it is needed, so no `.mo` file is built or committed.

Locales are named by their BCP 47 tags (`en`, `pt-PT`: the `lang` attribute, the cookie and
`Content-Language`); Babel and gettext name the same locale `pt_PT`.
"""

from __future__ import annotations

import gettext as gettext_module
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request

from service.config import ConfigError
from verification.messages import Day, Message, Moment, Money

ENGLISH = "en"
PORTUGUESE = "pt-PT"
LOCALES = (ENGLISH, PORTUGUESE)
LANGUAGE_NAMES = {ENGLISH: "English", PORTUGUESE: "Português"}  # each in its own language
LANGUAGE_COOKIE = "civica_lang"
LANGUAGE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60
DEFAULT_LOCALE = ENGLISH
DEFAULT_TIMEZONE = "Europe/Lisbon"
CURRENCY = "EUR"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
_MAX_ACCEPT_LANGUAGE = 2000
_UTC = ZoneInfo("UTC")


def N_(message: str) -> str:  # noqa: N802 (the gettext convention for "mark, translate later")
    """Mark a string for extraction; it is translated where it is shown, with `translate`."""
    return message


@dataclass(frozen=True)
class LocaleSettings:
    """The deployment's default page language and the time zone dates are shown in."""

    default_locale: str = DEFAULT_LOCALE
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> LocaleSettings:
        """Read CIVICA_DEFAULT_LOCALE (`en` or `pt-PT`) and CIVICA_TIMEZONE (an IANA name)."""
        env = os.environ if env is None else env
        raw_locale = env.get("CIVICA_DEFAULT_LOCALE") or DEFAULT_LOCALE
        default_locale = match_locale(raw_locale)
        if default_locale is None:
            raise ConfigError(
                f"CIVICA_DEFAULT_LOCALE must be one of {', '.join(LOCALES)}, not {raw_locale!r}"
            )
        raw_zone = env.get("CIVICA_TIMEZONE") or DEFAULT_TIMEZONE
        try:
            timezone = ZoneInfo(raw_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"CIVICA_TIMEZONE must be an IANA time zone such as {DEFAULT_TIMEZONE}, "
                f"not {raw_zone!r}"
            ) from None
        return cls(default_locale, timezone)


def babel_name(locale: str) -> str:
    """The Babel/gettext name of a locale: `pt-PT` -> `pt_PT`."""
    return locale.replace("-", "_")


def match_locale(tag: str) -> str | None:
    """The supported locale for a language tag: any Portuguese is pt-PT, any English is en."""
    tag = tag.strip().lower().replace("_", "-")
    for locale in LOCALES:
        language = locale.split("-")[0].lower()
        if tag == language or tag.startswith(language + "-"):
            return locale
    return None


def parse_accept_language(header: str) -> list[str]:
    """Language tags of an Accept-Language header, most preferred first (q=0 left out)."""
    weighted: list[tuple[float, int, str]] = []
    for position, item in enumerate(header[:_MAX_ACCEPT_LANGUAGE].split(",")):
        tag, _, params = item.partition(";")
        tag = tag.strip()
        if not tag:
            continue
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                continue
        if quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def negotiate_locale(cookie: str | None, accept_language: str | None, default: str) -> str:
    """The locale for a request: the cookie's choice, else the browser's, else the default."""
    if cookie in LOCALES:
        return cookie
    for tag in parse_accept_language(accept_language or ""):
        if tag == "*":
            return default
        locale = match_locale(tag)
        if locale is not None:
            return locale
    return default


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext_module.NullTranslations:
    """The message catalogue of a locale (English is the source language: no catalogue)."""
    if locale not in LOCALES:
        raise LookupError(f"no such locale {locale!r}")
    if locale == ENGLISH:
        return gettext_module.NullTranslations()
    po_path = LOCALE_DIR / babel_name(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=babel_name(locale), domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(fp=compiled, domain=DOMAIN)


def locale_settings(request: Request) -> LocaleSettings:
    """The app's locale settings (read once, when its templates were created)."""
    templates = getattr(request.app.state, "templates", None)
    settings = getattr(templates, "locale_settings", None)
    return settings if isinstance(settings, LocaleSettings) else LocaleSettings()


def locale_for(request: Request) -> str:
    """The request's locale, negotiated once and kept on `request.state.locale`."""
    chosen = getattr(request.state, "locale", None)
    if isinstance(chosen, str) and chosen in LOCALES:
        return chosen
    locale = negotiate_locale(
        request.cookies.get(LANGUAGE_COOKIE),
        request.headers.get("accept-language"),
        locale_settings(request).default_locale,
    )
    request.state.locale = locale
    return locale


def translations_for(request: Request) -> gettext_module.NullTranslations:
    """The request's catalogue, for `ngettext` and `pgettext` in Python code."""
    return translations(locale_for(request))


def gettext_for(request: Request) -> Callable[[str], str]:
    """`gettext` in the request's language, for messages built in Python: `_ = gettext_for(r)`."""
    return translations_for(request).gettext


def translate_message(request: Request, text: str) -> str:
    """`text` in the visitor's language: a domain `Message` is looked up by its message id and
    its values filled in afterwards; any other string is looked up as it is."""
    return translate_text(text, locale_for(request), locale_settings(request).timezone)


def translate_error(request: Request, error: BaseException) -> str:
    """An exception's message in the visitor's language: `str(error)` would lose the message id
    of a domain `Message` raised as the exception's argument, so this takes the argument. An
    error whose text is its `reasons` joined (`NotEligibleToVote`) is shown as those reasons,
    each translated."""
    reasons = getattr(error, "reasons", None)
    if isinstance(reasons, list) and reasons and str(error) == " ".join(map(str, reasons)):
        return " ".join(translate_message(request, reason) for reason in reasons)
    text = error.args[0] if len(error.args) == 1 and isinstance(error.args[0], str) else None
    return translate_message(request, text if text is not None else str(error))


def translate_text(text: str, locale: str, zone: ZoneInfo | None = None) -> str:
    """`text` in `locale` (see `translate_message`); values that are messages are translated
    too, `Money` is shown as euros, `Day` as a long date and `Moment` as a date and time in
    `zone` (the default time zone if None), each in the locale's style."""
    gettext = translations(locale).gettext
    if not isinstance(text, Message):
        return gettext(text)
    return gettext(text.msgid).format(**message_values(text, locale, zone))


def message_values(message: Message, locale: str, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """The values of `message`, each ready to be filled into its translation in `locale`."""
    values: dict[str, Any] = {}
    for name, value in message.values.items():
        if isinstance(value, Message):
            value = translate_text(value, locale, zone)
        elif isinstance(value, Money):
            value = format_money(int(value), locale)
        elif isinstance(value, Day):
            value = format_date(date(value.year, value.month, value.day), locale, _UTC)
        elif isinstance(value, Moment):
            moment = datetime.fromisoformat(value)
            value = format_datetime(moment, locale, zone or ZoneInfo(DEFAULT_TIMEZONE))
        values[name] = value
    return values


def format_money(cents: int, locale: str) -> str:
    """Euros from integer cents: `1 234,56 €` in pt-PT, `€1,234.56` in English (CLDR)."""
    if isinstance(cents, bool) or not isinstance(cents, int):
        raise TypeError(f"money is integer cents, not {type(cents).__name__}")
    amount = Decimal(cents).scaleb(-2)
    return babel_numbers.format_currency(amount, CURRENCY, locale=babel_name(locale))


def format_number(value: int | Decimal, locale: str) -> str:
    """A number with the locale's grouping and decimal signs."""
    if isinstance(value, float):
        value = Decimal(str(value))
    return babel_numbers.format_decimal(value, locale=babel_name(locale))


def _in_zone(value: datetime, zone: ZoneInfo) -> datetime:
    """An aware datetime in `zone` (a naive one is taken as UTC, as Babel does)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("UTC"))
    return value.astimezone(zone)


def format_date(value: date | datetime, locale: str, zone: ZoneInfo, style: str = "long") -> str:
    """A calendar date (`5 de março de 2026`, `March 5, 2026`); datetimes are shown in `zone`."""
    if isinstance(value, datetime):
        value = _in_zone(value, zone).date()
    return babel_dates.format_date(value, style, locale=babel_name(locale))


def format_time(value: datetime, locale: str, zone: ZoneInfo, style: str = "short") -> str:
    """A time of day in `zone` (`14:30`, `2:30 PM`)."""
    return babel_dates.format_time(
        _in_zone(value, zone), style, tzinfo=zone, locale=babel_name(locale)
    )


def format_datetime(value: datetime, locale: str, zone: ZoneInfo, style: str | None = None) -> str:
    """A moment in `zone`: a long date and a short time by default (`5 de março de 2026, 14:30`)."""
    moment = _in_zone(value, zone)
    if style is not None:
        return babel_dates.format_datetime(moment, style, tzinfo=zone, locale=babel_name(locale))
    babel_locale = Locale.parse(babel_name(locale))
    pattern = str(babel_locale.datetime_formats["long"]).replace("'", "")
    return pattern.replace("{1}", format_date(moment, locale, zone)).replace(
        "{0}", format_time(moment, locale, zone)
    )
