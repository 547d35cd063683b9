"""Every message the sources ask for has a Portuguese translation (extracted fresh, each run)."""

from __future__ import annotations

import os
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from service import i18n

REPO = Path(__file__).resolve().parents[3]
BABEL_CFG = REPO / "babel.cfg"


def extracted_messages() -> dict[str, tuple[str, tuple[str, ...]]]:
    """msgid -> (first place it is used, plural forms' ids) from the current sources."""
    with BABEL_CFG.open() as config:
        method_map, options_map = parse_mapping_cfg(config, filename=str(BABEL_CFG))
    found: dict[str, tuple[str, tuple[str, ...]]] = {}

    def skip_tooling(path: str) -> bool:
        name = os.path.basename(path)
        return not name.startswith((".", "_")) and name not in {"node_modules", "tests", "bench"}

    for filename, lineno, message, _comments, _context in extract_from_dir(
        REPO, method_map, options_map, directory_filter=skip_tooling
    ):
        ids = (message,) if isinstance(message, str) else tuple(m for m in message if m)
        if ids and ids[0]:
            found.setdefault(ids[0], (f"{filename}:{lineno}", ids))
    return found


def portuguese_catalogue() -> Catalog:
    path = i18n.LOCALE_DIR / "pt_PT" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po_file:
        return read_po(po_file, locale="pt_PT")


def is_translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(s.strip() for s in strings)


def test_the_sources_have_messages_to_translate() -> None:
    messages = extracted_messages()
    assert "Skip to main content" in messages  # a template string
    assert "Page not found" in messages  # an N_-marked Python string


def test_every_message_has_a_portuguese_translation() -> None:
    catalogue = portuguese_catalogue()
    untranslated = [
        f"{where}: {msgid!r}"
        for msgid, (where, _ids) in sorted(extracted_messages().items())
        if not is_translated(catalogue.get(msgid))
    ]
    assert not untranslated, (
        "untranslated or fuzzy messages (run the update in docs/translations.md, then "
        "translate them in service/locale/pt_PT/LC_MESSAGES/messages.po):\n"
        + "\n".join(untranslated)
    )


def test_plural_messages_are_plural_in_the_catalogue() -> None:
    catalogue = portuguese_catalogue()
    for msgid, (where, ids) in extracted_messages().items():
        message = catalogue.get(msgid)
        if len(ids) > 1 and message is not None:
            assert message.pluralizable, f"{where}: {msgid!r} is plural in the source"


def test_translations_keep_their_placeholders() -> None:
    problems = [
        f"{message.id!r}: {error}"
        for message, errors in portuguese_catalogue().check()
        for error in errors
    ]
    assert not problems, "\n".join(problems)


def test_a_missing_translation_is_noticed() -> None:
    catalogue = portuguese_catalogue()
    assert not is_translated(catalogue.get("A sentence nobody has translated"))
    fuzzy = Message("Home", "Início", flags=["fuzzy"])
    assert not is_translated(fuzzy)
    assert not is_translated(Message("Home", ""))
    assert is_translated(Message("Home", "Início"))


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_catalogues_load_in_memory(locale: str) -> None:
    translations = i18n.translations(locale)
    expected = {"en": "Skip to main content", "pt-PT": "Saltar para o conteúdo principal"}
    assert translations.gettext("Skip to main content") == expected[locale]


def test_translations_add_no_markup() -> None:
    """Translations are inserted unescaped (they are trusted), even inside attribute values, so
    a translation may use `<`, `>`, `&` or `"` only where its message id does."""
    problems = []
    for message in portuguese_catalogue():
        if not message.id:
            continue
        source = "".join(message.id if isinstance(message.id, tuple) else (message.id,))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            added = {c for c in '<>&"' if string.count(c) > source.count(c)}
            if added:
                problems.append(f"{message.id!r}: adds {''.join(sorted(added))}")
    assert not problems, "\n".join(problems)


def brace_fields(text: str) -> set[str]:
    """The `{named}` fields of a str.format message (`{{` and `}}` are literal braces)."""
    return {name for _text, name, _spec, _conversion in Formatter().parse(text) if name}


def test_translations_keep_their_brace_placeholders() -> None:
    """Domain messages (`verification.messages._`) are filled with str.format after lookup, so
    a translation that lost or invented a `{field}` would break the page; Babel's own check
    only reads `%` placeholders."""
    problems = []
    for message in portuguese_catalogue():
        if not message.id or not message.string or "python-brace-format" not in message.flags:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            try:
                fields = brace_fields(string)
            except ValueError as error:
                problems.append(f"{source!r}: {error}")
                continue
            if fields != brace_fields(source):
                problems.append(f"{source!r}: {sorted(fields)} != {sorted(brace_fields(source))}")
    assert not problems, "\n".join(problems)
