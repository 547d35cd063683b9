"""Where the templates, SQL and static files are, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the folder `templates`, `sql` or `static`."""
    installed = _PACKAGE_DIR / "_resources" / name
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent / name
