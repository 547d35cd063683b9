"""Language negotiation, locale settings and locale-aware formatting (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from service import i18n
from service.config import ConfigError

LISBON = ZoneInfo("Europe/Lisbon")
NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("pt-PT,pt;q=0.9,en;q=0.8", ["pt-PT", "pt", "en"]),
        ("en;q=0.1, pt;q=0.9", ["pt", "en"]),
        ("fr, de;q=0.5, pt;q=0", ["fr", "de"]),
        ("en;q=nonsense, pt", ["pt"]),
        ("", []),
        (" , ;q=1", []),
    ],
)
def test_accept_language_is_read_in_order_of_preference(header: str, expected: list[str]) -> None:
    assert i18n.parse_accept_language(header) == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("pt-PT", "pt-PT"),
        ("pt_pt", "pt-PT"),
        ("PT", "pt-PT"),
        ("pt-BR", "pt-PT"),
        ("en-GB", "en"),
        ("en", "en"),
        ("fr", None),
        ("ptx", None),
        ("english", None),
    ],
)
def test_language_tags_match_a_supported_locale(tag: str, expected: str | None) -> None:
    assert i18n.match_locale(tag) == expected


@pytest.mark.parametrize(
    ("cookie", "accept", "default", "expected"),
    [
        ("pt-PT", "en-GB,en", "en", "pt-PT"),  # the visitor's own choice wins
        ("en", "pt-PT", "pt-PT", "en"),
        ("xx", "pt-PT", "en", "pt-PT"),  # a cookie we never set is ignored
        (None, "fr-FR, pt-BR;q=0.8, en;q=0.5", "en", "pt-PT"),
        (None, "fr-FR, de", "pt-PT", "pt-PT"),
        (None, "fr, *;q=0.5", "en", "en"),
        (None, None, "pt-PT", "pt-PT"),
        (None, "", "en", "en"),
    ],
)
def test_negotiation_prefers_cookie_then_browser_then_default(
    cookie: str | None, accept: str | None, default: str, expected: str
) -> None:
    assert i18n.negotiate_locale(cookie, accept, default) == expected


def test_an_overlong_accept_language_header_is_cut_short() -> None:
    header = ",".join(["fr"] * 5000) + ",pt"
    assert i18n.negotiate_locale(None, header, "en") == "en"


def test_locale_settings_from_the_environment() -> None:
    assert i18n.LocaleSettings.from_env({}) == i18n.LocaleSettings("en", LISBON)
    settings = i18n.LocaleSettings.from_env(
        {"CIVICA_DEFAULT_LOCALE": "pt-PT", "CIVICA_TIMEZONE": "Atlantic/Azores"}
    )
    assert settings == i18n.LocaleSettings("pt-PT", ZoneInfo("Atlantic/Azores"))
    assert i18n.LocaleSettings.from_env({"CIVICA_DEFAULT_LOCALE": "pt_PT"}).default_locale == (
        "pt-PT"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CIVICA_DEFAULT_LOCALE": "fr"}, "CIVICA_DEFAULT_LOCALE"),
        ({"CIVICA_TIMEZONE": "Europe/Atlantis"}, "CIVICA_TIMEZONE"),
        ({"CIVICA_TIMEZONE": "../etc/passwd"}, "CIVICA_TIMEZONE"),
    ],
)
def test_bad_locale_settings_are_refused(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        i18n.LocaleSettings.from_env(env)


@pytest.mark.parametrize(
    ("cents", "portuguese", "english"),
    [
        (123456, f"1{NBSP}234,56{NBSP}€", "€1,234.56"),
        (37500000, f"375{NBSP}000,00{NBSP}€", "€375,000.00"),
        (5, f"0,05{NBSP}€", "€0.05"),
        (0, f"0,00{NBSP}€", "€0.00"),
        (-250, f"-2,50{NBSP}€", "-€2.50"),
    ],
)
def test_money_is_formatted_per_locale(cents: int, portuguese: str, english: str) -> None:
    assert i18n.format_money(cents, "pt-PT") == portuguese
    assert i18n.format_money(cents, "en") == english


@pytest.mark.parametrize("amount", [12.5, Decimal("12.5"), "1250", True])
def test_money_must_be_integer_cents(amount: object) -> None:
    with pytest.raises(TypeError, match="integer cents"):
        i18n.format_money(amount, "en")  # type: ignore[arg-type]


def test_numbers_are_formatted_per_locale() -> None:
    assert i18n.format_number(119703, "pt-PT") == f"119{NBSP}703"
    assert i18n.format_number(119703, "en") == "119,703"
    assert i18n.format_number(Decimal("0.5"), "pt-PT") == "0,5"
    assert i18n.format_number(2.25, "en") == "2.25"


def test_dates_are_formatted_per_locale_in_the_deployment_time_zone() -> None:
    assert i18n.format_date(date(2026, 3, 5), "pt-PT", LISBON) == "5 de março de 2026"
    assert i18n.format_date(date(2026, 3, 5), "en", LISBON) == "March 5, 2026"
    # 23:30 UTC on 1 July is 00:30 on 2 July in Lisbon (summer time, UTC+1).
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)
    assert i18n.format_date(late, "pt-PT", LISBON) == "2 de julho de 2026"
    assert i18n.format_date(late, "en", ZoneInfo("Atlantic/Azores")) == "July 1, 2026"


def test_datetimes_and_times_are_formatted_per_locale() -> None:
    moment = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    assert i18n.format_datetime(moment, "pt-PT", LISBON) == "1 de julho de 2026, 14:05"
    assert i18n.format_datetime(moment, "en", LISBON) == "July 1, 2026, 2:05\u202fPM"
    assert i18n.format_time(moment, "pt-PT", LISBON) == "14:05"
    assert i18n.format_datetime(moment, "pt-PT", LISBON, "short") == "01/07/26, 14:05"
    naive = datetime(2026, 1, 10, 12, 0)  # taken as UTC; Lisbon is UTC+0 in winter
    assert i18n.format_time(naive, "en", LISBON) == "12:00\u202fPM"


def test_marked_messages_are_returned_unchanged() -> None:
    assert i18n.N_("Page not found") == "Page not found"


def test_an_unknown_locale_has_no_catalogue() -> None:
    with pytest.raises(LookupError):
        i18n.translations("fr")
