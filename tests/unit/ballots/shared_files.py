"""The shared pabulib files (see ../shared/pabulib/SOURCES.md), loaded once per test session."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from ballots.pabulib import PabulibFile, read_pabulib

ROOT = Path(__file__).resolve().parents[3]
PABULIB = ROOT.parent / "shared" / "pabulib"
NAMES = sorted(path.stem for path in PABULIB.glob("*.pb"))
needs_files = pytest.mark.skipif(not NAMES, reason=f"no shared pabulib files in {PABULIB}")


@functools.cache
def load(name: str) -> PabulibFile:
    """Read a shared file by stem, once."""
    return read_pabulib(PABULIB / f"{name}.pb")


def path(name: str) -> Path:
    return PABULIB / f"{name}.pb"
