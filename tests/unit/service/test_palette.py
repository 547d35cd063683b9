"""The colours in civica.css meet WCAG 2.2 contrast minimums (1.4.3 text, 1.4.11 non-text)."""

from __future__ import annotations

import re

import pytest

from service.resources import resource_dir

TEXT = 4.5  # 1.4.3, normal-size text
NON_TEXT = 3.0  # 1.4.11, focus indicators and control borders


def palette() -> dict[str, str]:
    css = (resource_dir("static") / "css" / "civica.css").read_text()
    root = re.search(r":root\s*{([^}]*)}", css)
    assert root is not None, "civica.css has no :root block"
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root.group(1)))


def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2.2, definition of "relative luminance")."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss


# (foreground, background, minimum): every pairing civica.css uses.
PAIRS = [
    ("text", "background", TEXT),
    ("muted", "background", TEXT),  # hints, footer
    ("link", "background", TEXT),
    ("link-visited", "background", TEXT),
    ("error", "background", TEXT),  # error messages and summary links
    ("success", "background", TEXT),
    ("text", "panel", TEXT),  # notices, secondary buttons
    ("muted", "panel", TEXT),
    ("link", "panel", TEXT),  # links and the language button inside notices
    ("link-visited", "panel", TEXT),
    ("text", "focus", TEXT),  # the focused skip link
    ("text", "background", NON_TEXT),  # the focus outline and input borders
    ("text", "focus", NON_TEXT),  # the outline against its yellow halo
    ("error", "background", NON_TEXT),  # the border of an input in error
]


@pytest.mark.parametrize(("foreground", "background", "minimum"), PAIRS)
def test_palette_pairs_meet_the_minimum(foreground: str, background: str, minimum: float) -> None:
    colours = palette()
    ratio = contrast(colours[foreground], colours[background])
    assert ratio >= minimum, f"--{foreground} on --{background}: {ratio:.2f}:1 < {minimum}:1"


def test_white_text_on_primary_buttons() -> None:
    assert contrast("#ffffff", palette()["success"]) >= TEXT
