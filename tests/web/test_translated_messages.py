"""Messages written in the domain code reach a Portuguese visitor in Portuguese.

Validation problems, status and phase names and eligibility reasons are built in `proposals/`
and `verification/` as English `Message`s; the pages must show them through the catalogue,
with amounts and dates formatted the Portuguese way. Each expected text is the catalogue's own
translation, so these tests check the wiring, and that the catalogue has the messages at all.
"""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import httpx

from proposals import repository as store
from proposals.phases import Phase
from service import i18n
from service.i18n import LANGUAGE_COOKIE
from tests.support.asgi import csrf_token
from tests.support.identity import import_census, outbox_messages
from tests.support.proposals import make_cycle, post_form, sign_in_citizen
from verification.messages import Day, Message, Money, _

App = tuple[httpx.AsyncClient, dict[str, Any]]
SLUG = "test-2025"
NBSP = "\u00a0"


def in_portuguese(message: Message) -> str:
    """The message as the catalogue has it in pt-PT; it must really be translated."""
    translated = i18n.translate_text(message, i18n.PORTUGUESE)
    assert i18n.translations(i18n.PORTUGUESE).gettext(message.msgid) != message.msgid, (
        f"no Portuguese translation of {message.msgid!r}"
    )
    return translated


def text_of(response: httpx.Response) -> str:
    return html.unescape(response.text)


async def portuguese_citizen(
    client: httpx.AsyncClient, state: dict[str, Any], birth_date: str = "1980-05-17"
) -> None:
    client.cookies.set(LANGUAGE_COOKIE, i18n.PORTUGUESE)
    await sign_in_citizen(client, state, "ana", birth_date=birth_date)


async def proposal_form(pool: Any, **changes: str) -> dict[str, str]:
    cycle = await store.fetch_cycle(pool, SLUG)
    scopes = await store.fetch_scopes(pool, cycle.id)
    areas = await store.fetch_areas(pool, cycle.id)
    form = {
        "title": "Bancos no jardim",
        "description": "Vinte bancos ao longo do rio.",
        "scope": str(scopes[1].id),
        "area": str(areas[0].id),
        "location": "Amarante",
        "estimated_cost": "25 000,50",
    }
    form.update(changes)
    return form


async def test_an_empty_title_is_refused_in_portuguese(app_client: App) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, Phase.PROPOSALS)
    await portuguese_citizen(client, state)
    form = await proposal_form(state["pool"], title="", estimated_cost="300000,01")
    response = await post_form(client, state, f"/cycles/{SLUG}/proposals/new", form)
    assert response.status_code == 422
    assert response.headers["content-language"] == "pt-PT"
    page = text_of(response)
    empty = _("{what} cannot be empty.", what=_("The title"))
    assert in_portuguese(empty) in page
    assert "O título: preenchimento obrigatório." in page
    assert str(empty) not in page
    too_dear = _(
        "{what} is {amount}; it cannot be more than {cap}.",
        what=_("The estimated cost"),
        amount=Money(30_000_001),
        cap=Money(30_000_000),
    )
    assert in_portuguese(too_dear) in page
    assert f"300{NBSP}000,00{NBSP}€" in page  # the amount the Portuguese way, not "€300,000.00"
    assert "€300,000" not in page


async def test_a_status_and_a_phase_are_named_in_portuguese(app_client: App) -> None:
    client, state = app_client
    pool = state["pool"]
    await make_cycle(pool, SLUG, Phase.PROPOSALS)
    await portuguese_citizen(client, state)
    created = await post_form(
        client, state, f"/cycles/{SLUG}/proposals/new", await proposal_form(pool)
    )
    assert created.status_code == 303, created.text
    page = text_of(await client.get(created.headers["location"]))
    assert f'<span class="status">{in_portuguese(_("Submitted"))}</span>' in page
    assert '<span class="status">Submetida</span>' in page
    assert in_portuguese(_("Changed by its author")) not in page  # the history: only submitted
    cycle_page = text_of(await client.get(f"/cycles/{SLUG}"))
    assert f"<strong>{in_portuguese(_('Proposals'))}</strong>" in cycle_page
    assert "<strong>Proposals</strong>" not in cycle_page


async def test_an_eligibility_reason_is_given_in_portuguese(app_client: App) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, Phase.PROPOSALS)  # proposers must be 18 on 1 June 2025
    await portuguese_citizen(client, state, birth_date="2010-03-15")
    reason = _(
        "You must be at least {min_age} years old on {date}. On that date you are {age}.",
        min_age=18,
        date=Day.of(date(2025, 6, 1)),
        age=15,
    )
    expected = in_portuguese(reason)
    assert expected.startswith("Tem de ter pelo menos 18 anos em 1 de junho de 2025.")
    form_page = text_of(await client.get(f"/cycles/{SLUG}/proposals/new"))
    assert expected in form_page
    refused = await post_form(
        client, state, f"/cycles/{SLUG}/proposals/new", await proposal_form(state["pool"])
    )
    assert refused.status_code == 409
    assert expected in text_of(refused)
    assert str(reason) not in text_of(refused)
    eligibility = text_of(await client.get("/identity/eligibility"))
    assert expected in eligibility


async def test_english_visitors_read_the_same_messages_in_english(app_client: App) -> None:
    client, state = app_client
    await make_cycle(state["pool"], SLUG, Phase.PROPOSALS)
    await sign_in_citizen(client, state, "ana", birth_date="2010-03-15")
    page = text_of(await client.get(f"/cycles/{SLUG}/proposals/new"))
    assert "You must be at least 18 years old on June 1, 2025. On that date you are 15." in page


async def test_the_sign_in_code_is_sent_in_the_language_it_was_asked_in(app_client: App) -> None:
    client, state = app_client
    await import_census(state)  # 11223344 was born on 2010-03-15
    client.cookies.set(LANGUAGE_COOKIE, i18n.PORTUGUESE)
    await client.get("/identity/census")
    token = csrf_token(client, state)
    asked = await client.post(
        "/identity/census",
        data={"id_number": "11223344", "birth_date": "2010-03-15", "csrf_token": token},
    )
    assert asked.status_code == 303
    sent = outbox_messages(state)[-1]["text"]
    code = re.search(r"\b(\d{6,8})\b", sent)
    assert code is not None, sent
    lifetime = state["identity"].settings.code_policy.lifetime_minutes
    english = _(
        "Your civica sign-in code is {code}. It expires in {minutes} minutes. "
        "If you did not ask for it, ignore this message.",
        code=code.group(1),
        minutes=lifetime,
    )
    assert sent == in_portuguese(english)
