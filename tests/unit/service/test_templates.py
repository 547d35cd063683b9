"""Template conventions every page relies on for translations and accessibility."""

from __future__ import annotations

import re
from pathlib import Path

from service.resources import resource_dir

TEMPLATES = resource_dir("templates")
IMPORT = re.compile(r"{%-?\s*(?:from\s+\S+\s+import\s+[^%]*?|import\s+\S+\s+as\s+\w+)\s*-?%}")


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_macros_are_imported_with_the_request_context() -> None:
    """Without `with context`, imported macros see no csrf_token and fall back to English."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in templates()
        for match in IMPORT.finditer(path.read_text())
        if not re.search(r"\swith\s+context\s*-?%}$", match.group(0))
    ]
    assert not offenders, "import macros `with context`:\n" + "\n".join(offenders)


def test_the_import_check_recognises_both_forms() -> None:
    good = '{% from "_macros.html" import csrf_field, input with context %}'
    bad = '{% import "_macros.html" as forms %}'
    assert [m.group(0) for m in IMPORT.finditer(good + bad)] == [good, bad]


def test_no_inline_scripts_styles_or_handlers() -> None:
    """The CSP forbids them; pages must work with `script-src 'self'; style-src 'self'`."""
    pattern = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)!r}"
        for path in templates()
        for match in pattern.finditer(path.read_text())
    ]
    assert not offenders, "\n".join(offenders)
