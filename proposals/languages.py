"""The language a cycle's content is written in, as a BCP 47 tag (`pt-PT`, `en`, `fr`, `pl`).

A municipality writes a cycle's name, description, areas, scopes and projects in one language,
and citizens propose in it; the interface itself may be shown in another (English or European
Portuguese). Pages mark the cycle's content with its tag wherever it differs from the page's
language, so screen readers pronounce it in the right voice (WCAG 2.2, 3.1.2 Language of Parts).
"""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError

MAX_TAG_LENGTH = 35
_TAG = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$")


def normalise_language_tag(text: str) -> str:
    """The tag in its usual case (`pt-pt` and `pt_PT` become `pt-PT`), or the text trimmed when
    it is not a tag at all (so `language_is_known` can say so)."""
    raw = text.strip()
    if not _TAG.match(raw):
        return raw
    primary, *rest = re.split(r"[-_]", raw)
    parts = [primary.lower()]
    for part in rest:
        if len(part) == 2 and part.isalpha():
            parts.append(part.upper())  # region
        elif len(part) == 4 and part.isalpha():
            parts.append(part.title())  # script
        else:
            parts.append(part.lower())
    return "-".join(parts)


def language_is_known(tag: str) -> bool:
    """Whether `tag` is a well-formed BCP 47 tag naming a language the CLDR knows."""
    if len(tag) > MAX_TAG_LENGTH or not _TAG.match(tag):
        return False
    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        return False
    return locale.language == tag.split("-")[0].lower()  # not an alias ("und" parses as en_US)


def same_language(first: str, second: str) -> bool:
    """Whether a text tagged `first` reads as the language of a page tagged `second`.

    `pt` and `pt-PT` agree (one is the other's prefix); `pt-BR` and `pt-PT` do not, since
    screen readers speak them with different voices.
    """
    a, b = first.lower(), second.lower()
    return a == b or a.startswith(b + "-") or b.startswith(a + "-")


def language_name(tag: str, in_language: str) -> str:
    """The language's name as `in_language` writes it (`polaco` for `pl` in `pt-PT`), or the
    tag itself when the CLDR does not know it."""
    try:
        name = Locale.parse(tag, sep="-").get_display_name(Locale.parse(in_language, sep="-"))
    except (UnknownLocaleError, ValueError):
        return tag
    return name or tag
