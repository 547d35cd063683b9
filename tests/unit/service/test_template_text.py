"""No human-language text in a template escapes translation.

Every template is split by Jinja's own lexer into its literal text and its tags; the literal
text is read as HTML, and any words in it (element text, or the `alt`, `title`, `aria-label`,
`placeholder` and input buttons' `value` that visitors read) must come from `_()` instead.
Proper nouns, symbols and code-like tokens are allowed; text inside `<code>`, `<pre>`,
`<script>`, `<style>` and `<svg>` is not read. A string literal printed as it is
(`{{ "Yes" if x else "No" }}`) is refused too.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
from jinja2 import nodes

from service.resources import resource_dir

TEMPLATES = resource_dir("templates")
TAG = "\ue000"  # stands for `{% %}` or `{# #}` in the text read as HTML
PRINTED = re.compile("\ue001([0-9]+)\ue002")  # the nth `{{ }}` of the template
READ_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-roledescription"}
NOT_READ = {"code", "pre", "script", "style", "svg", "kbd", "samp"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
# names, abbreviations and symbols that are the same in every language
ALLOWED_WORDS = {"civica", "OPP", "EUR", "CSV", "JSON", "PDF", "URL", "ID", "htmx", "pabulib"}
WORD = re.compile(r"[^\W\d_]{2,}")
# a macro may write attributes outside any tag: ` aria-describedby="…"`
ATTRIBUTE = re.compile(r"""[\w:-]+=(?:"[^"]*"|'[^']*')""")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(  # noqa: S701 (only lexed and parsed, never rendered)
        extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True
    )


def literal_html(source: str) -> str:
    """The template with its Jinja tags replaced: each `{{ }}` by a numbered PRINTED marker,
    each run of other tags (and what they contain) by TAG."""
    parts: list[str] = []
    printed = 0
    inside = ""
    for _lineno, kind, value in _environment().lex(source):
        if kind == "data":
            parts.append(value)
        elif kind == "variable_begin":
            inside = "variable"
            parts.append(f"\ue001{printed}\ue002")
            printed += 1
        elif kind == "variable_end":
            inside = ""
        elif inside != "variable" and (not parts or not parts[-1].endswith(TAG)):
            parts.append(TAG)
    return "".join(parts)


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping: list[str] = []
        self.found: list[str] = []
        self.printed_in_text: set[int] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in NOT_READ:
            self.skipping.append(tag)
        read = set(READ_ATTRIBUTES)
        if tag == "input" and dict(attrs).get("type") in {"submit", "button", "reset"}:
            read.add("value")
        for name, value in attrs:
            if name in read and value:
                self._text(value)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in NOT_READ and self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.printed_in_text.update(int(n) for n in PRINTED.findall(data))
            self._text(data)

    def _text(self, text: str) -> None:
        text = re.sub(f"{TAG}+", TAG, PRINTED.sub(TAG, text))
        bare = ATTRIBUTE.sub(" ", text.replace(TAG, " "))
        words = [w for w in WORD.findall(bare) if w not in ALLOWED_WORDS]
        if words:
            self.found.append(" ".join(text.replace(TAG, "…").split()))


def _read(source: str) -> _TextFinder:
    finder = _TextFinder()
    finder.feed(literal_html(source))
    finder.close()
    return finder


def untranslated_text(source: str) -> list[str]:
    """Human-language text in a template's literal HTML, outside any Jinja tag."""
    return _read(source).found


def printed_literals(source: str) -> list[str]:
    """String literals a `{{ }}` in the page's text (not in an attribute, where they are
    code such as `type="{{ 'radio' if one else 'checkbox' }}"`) prints as they are, directly
    or as a branch of `if`/`else`."""
    found: list[str] = []
    in_text = _read(source).printed_in_text
    expressions = [
        child
        for output in _environment().parse(source).find_all(nodes.Output)
        for child in output.nodes
        if not isinstance(child, nodes.TemplateData)
    ]
    assert len(expressions) == len(PRINTED.findall(literal_html(source))), "lexer and parser"

    def printed(node: nodes.Node) -> None:
        if isinstance(node, nodes.Const) and isinstance(node.value, str):
            words = [w for w in WORD.findall(node.value) if w not in ALLOWED_WORDS]
            if words:
                found.append(node.value)
        elif isinstance(node, nodes.CondExpr):
            printed(node.expr1)
            if node.expr2 is not None:
                printed(node.expr2)
        elif isinstance(node, nodes.Concat):
            for part in node.nodes:
                printed(part)

    for index, expression in enumerate(expressions):
        if index in in_text:
            printed(expression)
    return found


def template_names() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("name", template_names())
def test_no_template_shows_untranslated_text(name: str) -> None:
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    found = untranslated_text(source) + printed_literals(source)
    assert not found, f"{name}: wrap in {{{{ _(...) }}}}:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>{{ _('Vote now') }}</p>", []),
        ("<p>Vote now</p>", ["Vote now"]),
        ('<a href="{{ url }}">Read more</a>', ["Read more"]),
        ("<h1>{% if x %}{{ _('Yes') }}{% else %}No way{% endif %}</h1>", ["…No way…"]),
        ('<img alt="A map of Porto" src="{{ src }}">', ["A map of Porto"]),
        ('<input type="submit" value="Go ahead">', ["Go ahead"]),
        ('<button type="submit" name="step" value="reject">{{ _("Reject") }}</button>', []),
        ('<div{% if x %} aria-describedby="{{ ids }}"{% endif %}>', []),
        ("<span aria-label=\"{{ _('Close') }}\">×</span>", []),
        ("<p>{# a comment in English #}civica · OPP · 1 234 € · {{ n }}%</p>", []),
        ('<code>civica load-cycle file.toml</code><pre>{\n  "key": 1\n}</pre>', []),
        ('<p class="status hint" id="x-hint">{{ text }}</p>', []),
        ("<p>Olá, {{ name }}</p>", ["Olá, …"]),
    ],
)
def test_the_text_check_finds_bare_words(source: str, expected: list[str]) -> None:
    assert untranslated_text(source) == expected


def test_printed_literals_are_found() -> None:
    source = '{{ "Open" if open else "Closed" }} {{ _("Fine") }} {{ "-" }} {{ x ~ " votes" }}'
    assert printed_literals(source) == ["Open", "Closed", " votes"]
    assert printed_literals('<input type="{{ "radio" if one else "checkbox" }}">') == []
    assert printed_literals('{% if x %}<b>{{ "Done" }}</b>{% endif %}') == ["Done"]


def test_every_template_is_checked() -> None:
    assert "base.html" in template_names()
    assert any(name.startswith("ballots/") for name in template_names())
    assert all(Path(TEMPLATES / name).is_file() for name in template_names())
