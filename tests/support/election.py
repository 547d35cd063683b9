"""A test election run in memory, doing what the service does, through the same record code.

`TestElection` generates the cycle's keys from a seed, freezes a manifest, casts ballots (alias,
sealed box, board entry, compact range), signs checkpoints every few entries, issues receipts,
and at the close signs a final checkpoint and writes the record with
`verification.publish.RecordWriter`, the writer the real close uses. Everything is derived
from a seed (keys, aliases, even the sealed boxes' ephemeral keys), so a run is reproducible
byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nacl.public import Box, PrivateKey
from nacl.signing import SigningKey

from ballots.model import BallotKind, BallotSpec
from ballots.tally import TallyRule, TieBreak
from verification.checkpoint import sign_checkpoint
from verification.formats import (
    BallotContent,
    Channel,
    Entry,
    encode_ballot,
    encode_entry,
    log_origin,
)
from verification.manifest import (
    CycleInfo,
    Manifest,
    ProjectEntry,
    ScopeSpec,
    VotingInfo,
    encode_manifest,
    fingerprint_of,
)
from verification.merkle import hash_leaf
from verification.publish import CheckpointRecord, write_record
from verification.statements import issue_receipt
from verification.tree import CompactRange

OPENS_AT = datetime(2018, 5, 2, 9, 0, tzinfo=UTC)
SOFTWARE = "civica 0.1.0"


def timestamp(moment: datetime) -> str:
    """RFC 3339 UTC with second precision, as the record writes times."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def derive(seed: str, label: str) -> bytes:
    """32 deterministic bytes for one purpose from a test seed."""
    return hashlib.sha256(f"civica-test/{seed}/{label}".encode()).digest()


@dataclass(frozen=True)
class ElectionKeys:
    """A cycle's secrets: log signing key, sealing key pair, alias key."""

    log_key: SigningKey
    sealing_key: PrivateKey
    alias_key: bytes

    @classmethod
    def from_seed(cls, seed: str) -> ElectionKeys:
        return cls(
            SigningKey(derive(seed, "log")),
            PrivateKey(derive(seed, "sealing")),
            derive(seed, "alias"),
        )


def rule(name: str = "greedy", **options: Any) -> dict[str, Any]:
    """A tally rule in its published form, e.g. rule("mes", completion="add1")."""
    tie_break = TieBreak.parse(options.pop("tie_break", "cost-then-id"), options.pop("seed", None))
    return TallyRule(rule=name, tie_break=tie_break, **options).as_dict()  # type: ignore[arg-type]


def scope(
    scope_id: int,
    slug: str,
    budget_cents: int,
    costs: Mapping[int, int],
    *,
    ballot: BallotSpec | None = None,
    tally: Mapping[str, Any] | None = None,
    vote_group: str = "main",
) -> ScopeSpec:
    """A scope with projects named after their ids."""
    return ScopeSpec(
        id=scope_id,
        slug=slug,
        name=slug.replace("-", " ").title(),
        vote_group=vote_group,
        budget_cents=budget_cents,
        ballot=ballot or BallotSpec(BallotKind.SINGLE_CHOICE),
        tally=dict(tally or rule()),
        projects=tuple(
            ProjectEntry(pid, f"P{pid}", f"Project {pid}", cost)
            for pid, cost in sorted(costs.items())
        ),
    )


@dataclass
class TestElection:
    """One cycle from opening to close; see the module docstring."""

    __test__ = False  # not a pytest test class

    scopes: Sequence[ScopeSpec]
    seed: str = "worked-example"
    checkpoint_every: int = 4
    revoting: bool = True
    interval_s: int = 60
    keys: ElectionKeys = field(init=False)
    manifest: Manifest = field(init=False)
    manifest_bytes: bytes = field(init=False)
    fingerprint: bytes = field(init=False)
    entries: list[bytes] = field(init=False, default_factory=list)
    checkpoints: list[CheckpointRecord] = field(init=False, default_factory=list)
    receipts: list[dict[str, Any]] = field(init=False, default_factory=list)
    _tree: CompactRange = field(init=False, default_factory=CompactRange)

    def __post_init__(self) -> None:
        self.keys = ElectionKeys.from_seed(self.seed)
        self.manifest = Manifest(
            cycle=CycleInfo(1, "opp-test", "OPP test cycle", "2018-05-01"),
            voting=VotingInfo(
                timestamp(OPENS_AT),
                timestamp(OPENS_AT + timedelta(days=30)),
                self.revoting,
                self.interval_s,
            ),
            log_public_key=bytes(self.keys.log_key.verify_key),
            sealing_public_key=bytes(self.keys.sealing_key.public_key),
            scopes=tuple(self.scopes),
            software=SOFTWARE,
        )
        self.manifest_bytes = encode_manifest(self.manifest)
        self.fingerprint = fingerprint_of(self.manifest_bytes)

    @property
    def origin(self) -> str:
        return log_origin(self.fingerprint)

    def alias(self, voter: str) -> bytes:
        """The voter's per-cycle pseudonym (HMAC-SHA-256 under the cycle's alias key)."""
        return hmac.new(self.keys.alias_key, voter.encode(), hashlib.sha256).digest()

    def seal(self, plaintext: bytes, label: str | None = None) -> bytes:
        """A libsodium sealed box, with the ephemeral key derived from the seed and index.

        crypto_box_seal is ephemeral_pk ‖ crypto_box(plaintext, nonce, recipient_pk,
        ephemeral_sk) with nonce = BLAKE2b-192(ephemeral_pk ‖ recipient_pk); building it by
        hand with a derived ephemeral key makes test records reproducible byte for byte.
        Never do this for real ballots: equal ballots would seal to equal bytes.
        """
        label = label or f"ephemeral/{len(self.entries)}"
        ephemeral = PrivateKey(derive(self.seed, label))
        recipient = self.keys.sealing_key.public_key
        ephemeral_public = bytes(ephemeral.public_key)
        nonce = hashlib.blake2b(ephemeral_public + bytes(recipient), digest_size=24).digest()
        return ephemeral_public + Box(ephemeral, recipient).encrypt(plaintext, nonce).ciphertext

    def entry_for(
        self,
        voter: str,
        scope_id: int,
        selections: Mapping[int, int],
        *,
        channel: Channel = Channel.WEB,
        plaintext: bytes | None = None,
        label: str | None = None,
    ) -> bytes:
        """The board entry of a ballot (sealed), without casting it."""
        if plaintext is None:
            plaintext = encode_ballot(BallotContent(scope_id, dict(selections)))
        sealed = self.seal(plaintext, label)
        return encode_entry(Entry(self.fingerprint, scope_id, self.alias(voter), channel, sealed))

    def cast(
        self,
        voter: str,
        scope_id: int,
        selections: Mapping[int, int],
        *,
        channel: Channel = Channel.WEB,
        plaintext: bytes | None = None,
        receipt: bool = True,
    ) -> dict[str, Any] | None:
        """Append one sealed ballot to the board and return its signed receipt."""
        entry = self.entry_for(voter, scope_id, selections, channel=channel, plaintext=plaintext)
        return self.append(entry, receipt=receipt)

    def receipt_for(self, entry: bytes, index: int) -> dict[str, Any]:
        """A receipt, signed with the log key, for `entry` at `index` (even if not appended)."""
        moment = timestamp(self.clock(1))
        return issue_receipt(self.keys.log_key, self.fingerprint, hash_leaf(entry), index, moment)

    def append(self, entry: bytes, *, receipt: bool = True) -> dict[str, Any] | None:
        """Append raw entry bytes (as the board stores them) and return the receipt."""
        index = len(self.entries)
        self.entries.append(entry)
        leaf = hash_leaf(entry)
        self._tree = self._tree.append(leaf)
        issued = None
        if receipt:
            issued = self.receipt_for(entry, index)
            self.receipts.append(issued)
        if len(self.entries) % self.checkpoint_every == 0:
            self.sign_checkpoint()
        return issued

    def clock(self, ahead: int = 0) -> datetime:
        """Checkpoint time: one interval per checkpoint already signed (plus `ahead`)."""
        return OPENS_AT + timedelta(seconds=self.interval_s * (len(self.checkpoints) + ahead))

    def sign_checkpoint(self) -> CheckpointRecord | None:
        """Sign a checkpoint of the current tree if it grew since the last one."""
        size = self._tree.size
        if self.checkpoints and self.checkpoints[-1].size == size:
            return None
        checkpoint = self.checkpoint_record(size, self._tree.root(), self.clock(1))
        self.checkpoints.append(checkpoint)
        return checkpoint

    def checkpoint_record(self, size: int, root: bytes, moment: datetime) -> CheckpointRecord:
        """A checkpoint of any size and root, signed with this cycle's log key."""
        note = sign_checkpoint(self.origin, size, root, self.keys.log_key)
        return CheckpointRecord(size, root, note, timestamp(moment))

    def close(self, folder: Path, *, closed_at: datetime | None = None) -> dict[str, Any]:
        """Sign the final checkpoint and write the record into `folder`."""
        if not self.checkpoints or self.checkpoints[-1].size != len(self.entries):
            self.sign_checkpoint()
        if not self.checkpoints:
            self.checkpoints.append(self.checkpoint_record(0, self._tree.root(), self.clock(1)))
        moment = closed_at or self.clock(1)
        return write_record(
            folder,
            manifest_bytes=self.manifest_bytes,
            entries=self.entries,
            checkpoints=self.checkpoints,
            sealing_secret_key=bytes(self.keys.sealing_key),
            log_signing_key=self.keys.log_key,
            closed_at=timestamp(moment),
            software=SOFTWARE,
        )
