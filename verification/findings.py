"""What the verifier reports: findings (failed checks) and the overall report.

Every check has a stable name (docs/election-record.md §11 lists them); a finding names the
check, what it concerns (an entry index, a checkpoint size, a scope id, a file or a receipt)
and says in words what does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHECKS: dict[str, str] = {
    "manifest-canonical": "manifest.json is canonical JSON",
    "manifest-fingerprint": "the manifest's SHA-256 is the fingerprint everything else binds",
    "closing-statement": "closing.json has the members of §9 and names this cycle",
    "closing-signature": "closing.json is signed by the manifest's log key",
    "closing-file-hash": "every file's SHA-256 equals the one the closing statement signs",
    "sealing-key": "the released sealing key is the manifest's and its secret derives it",
    "checkpoint-line": "every checkpoints.jsonl line is canonical and matches its note",
    "checkpoint-signature": "every checkpoint note names this cycle and is signed by its log key",
    "checkpoint-order": "checkpoints are listed in strictly increasing size",
    "checkpoint-root": "every checkpoint's root is the Merkle root of the entries it covers",
    "checkpoint-consistency": "each checkpoint is consistent with the one before (RFC 9162)",
    "checkpoint-final": "the last checkpoint covers exactly every entry",
    "entry-line": "every entries.jsonl line is canonical, with indexes 0, 1, 2, ...",
    "entry-format": "every entry decodes, names this cycle and a scope of the manifest",
    "ballot-line": "ballots.jsonl has one canonical line per entry",
    "ballot-content": "every published ballot is what its sealed entry opens to",
    "ballot-status": "every ballot's status follows validity and last-ballot-counts",
    "result-format": "results.json is canonical and names this cycle and final checkpoint",
    "result-scope": "results.json lists the manifest's scopes, in order",
    "result-rule": "each scope's published rule and budget are the manifest's",
    "result-counts": "each scope's counted, superseded and invalid ballots recount the same",
    "result-votes": "each project's votes and points recount the same",
    "result-winners": "each scope's winners, in order, are what its rule selects",
    "result-cost": "each scope's total cost is the cost of its winners",
    "receipt-format": "a receipt given has the members of §10",
    "receipt-signature": "a receipt is signed by the manifest's log key",
    "receipt-cycle": "a receipt names this cycle",
    "receipt-entry": "a receipt's entry is in the record with the receipt's leaf hash",
    "receipt-inclusion": "a receipt's entry is covered by the signed final checkpoint",
}

DEFAULT_FINDING_LIMIT = 100


@dataclass(frozen=True)
class Finding:
    """One check that does not hold, and what it concerns."""

    check: str
    message: str
    entry: int | None = None
    checkpoint: int | None = None
    scope: int | None = None
    file: str | None = None
    receipt: str | None = None

    def concerns(self) -> str:
        """What the finding is about, in words: "entry 12", "scope 3", ..."""
        parts = []
        for name in ("entry", "checkpoint", "scope", "file", "receipt"):
            value = getattr(self, name)
            if value is not None:
                label = "checkpoint of size" if name == "checkpoint" else name
                parts.append(f"{label} {value}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"check": self.check, "message": self.message}
        for name in ("entry", "checkpoint", "scope", "file", "receipt"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass
class Report:
    """Everything a verification run found and measured."""

    record: str
    fingerprint: str | None = None
    findings: list[Finding] = field(default_factory=list)
    omitted: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    checked: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    finding_limit: int = DEFAULT_FINDING_LIMIT
    _per_check: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, finding: Finding) -> None:
        """Record a finding; past `finding_limit` per check only a count is kept."""
        if finding.check not in CHECKS:
            raise ValueError(f"unknown check {finding.check!r}")
        seen = self._per_check.get(finding.check, 0)
        self._per_check[finding.check] = seen + 1
        if seen < self.finding_limit:
            self.findings.append(finding)
        else:
            self.omitted[finding.check] = self.omitted.get(finding.check, 0) + 1

    def ran(self, *checks: str) -> None:
        """Note checks that were performed (the summary lists them)."""
        for check in checks:
            if check not in CHECKS:
                raise ValueError(f"unknown check {check!r}")
            if check not in self.checked:
                self.checked.append(check)

    def failed(self, check: str) -> int:
        """How many findings (kept or omitted) a check produced."""
        return self._per_check.get(check, 0)

    @property
    def ok(self) -> bool:
        return not self._per_check

    @property
    def exit_status(self) -> int:
        return 0 if self.ok else 1

    def to_json(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "ok": self.ok,
            "fingerprint": self.fingerprint,
            "counts": dict(self.counts),
            "checks": [
                {"check": name, "description": CHECKS[name], "findings": self.failed(name)}
                for name in self.checked
            ],
            "findings": [finding.to_json() for finding in self.findings],
            "omitted": dict(self.omitted),
            "timings_s": {name: round(value, 4) for name, value in self.timings.items()},
        }
