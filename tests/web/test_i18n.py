"""Languages through HTTP: negotiation, the cookie, the switch, formatting and no open redirect."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.app import create_app
from service.config import ConfigError, Settings
from service.i18n import LANGUAGE_COOKIE
from tests.support.asgi import csrf_token, running_app

PT = {"Accept-Language": "pt-PT,pt;q=0.9,en;q=0.5"}
SAMPLE = (
    "{{ cents | money }}|{{ votes | number }}|{{ day | date }}|{{ moment | datetime }}|"
    "{{ moment | time }}|{{ _('Home') }}|{{ title | translate }}|{{ unsafe | translate }}"
)


async def formatted_sample(request: Request) -> Response:
    templates = request.app.state.templates
    context = {
        "cents": 37500000,
        "votes": 119703,
        "day": date(2018, 9, 30),
        "moment": datetime(2018, 7, 1, 22, 59, tzinfo=UTC),
        "title": "Page not found",
        "unsafe": "<script>alert(1)</script>",
    }
    response: Response = templates.TemplateResponse(
        request, templates.env.from_string(SAMPLE), context
    )
    return response


async def page_with_errors(request: Request) -> Response:
    templates = request.app.state.templates
    source = (
        '{% extends "base.html" %}{% from "_macros.html" import error_summary, input with '
        "context %}{% block title %}Form{% endblock %}{% block content %}"
        "{{ error_summary(errors) }}<h1>Form</h1>"
        "{{ input('name', 'Name', errors=errors, hint='Your name', required=True) }}"
        "{% endblock %}"
    )
    response: Response = templates.TemplateResponse(
        request, templates.env.from_string(source), {"errors": {"name": "Enter your name"}}
    )
    return response


def sample_app(settings: Settings) -> Any:
    app = create_app(settings)
    app.router.routes.extend(
        [Route("/t/sample", formatted_sample), Route("/t/errors", page_with_errors)]
    )
    return app


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]+)">', page)
    assert match is not None
    return match.group(1)


async def test_english_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert html_lang(response.text) == "en"
    assert response.headers["content-language"] == "en"
    assert "Skip to main content" in response.text


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("pt-PT,pt;q=0.9", "pt-PT"),
        ("pt-BR", "pt-PT"),
        ("fr-FR, pt;q=0.8, en;q=0.7", "pt-PT"),
        ("en-GB, pt;q=0.8", "en"),
        ("de", "en"),
    ],
)
async def test_the_browser_language_is_honoured(
    client: httpx.AsyncClient, accept: str, lang: str
) -> None:
    response = await client.get("/", headers={"Accept-Language": accept})
    assert html_lang(response.text) == lang
    assert response.headers["content-language"] == lang


async def test_a_portuguese_page_is_in_portuguese(client: httpx.AsyncClient) -> None:
    page = (await client.get("/", headers=PT)).text
    assert "Saltar para o conteúdo principal" in page
    assert "<h1>Orçamento Participativo</h1>" in page
    assert "Skip to main content" not in page
    # The switch offers the other language, marked as being in that language.
    assert re.search(r'<button[^>]*value="en"[^>]*lang="en"[^>]*>English</button>', page)


async def test_the_english_page_offers_portuguese_in_portuguese(client: httpx.AsyncClient) -> None:
    page = (await client.get("/")).text
    assert re.search(r'<button[^>]*value="pt-PT"[^>]*lang="pt-PT"[^>]*>Português</button>', page)
    assert 'name="next" value="/"' in page


async def test_error_pages_are_translated(client: httpx.AsyncClient) -> None:
    response = await client.get("/no/such/page", headers=PT)
    assert response.status_code == 404
    assert html_lang(response.text) == "pt-PT"
    assert "<h1>Página não encontrada</h1>" in response.text
    assert "Verifique o endereço" in response.text
    assert response.headers["content-language"] == "pt-PT"


async def test_the_default_language_is_configurable(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICA_DEFAULT_LOCALE", "pt-PT")
    async with running_app(create_app(settings)) as (client, _):
        assert html_lang((await client.get("/")).text) == "pt-PT"
        english = await client.get("/", headers={"Accept-Language": "en"})
        assert html_lang(english.text) == "en"


def test_a_bad_default_language_stops_the_app_from_starting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIVICA_DEFAULT_LOCALE", "klingon")
    with pytest.raises(ConfigError, match="CIVICA_DEFAULT_LOCALE"):
        create_app(settings)


async def test_switching_language_sets_a_cookie_and_goes_back(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]],
) -> None:
    client, state = app_client
    await client.get("/")
    response = await client.post(
        "/language",
        data={"csrf_token": csrf_token(client, state), "locale": "pt-PT", "next": "/no/such?x=1"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/no/such?x=1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=pt-PT;")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Max-Age=31536000" in cookie
    # The cookie beats the browser's own preference from now on.
    page = await client.get("/no/such?x=1", headers={"Accept-Language": "en"})
    assert html_lang(page.text) == "pt-PT"
    assert "Página não encontrada" in page.text
    back = await client.post(
        "/language", data={"csrf_token": csrf_token(client, state), "locale": "en", "next": "/"}
    )
    assert back.headers["location"] == "/"
    assert html_lang((await client.get("/", headers=PT)).text) == "en"


async def test_the_switch_needs_a_csrf_token(client: httpx.AsyncClient) -> None:
    await client.get("/")
    response = await client.post("/language", data={"locale": "pt-PT", "next": "/"})
    assert response.status_code == 403
    assert LANGUAGE_COOKIE not in response.headers.get("set-cookie", "")


async def test_an_unknown_language_is_refused_plainly(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]],
) -> None:
    client, state = app_client
    await client.get("/")
    response = await client.post(
        "/language", data={"csrf_token": csrf_token(client, state), "locale": "fr", "next": "/"}
    )
    assert response.status_code == 400
    assert "That language is not available" in response.text
    assert LANGUAGE_COOKIE not in response.headers.get("set-cookie", "")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "",
    ],
)
async def test_the_switch_is_no_open_redirect(
    app_client: tuple[httpx.AsyncClient, dict[str, Any]], target: str
) -> None:
    client, state = app_client
    await client.get("/")
    response = await client.post(
        "/language",
        data={"csrf_token": csrf_token(client, state), "locale": "pt-PT", "next": target},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_money_numbers_and_dates_are_formatted_per_locale(settings: Settings) -> None:
    async with running_app(sample_app(settings)) as (client, _):
        english = (await client.get("/t/sample")).text
        portuguese = (await client.get("/t/sample", headers=PT)).text
    assert english.split("|") == [
        "€375,000.00",
        "119,703",
        "September 30, 2018",
        "July 1, 2018, 11:59\u202fPM",  # 22:59 UTC is 23:59 in Lisbon (summer time)
        "11:59\u202fPM",
        "Home",
        "Page not found",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ]
    assert portuguese.split("|") == [
        "375\u00a0000,00\u00a0€",
        "119\u00a0703",
        "30 de setembro de 2018",
        "1 de julho de 2018, 23:59",
        "23:59",
        "Início",
        "Página não encontrada",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ]


async def test_concurrent_requests_never_mix_languages(settings: Settings) -> None:
    async with running_app(sample_app(settings)) as (client, _):
        languages = ["pt-PT", "en"] * 20

        async def fetch(language: str) -> tuple[str, str]:
            response = await client.get("/t/sample", headers={"Accept-Language": language})
            return language, response.text.split("|")[5]

        results = await asyncio.gather(*(fetch(language) for language in languages))
    assert all(word == {"pt-PT": "Início", "en": "Home"}[lang] for lang, word in results)


async def test_form_errors_follow_the_gov_uk_pattern(settings: Settings) -> None:
    async with running_app(sample_app(settings)) as (client, _):
        page = (await client.get("/t/errors")).text
        portuguese = (await client.get("/t/errors", headers=PT)).text
    assert "<title>Error: Form · civica</title>" in page
    main = page[page.index("<main") :]
    # The summary comes first in main, before the heading, and links to the field.
    assert main.index('class="error-summary" role="alert"') < main.index("<h1>")
    assert '<a href="#name">Enter your name</a>' in main
    assert 'aria-describedby="name-hint name-error"' in main
    assert 'aria-invalid="true"' in main
    assert 'aria-required="true"' in main
    assert not re.search(r"<input[^>]*\srequired[\s>]", main)
    assert '<span class="visually-hidden">Error:</span> Enter your name' in main
    assert "<title>Erro: Form · civica</title>" in portuguese
    assert '<h2 id="error-summary-title">Há um problema</h2>' in portuguese
