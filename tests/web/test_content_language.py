"""Texts a municipality or a citizen wrote carry their language on pages in another one.

The demo's open cycle is written in European Portuguese and its closed cycle (Assen 2024, from
pabulib) in Dutch. Every page a visitor, a voter or a member of staff reaches from the home
page is crawled in English and in Portuguese; wherever one of the cycles' own texts appears in
the page's text, the nearest element with a `lang` attribute must name the cycle's language
(WCAG 2.2, 3.1.2 Language of Parts), and on a page in the same language it must carry none.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from proposals import repository as store
from proposals.languages import same_language
from proposals.model import Cycle
from service import i18n
from service.accounts import Role
from service.commands import demo_cycle
from service.commands.demo import seed_demo
from service.i18n import LANGUAGE_COOKIE
from tests.support.proposals import make_staff, sign_in_citizen, sign_in_staff

App = tuple[httpx.AsyncClient, dict[str, Any]]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip
# Not checked: the page title and an SVG chart's description are flat strings (accessible
# names cannot mark a part's language; the chart's table beside it is checked); code, preformatted
# audit data and form fields hold data rather than prose.
SKIPPED_TEXT = {"script", "style", "title", "desc", "code", "pre", "textarea"}
MAX_PAGES = 160
NOT_PAGES = re.compile(
    r"\.(json|csv|pb|jsonl|zip|txt|sig|svg|png|ico)$|/record/.+|/static/|/sign-out"
)


class _TextLanguages(HTMLParser):
    """Each text node of the page's body with the language of its nearest `lang` element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None, bool]] = []  # tag, lang, is a hint
        self.texts: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        attributes = dict(attrs)
        hint = "hint" in (attributes.get("class") or "").split()  # the interface's own examples
        self.stack.append((tag, attributes.get("lang"), hint))

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not data.strip() or any(tag in SKIPPED_TEXT or hint for tag, _, hint in self.stack):
            return
        language = next((lang for _, lang, _ in reversed(self.stack) if lang is not None), None)
        self.texts.append((data, language))


def text_languages(page: str) -> list[tuple[str, str | None]]:
    parser = _TextLanguages()
    parser.feed(page)
    return parser.texts


def links(base: str, page: str) -> list[str]:
    found = []
    for href in re.findall(r'<a [^>]*href="([^"#]+)', page):
        url = urlsplit(urljoin(base, href.replace("&amp;", "&")))
        if url.netloc not in ("", "test") or NOT_PAGES.search(url.path):
            continue
        found.append(url.path + (f"?{url.query}" if url.query else ""))
    return found


async def cycle_texts(pool: Any, cycle: Cycle) -> set[str]:
    """The texts written for the cycle, long enough not to be found inside unrelated words."""
    texts = {cycle.name, cycle.settings.description, *cycle.settings.areas}
    texts.update(s.name for s in await store.fetch_scopes(pool, cycle.id))
    for item in [
        *await store.fetch_cycle_proposals(pool, cycle.id),
        *await store.fetch_cycle_projects(pool, cycle.id),
    ]:
        texts.update((item.title, item.description, item.location))
    for complaint in await store.fetch_complaints(pool, cycle.id):
        texts.update((complaint.body, complaint.answer or ""))
    if cycle.slug == "opp-2018":
        texts.update(p.note for p in demo_cycle.PROPOSALS)
        texts.update((demo_cycle.WALKWAY_ANSWER, demo_cycle.OPEN_REASON))
    return {text for text in texts if len(text) >= 5}


def found_in(text: str, node: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(text)}(?!\w)", node) is not None


async def crawl(client: httpx.AsyncClient, starts: list[str]) -> dict[str, str]:
    pages: dict[str, str] = {}
    queue = list(starts)
    while queue and len(pages) < MAX_PAGES:
        path = queue.pop(0)
        if path in pages:
            continue
        response = await client.get(path)
        if response.status_code != 200 or "text/html" not in response.headers["content-type"]:
            pages[path] = ""
            continue
        pages[path] = response.text
        queue.extend(link for link in links(path, response.text) if link not in pages)
    return {path: page for path, page in pages.items() if page}


def unmarked(
    pages: dict[str, str], texts: dict[str, set[str]], page_locale: str
) -> list[tuple[str, str, str | None, str]]:
    """(page, text, language found, language expected) wherever the marking is wrong: a text in
    another language than the page's must be inside its `lang`, one in the page's in none."""
    wrong = []
    for path, page in pages.items():
        for node, language in text_languages(page):
            for written_in, written in texts.items():
                if not any(found_in(text, node) for text in written):
                    continue
                wanted = page_locale if same_language(written_in, page_locale) else written_in
                if (language or page_locale) != wanted:
                    wrong.append((path, node.strip()[:60], language, wanted))
    return wrong


async def test_cycle_texts_carry_their_language_on_every_page(app_client: App, capsys: Any) -> None:
    client, state = app_client
    pool = state["pool"]
    await seed_demo(state)
    capsys.readouterr()
    opp = await store.fetch_cycle(pool, "opp-2018")
    assen = await store.fetch_cycle(pool, "assen-2024")
    assert (opp.content_language, assen.content_language) == ("pt-PT", "nl")
    texts = {"pt-PT": await cycle_texts(pool, opp), "nl": await cycle_texts(pool, assen)}
    await make_staff(pool, "lang-admin", Role.ADMINISTRATOR)
    starts = ["/", "/cycles/opp-2018", "/cycles/assen-2024", "/cycles/assen-2024/results"]
    checked = 0
    for locale in i18n.LOCALES:
        client.cookies.set(LANGUAGE_COOKIE, locale)
        pages = await crawl(client, starts)
        await sign_in_citizen(client, state)
        pages.update(await crawl(client, ["/cycles/opp-2018/vote", "/cycles/opp-2018/proposals"]))
        await sign_in_staff(client, state, "lang-admin")
        pages.update(await crawl(client, ["/admin/cycles", "/admin/cycles/opp-2018"]))
        wrong = unmarked(pages, texts, locale)
        assert wrong == [], (locale, wrong[:20])
        seen = {
            expected
            for page in pages.values()
            for node, _ in text_languages(page)
            for expected, written in texts.items()
            if any(found_in(text, node) for text in written)
        }
        assert seen == {"pt-PT", "nl"}, (locale, seen)
        checked += len(pages)
        client.cookies.clear()
    assert checked > 60


async def test_an_english_page_marks_portuguese_titles_and_a_portuguese_page_does_not(
    app_client: App, capsys: Any
) -> None:
    client, state = app_client
    await seed_demo(state)
    capsys.readouterr()
    title = demo_cycle.PROJECTS[0][0]
    english = (await client.get("/cycles/opp-2018/projects")).text
    assert f'<span lang="pt-PT">{title}</span>' in english
    client.cookies.set(LANGUAGE_COOKIE, i18n.PORTUGUESE)
    portuguese = (await client.get("/cycles/opp-2018/projects")).text
    assert title in portuguese
    assert 'lang="pt-PT">' + title not in portuguese
    assert portuguese.count('lang="pt-PT"') == 1  # the page's own, on <html>
