"""The published results read beside the manifest (the worked example of §13), and exports made
from them; a results file that does not match its manifest is refused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from ballots.exports import money_unit_cents, scope_csv, scope_json, scope_pabulib
from ballots.pabulib import format_pabulib, parse_pabulib
from ballots.tally import tally
from verification.formats import canonical_json
from verification.published_results import (
    PublishedResultsError,
    counted_ballots,
    read_published_results,
)

RECORD = Path(__file__).resolve().parents[2] / "vectors" / "worked_example"


def files() -> tuple[bytes, bytes, bytes]:
    return (
        (RECORD / "manifest.json").read_bytes(),
        (RECORD / "results.json").read_bytes(),
        (RECORD / "ballots.jsonl").read_bytes(),
    )


def test_the_worked_example_reads_as_published() -> None:
    manifest, results, _ballots = files()
    published = read_published_results(manifest, results)
    nacional, algarve = published.scopes
    assert published.final_size == 5
    assert [w.id for w in nacional.winners] == [13]
    assert [p.selection_order for p in nacional.projects] == [None, None, 1]
    assert [(p.id, p.votes) for p in nacional.by_support()] == [(11, 1), (13, 1), (12, 0)]
    assert (nacional.counted, nacional.superseded, nacional.invalid) == (2, 1, 0)
    assert nacional.left_cents == 2_500_000
    assert [w.id for w in algarve.winners] == [22, 21]
    assert published.scope("algarve") is algarve
    assert published.scope("nowhere") is None


def test_exports_of_the_worked_example() -> None:
    manifest, results, ballots = files()
    published = read_published_results(manifest, results)
    algarve = published.scopes[1]
    document = json.loads(scope_json(published, algarve))
    assert document["results"]["winners"] == [22, 21]
    assert [p["title"] for p in document["results"]["projects"]] == [
        p.title for p in algarve.projects
    ]
    rows = list(csv.DictReader(io.StringIO(scope_csv(algarve))))
    assert [(r["id"], r["selected"], r["selection_order"]) for r in rows] == [
        ("21", "yes", "2"),
        ("22", "yes", "1"),
        ("23", "no", ""),
    ]
    counted = list(counted_ballots(ballots.splitlines(), algarve.spec.id))
    assert [index for index, _selections in counted] == [1, 3]
    assert money_unit_cents(algarve) == 100
    pb = parse_pabulib(format_pabulib(scope_pabulib(published, algarve, counted)))
    assert [v.voter_id for v in pb.votes] == ["1", "3"]
    assert pb.budget == 30_000
    assert pb.meta["vote_type"] == "approval"
    assert pb.meta["max_length"] == "2"
    outcome = tally(pb.tally_projects(), pb.budget, pb.tally_ballots(), algarve.rule)
    assert [int(w) for w in outcome.winners] == [22, 21]


def test_results_of_another_manifest_are_refused() -> None:
    manifest, results, _ballots = files()
    value = json.loads(results)
    value["scopes"][0]["winners"] = [99]
    with pytest.raises(PublishedResultsError):
        read_published_results(manifest, canonical_json(value))
    value = json.loads(results)
    value["cycle_fingerprint"] = "00" * 32
    with pytest.raises(PublishedResultsError, match="not civica-results/1 of this manifest"):
        read_published_results(manifest, canonical_json(value))
    with pytest.raises(PublishedResultsError):
        read_published_results(manifest, results + b" ")
    with pytest.raises(PublishedResultsError):
        read_published_results(b"{}", results)
