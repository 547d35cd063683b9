"""Domain messages (`verification.messages`) are translated where they are shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.requests import Request

from ballots.errors import NotEligibleToVote, VotingClosed
from proposals.model import EventKind, ReviewEvent
from service import i18n, templating
from service.template_helpers import event_reason
from verification.eligibility import EligibilityRules, check_eligibility
from verification.messages import Day, Message, Moment, Money, _

NBSP = "\u00a0"


def test_a_message_remembers_its_id_and_values() -> None:
    message = _("{what} is {amount}.", what=_("The cost"), amount=Money(123_456))
    assert message == "The cost is €1,234.56."
    assert message.msgid == "{what} is {amount}."
    assert isinstance(message.values["what"], Message)


def test_money_and_days_are_formatted_per_locale() -> None:
    message = _("{amount} on {date}", amount=Money(123_456), date=Day.of(date(2026, 3, 5)))
    assert message == "€1,234.56 on 5 March 2026"  # the English text, for the command line
    assert i18n.translate_text(message, i18n.ENGLISH) == "€1,234.56 on March 5, 2026"
    portuguese = i18n.translate_text(message, i18n.PORTUGUESE)
    assert portuguese == f"1{NBSP}234,56{NBSP}€ on 5 de março de 2026"  # (msgid untranslated)


def test_moments_are_shown_in_the_time_zone_asked_for() -> None:
    message = _("On the board by {time}.", time=Moment("2026-07-01T13:05:00Z"))
    lisbon = i18n.translate_text(message, i18n.PORTUGUESE, ZoneInfo("Europe/Lisbon"))
    assert lisbon.endswith("1 de julho de 2026, 14:05.")
    azores = i18n.translate_text(message, i18n.PORTUGUESE, ZoneInfo("Atlantic/Azores"))
    assert azores.endswith("1 de julho de 2026, 13:05.")


def test_values_that_are_messages_are_translated_too() -> None:
    message = _("{page}: {count}", page=_("Home"), count=3)
    assert i18n.translate_text(message, i18n.PORTUGUESE) == "Início: 3"
    assert i18n.translate_text(message, i18n.ENGLISH) == "Home: 3"


def test_plain_strings_are_looked_up_as_they_are() -> None:
    assert i18n.translate_text("Home", i18n.PORTUGUESE) == "Início"
    assert i18n.translate_text("Not a message id", i18n.PORTUGUESE) == "Not a message id"


def render(source: str, locale: str, **context: object) -> str:
    environment = templating.create_templates(i18n.LocaleSettings()).env
    gettext = templating._template_gettext(locale)
    return environment.from_string(source).render(locale=locale, **gettext, **context)


def test_templates_translate_every_message_they_show() -> None:
    home = _("Home")
    assert render("{{ m }}", i18n.PORTUGUESE, m=home) == "Início"
    assert render("{{ m | translate }}", i18n.PORTUGUESE, m=home) == "Início"
    assert render("{{ _('%(page)s!', page=m) }}", i18n.PORTUGUESE, m=home) == "Início!"
    assert render("{{ m }}", i18n.ENGLISH, m=home) == "Home"


def test_user_text_is_never_looked_up_and_stays_escaped() -> None:
    assert render("{{ t }}", i18n.PORTUGUESE, t="Home") == "Home"  # a proposal titled "Home"
    unsafe = _("{what}!", what="<script>")
    assert render("{{ m }}", i18n.PORTUGUESE, m=unsafe) == "&lt;script&gt;!"
    assert render("{{ m }}", i18n.PORTUGUESE, m=Markup("<b>Home</b>")) == "<b>Home</b>"


def portuguese_request() -> Request:
    cookie = f"{i18n.LANGUAGE_COOKIE}={i18n.PORTUGUESE}".encode()
    return Request({"type": "http", "headers": [(b"cookie", cookie)], "app": Starlette()})


def test_an_errors_message_keeps_its_id() -> None:
    request = portuguese_request()
    error = VotingClosed(_("Home"))
    assert str(error) == "Home"
    assert i18n.translate_error(request, error) == "Início"
    refused = NotEligibleToVote([_("Home"), _("Language")])
    assert i18n.translate_error(request, refused) == "Início Idioma"
    assert i18n.translate_message(request, _("{page}!", page=_("Home"))) == "Início!"


@dataclass(frozen=True)
class Person:
    birth_date: date | None = date(1980, 5, 17)
    residence: str | None = "PT-13"
    status: str | None = "legal_resident"
    census_member: bool = True


def test_eligibility_reasons_are_whole_messages() -> None:
    only_citizens = EligibilityRules(min_age=None, statuses=("citizen",))
    [reason] = check_eligibility(only_citizens, Person(), date(2026, 6, 1))
    assert reason.explanation == (
        "This is open to citizens. Your status is recorded as legally resident foreigner."
    )
    assert i18n.translate_text(reason.explanation, i18n.PORTUGUESE) == (
        "Está aberto a cidadãos. O seu estatuto está registado como estrangeiro com residência "
        "legal."
    )
    both = EligibilityRules(min_age=None)
    [reason] = check_eligibility(both, Person(status="visitor"), date(2026, 6, 1))
    assert i18n.translate_text(reason.explanation, i18n.PORTUGUESE).startswith(
        "Está aberto a cidadãos e estrangeiros com residência legal."
    )


def test_a_merge_is_explained_in_the_page_language() -> None:
    def event(kind: EventKind, reason: str) -> ReviewEvent:
        return ReviewEvent(1, 3, 7, kind, "merged", reason, datetime(2026, 3, 5, tzinfo=UTC))

    merged = event_reason(event(EventKind.MERGED, "Merged into project 7: Benches: a plan"))
    assert merged == "Merged into project 7: Benches: a plan"
    portuguese = i18n.translate_text(merged, i18n.PORTUGUESE)
    assert portuguese != merged
    assert portuguese.endswith("7: Benches: a plan")
    words = "Merged into project 7: as the reviewer wrote it"
    assert i18n.translate_text(event_reason(event(EventKind.REJECTED, words)), "pt-PT") == words
