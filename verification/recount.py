"""Recount: open every sealed ballot, decide which count, and tally each scope (§5–§8).

This is the one procedure behind both `ballots.jsonl` and `results.json`: the close calls it to
write them and the verifier calls it to recompute them. It streams: feed entries in index order
to `Recount.add`, then call `finish`. Memory holds the last valid ballot per (alias, vote
group) and small per-scope counters, never the whole board.

1. Open the sealed ballot with the released X25519 secret key (libsodium sealed box).
2. Decode the padded canonical JSON plaintext (§5); failure, or a scope other than the
   entry's, makes the ballot invalid with reason `malformed`.
3. Validate it against its scope's ballot type (`ballots.rules`, §7).
4. Last ballot counts (§6): per (alias, vote group of the scope), the valid entry with the
   highest index is counted and earlier valid ones are superseded.
5. Tally each scope's counted ballots with its declared rule (`ballots.tally`, §8).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox

from ballots.rules import InvalidBallot, validate_ballot
from verification.formats import Channel, FormatError, decode_ballot, decode_entry
from verification.manifest import Manifest, ScopeSpec
from verification.tallying import tally_scope

COUNTED = "counted"
SUPERSEDED = "superseded"
INVALID = "invalid"
MALFORMED = "malformed"
UNKNOWN_SCOPE = "unknown-scope"
CHANNEL_NAMES = {Channel.WEB: "web", Channel.DESK: "desk"}

_CACHE_LIMIT = 1 << 16
_clock = time.perf_counter


class OpenedBallot(NamedTuple):
    """One entry after opening: its content (None if it did not open) and why it is invalid."""

    position: int
    """The entry's index in the log."""
    scope_id: int
    alias: bytes
    channel: Channel
    selections: tuple[tuple[int, int], ...] | None
    reason: str | None
    selections_json: bytes
    """`selections` as canonical JSON (`null` when None), ready for `ballots.jsonl`."""

    @property
    def valid(self) -> bool:
        return self.reason is None


def ballot_line_prefix(ballot: OpenedBallot) -> bytes:
    """A `ballots.jsonl` line up to its status value (`status` is the last key in order)."""
    reason = b"null" if ballot.reason is None else b'"' + ballot.reason.encode() + b'"'
    return (
        b'{"alias":"%s","channel":"%s","index":%d,"reason":%s,"scope":%d,"selections":%s,"status":'
        % (
            ballot.alias.hex().encode(),
            CHANNEL_NAMES[ballot.channel].encode(),
            ballot.position,
            reason,
            ballot.scope_id,
            ballot.selections_json,
        )
    )


def ballot_line(ballot: OpenedBallot, status: str) -> bytes:
    """The canonical `ballots.jsonl` line (newline included) of an opened ballot."""
    return ballot_line_prefix(ballot) + b'"' + status.encode() + b'"}\n'


@dataclass(frozen=True)
class ScopeResult:
    """A scope's counts and outcome, as `results.json` publishes them (§8)."""

    scope_id: int
    rule: dict[str, Any]
    counted: int
    superseded: int
    invalid: int
    projects: tuple[tuple[int, int, int], ...]
    """(project id, votes, points), in id order."""
    winners: tuple[int, ...]
    total_cost_cents: int
    budget_cents: int

    def to_json(self) -> dict[str, Any]:
        return {
            "scope": self.scope_id,
            "rule": self.rule,
            "ballots": {
                "counted": self.counted,
                "superseded": self.superseded,
                "invalid": self.invalid,
            },
            "projects": [
                {"id": project, "votes": votes, "points": points}
                for project, votes, points in self.projects
            ],
            "winners": list(self.winners),
            "total_cost_cents": self.total_cost_cents,
            "budget_cents": self.budget_cents,
        }


@dataclass(frozen=True)
class RecountResult:
    """Which entries count, and every scope's result, in manifest order."""

    counted_indexes: frozenset[int]
    scopes: tuple[ScopeResult, ...]
    entries: int

    def status(self, ballot: OpenedBallot) -> str:
        """The §6 status of an opened ballot."""
        if ballot.reason is not None:
            return INVALID
        return COUNTED if ballot.position in self.counted_indexes else SUPERSEDED


class _Content(NamedTuple):
    scope_id: int
    selections: tuple[tuple[int, int], ...]
    selections_json: bytes
    reason: str | None


# A plaintext that does not decode: its scope matches no entry's, so it is `malformed`.
_UNREADABLE = _Content(-1, (), b"null", MALFORMED)


class Recount:
    """Streaming recount of one cycle's board; see the module docstring for the procedure."""

    def __init__(self, manifest: Manifest, sealing_secret_key: bytes | None) -> None:
        self.manifest = manifest
        self._box: SealedBox[PrivateKey] | None = None
        if sealing_secret_key is not None and len(sealing_secret_key) == 32:
            self._box = SealedBox(PrivateKey(sealing_secret_key))
        self._contents: dict[bytes, _Content] = {}
        # (alias, vote group) -> (index, scope id, selections) of the last valid ballot.
        self._last: dict[tuple[bytes, str], tuple[int, int, tuple[tuple[int, int], ...]]] = {}
        self._groups = {scope.id: scope.vote_group for scope in manifest.scopes}
        self._valid = dict.fromkeys((scope.id for scope in manifest.scopes), 0)
        self._invalid = dict(self._valid)
        self._next = 0
        self.decrypt_seconds = 0.0

    def add(
        self, index: int, scope_id: int, alias: bytes, channel: Channel, sealed_ballot: bytes
    ) -> OpenedBallot:
        """Open, decode and validate one entry; indexes must increase from call to call."""
        if index < self._next:
            raise ValueError(f"entries must be recounted in index order: {index} came late")
        self._next = index + 1
        group = self._groups.get(scope_id)
        if group is None:
            return OpenedBallot(index, scope_id, alias, channel, None, UNKNOWN_SCOPE, b"null")
        content = self._open(sealed_ballot)
        if content is None or content.scope_id != scope_id:
            self._invalid[scope_id] += 1
            return OpenedBallot(index, scope_id, alias, channel, None, MALFORMED, b"null")
        if content.reason is not None:
            self._invalid[scope_id] += 1
        else:
            self._valid[scope_id] += 1
            self._last[(alias, group)] = (index, scope_id, content.selections)
        return OpenedBallot(
            index,
            scope_id,
            alias,
            channel,
            content.selections,
            content.reason,
            content.selections_json,
        )

    def _open(self, sealed_ballot: bytes) -> _Content | None:
        if self._box is None:
            return None
        started = _clock()
        try:
            plaintext = self._box.decrypt(sealed_ballot)
        except CryptoError:
            return None
        finally:
            self.decrypt_seconds += _clock() - started
        # Decoding and validation depend only on the plaintext: many ballots share one.
        content = self._contents.get(plaintext)
        if content is not None:
            return content
        content = self._decode(plaintext)
        if len(self._contents) >= _CACHE_LIMIT:
            self._contents.clear()
        self._contents[plaintext] = content
        return content

    def _decode(self, plaintext: bytes) -> _Content:
        try:
            ballot = decode_ballot(plaintext)
        except FormatError:
            return _UNREADABLE
        scope = self.manifest.scope(ballot.scope_id)
        if scope is None:
            return _UNREADABLE
        selections = tuple(sorted(ballot.selections.items()))
        reason = None
        try:
            validate_ballot(scope.rules, ballot.selections)
        except InvalidBallot as error:
            reason = error.code
        as_json = "[" + ",".join(f"[{p},{q}]" for p, q in selections) + "]"
        return _Content(ballot.scope_id, selections, as_json.encode(), reason)

    def finish(self) -> RecountResult:
        """Apply last-ballot-counts and tally every scope."""
        counted: dict[int, list[tuple[tuple[int, int], ...]]] = {
            scope.id: [] for scope in self.manifest.scopes
        }
        indexes = set()
        for index, scope_id, selections in self._last.values():
            indexes.add(index)
            counted[scope_id].append(selections)
        scopes = tuple(
            self._scope_result(scope, counted[scope.id]) for scope in self.manifest.scopes
        )
        return RecountResult(frozenset(indexes), scopes, self._next)

    def _scope_result(
        self, scope: ScopeSpec, ballots: Sequence[tuple[tuple[int, int], ...]]
    ) -> ScopeResult:
        outcome = tally_scope(
            scope.tally,
            [(p.id, p.cost_cents) for p in scope.projects],
            scope.budget_cents,
            ballots,
        )
        return ScopeResult(
            scope_id=scope.id,
            rule=dict(scope.tally),
            counted=len(ballots),
            superseded=self._valid[scope.id] - len(ballots),
            invalid=self._invalid[scope.id],
            projects=tuple(
                (p.id, outcome.votes.get(p.id, 0), outcome.points.get(p.id, 0))
                for p in scope.projects
            ),
            winners=outcome.winners,
            total_cost_cents=outcome.total_cost_cents,
            budget_cents=scope.budget_cents,
        )


def recount_entries(
    manifest: Manifest, sealing_secret_key: bytes, entries: Iterable[bytes]
) -> tuple[list[OpenedBallot], RecountResult]:
    """Recount a small board held in memory (entry bytes in index order), keeping every ballot."""
    counter = Recount(manifest, sealing_secret_key)
    opened = []
    for index, data in enumerate(entries):
        entry = decode_entry(data)
        opened.append(
            counter.add(index, entry.scope_id, entry.alias, entry.channel, entry.sealed_ballot)
        )
    return opened, counter.finish()
