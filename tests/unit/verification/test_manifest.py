"""The manifest: strict parsing, one encoding, and the fingerprint of its exact bytes."""

import hashlib
import json
from typing import Any

import pytest

from tests.support.election import TestElection, rule, scope
from verification.manifest import (
    ManifestError,
    encode_manifest,
    fingerprint_of,
    manifest_from_json,
    origin_of,
    parse_manifest,
)


def _manifest_json() -> dict[str, Any]:
    election = TestElection(
        [scope(1, "nacional", 100, {11: 60, 12: 50}), scope(2, "norte", 90, {21: 10})],
        seed="manifest",
    )
    value: dict[str, Any] = json.loads(election.manifest_bytes)
    return value


def test_a_manifest_round_trips_to_the_same_bytes() -> None:
    data = encode_manifest(manifest_from_json(_manifest_json()))
    manifest = parse_manifest(data)
    assert encode_manifest(manifest) == data
    assert fingerprint_of(data) == hashlib.sha256(data).digest()
    assert origin_of(data) == "civica/" + hashlib.sha256(data).hexdigest()
    assert manifest.scope(1) is not None
    assert manifest.scope(3) is None
    assert manifest.scope(1).rules.project_costs == {11: 60, 12: 50}  # type: ignore[union-attr]


def test_non_canonical_bytes_are_refused() -> None:
    value = _manifest_json()
    with pytest.raises(ManifestError, match="canonical"):
        parse_manifest(json.dumps(value, indent=1).encode())


def _broken(change: Any) -> dict[str, Any]:
    value = _manifest_json()
    change(value)
    return value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: v.update(extra=1), "unexpected"),
        (lambda v: v.update(format="civica-manifest/2"), "format"),
        (lambda v: v["voting"].update(revoting=1), "revoting"),
        (lambda v: v["cycle"].update(id=True), "cycle.id"),
        (lambda v: v["voting"].update(opens_at="2018-05-02 09:00"), "opens_at"),
        (lambda v: v.update(log_public_key="AAAA"), "32 bytes"),
        (lambda v: v["scopes"][1].update(id=1), "scope id 1 appears twice"),
        (lambda v: v["scopes"][1]["projects"][0].update(id=11), "project id 11 appears twice"),
        (lambda v: v["scopes"][0]["projects"].reverse(), "increasing id order"),
        (lambda v: v["scopes"][0].update(budget_cents=-1), "negative"),
        (lambda v: v["scopes"][0].update(vote_group="Main Group"), "vote_group"),
        (lambda v: v["scopes"][0].update(ballot={"kind": "ranked"}), "ballot"),
        (
            lambda v: v["scopes"][0].update(ballot={"kind": "k-approval", "max_choices": "2"}),
            "ballot",
        ),
        (
            lambda v: v["scopes"][0].update(ballot={"kind": "single-choice", "max_choices": 2}),
            "takes no",
        ),
        (lambda v: v["scopes"][0].update(tally={"rule": "borda"}), "tally"),
        (lambda v: v["scopes"][0].update(tally={"rule": "greedy"}), "published form"),
        (lambda v: v["scopes"][0].update(id=2**32), "32 bits"),
    ],
)
def test_malformed_manifests_are_refused(change: Any, message: str) -> None:
    with pytest.raises(ManifestError, match=message):
        manifest_from_json(_broken(change))


def test_tally_rules_are_kept_as_published() -> None:
    value = _manifest_json()
    value["scopes"][0]["tally"] = rule("mes", completion="add1", tie_break="seeded", seed="s")
    manifest = manifest_from_json(value)
    assert manifest.scopes[0].tally == value["scopes"][0]["tally"]
