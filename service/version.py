"""The software version the service reports and publishes in election records."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("civica")
except PackageNotFoundError:  # running from a checkout that was never installed
    VERSION = "0.1.0"

SOFTWARE = f"civica {VERSION}"
