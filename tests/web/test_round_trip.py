"""The round trip: a shared pabulib file imported, its ballots replayed through the cast path,
voting closed, the scope exported as `.pb` over HTTP and tallied again, by civica and by
pabutools, gives the winners of tallying the original file with the same rule.

Assen 2024 uses the Method of Equal Shares with Add1 in whole euros: civica records cents and
declares an Add1 step of 100 cents, so its published winners are exactly those of Add1 in euros
(and the export is written in euros again). Częstochowa 2020 (Grabówka) is a cumulative ballot
counted by points with greedy.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from ballots import repository as board_store
from ballots.pabulib import parse_pabulib, read_pabulib
from ballots.tally import TallyRule, TieBreak, tally
from bench import pabutools_rules
from service.commands.import_pb import import_file
from tests.unit.ballots.shared_files import needs_files, path
from verification.record import RECORD_FILES
from verification.verifier import verify_record

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
LEXICO = TieBreak("lexico")
CASES = [
    ("Netherlands_Assen_2024", TallyRule("mes", completion="add1", tie_break=LEXICO), "mes-add1"),
    ("Poland_Czestochowa_2020_Grabowka", TallyRule("greedy", tie_break=LEXICO), "greedy"),
]


@needs_files
@pytest.mark.parametrize(("name", "rule", "pabutools_rule"), CASES)
async def test_import_replay_close_export_and_tally_again(
    app_client: AppClient, tmp_path: Path, name: str, rule: TallyRule, pabutools_rule: str
) -> None:
    client, state = app_client
    pool = state["pool"]
    source = path(name)
    original = read_pabulib(source)
    expected = tally(original.tally_projects(), original.budget, original.tally_ballots(), rule)

    said: list[str] = []
    summary = await import_file(
        pool, state["settings"], state["keys"], source, replay=True, close=True, say=said.append
    )
    assert summary.replay is not None
    assert summary.replay.cast == len(original.votes)
    assert summary.replay.refused == []
    assert summary.closed
    assert any(
        line.strip().startswith("check: civica's rule selects the file's winners") for line in said
    )
    published_rule = summary.plan.rule
    in_units = {k: v for k, v in published_rule.as_dict().items() if k != "add1_step"}
    assert TallyRule.from_dict(in_units) == rule
    if rule.rule == "mes":
        assert published_rule.add1_step == 100
    back = {civica: source_id for source_id, civica in summary.imported.project_ids.items()}
    slug = summary.imported.cycle.slug

    # The record's own winners are the file's.
    cycle_id = summary.imported.cycle.id
    results = json.loads(await board_store.fetch_record_file(pool, cycle_id, "results.json") or b"")
    (scope,) = results["scopes"]
    assert [back[w] for w in scope["winners"]] == list(expected.winners)
    assert {back[p["id"]]: p["points"] for p in scope["projects"]} == dict(expected.scores)
    assert scope["ballots"] == {"counted": len(original.votes), "superseded": 0, "invalid": 0}

    # Exported as .pb over HTTP, in the file's unit, and tallied again.
    response = await client.get(f"/cycles/{slug}/results/main/results.pb")
    assert response.status_code == 200
    exported = parse_pabulib(response.text)
    assert exported.meta["civica_money_unit_cents"] == "100"
    assert exported.budget == original.budget
    assert exported.vote_type == original.vote_type
    assert len(exported.votes) == len(original.votes)
    again = tally(exported.tally_projects(), exported.budget, exported.tally_ballots(), rule)
    assert [back[int(w)] for w in again.winners] == list(expected.winners)
    costs = {back[int(p.project_id)]: p.cost for p in exported.projects}
    assert costs == {p.project_id: p.cost for p in original.projects}
    selected = {back[int(p.project_id)] for p in exported.projects if p.fields["selected"] == "1"}
    assert selected == set(expected.winners)

    # A researcher loads the export into pabutools and gets the same winners.
    export_path = tmp_path / f"{slug}.pb"
    export_path.write_text(response.text, encoding="utf-8")
    instance, profile = pabutools_rules.load(str(export_path))
    theirs = {
        project.name for project in pabutools_rules.RULES[pabutools_rule](instance, profile)()
    }
    assert {back[int(w)] for w in theirs} == set(expected.winners)

    # And the record the close published verifies.
    folder = tmp_path / "record"
    folder.mkdir()
    for file_name in RECORD_FILES:
        content = await board_store.fetch_record_file(pool, cycle_id, file_name)
        assert content is not None
        (folder / file_name).write_bytes(content)
    report = verify_record(str(folder), receipts=[])
    assert report.ok, report.to_json()
