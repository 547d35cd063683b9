"""The cycle manifest: frozen when voting opens; its SHA-256 is the cycle fingerprint."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from verification.formats import MANIFEST_FORMAT, b64encode, canonical_json

SOFTWARE = "civica 0.1.0"


@dataclass(frozen=True)
class ManifestProject:
    id: int
    code: str
    title: str
    cost_cents: int


@dataclass(frozen=True)
class ManifestScope:
    id: int
    slug: str
    name: str
    vote_group: str
    budget_cents: int
    ballot: dict[str, Any]
    tally: dict[str, Any]
    projects: Sequence[ManifestProject]


@dataclass(frozen=True)
class ManifestCycle:
    id: int
    slug: str
    name: str
    reference_date: date
    opens_at: datetime
    closes_at: datetime
    revoting: bool
    checkpoint_interval_s: int


def rfc3339(moment: datetime) -> str:
    """UTC time with second precision, e.g. 2018-09-30T23:59:59Z."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_manifest(
    cycle: ManifestCycle,
    scopes: Sequence[ManifestScope],
    *,
    log_public_key: bytes,
    sealing_public_key: bytes,
) -> bytes:
    """The manifest's canonical bytes (docs/election-record.md §2)."""
    document = {
        "format": MANIFEST_FORMAT,
        "cycle": {
            "id": cycle.id,
            "slug": cycle.slug,
            "name": cycle.name,
            "reference_date": cycle.reference_date.isoformat(),
        },
        "voting": {
            "opens_at": rfc3339(cycle.opens_at),
            "closes_at": rfc3339(cycle.closes_at),
            "revoting": cycle.revoting,
            "checkpoint_interval_s": cycle.checkpoint_interval_s,
        },
        "log_public_key": b64encode(log_public_key),
        "sealing_public_key": b64encode(sealing_public_key),
        "scopes": [
            {
                "id": scope.id,
                "slug": scope.slug,
                "name": scope.name,
                "vote_group": scope.vote_group,
                "budget_cents": scope.budget_cents,
                "ballot": scope.ballot,
                "tally": scope.tally,
                "projects": [
                    {"id": p.id, "code": p.code, "title": p.title, "cost_cents": p.cost_cents}
                    for p in sorted(scope.projects, key=lambda p: p.id)
                ],
            }
            for scope in scopes
        ],
        "software": SOFTWARE,
    }
    return canonical_json(document)


def fingerprint(manifest: bytes) -> bytes:
    """SHA-256 of the manifest's exact bytes."""
    return hashlib.sha256(manifest).digest()
