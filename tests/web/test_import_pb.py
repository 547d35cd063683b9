"""`civica import-pb`: refusals with line numbers (exit 2), idempotent imports, resumable
replays through the cast path, and the phase changes it records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from ballots import repository as board_store
from proposals import repository as store
from proposals.phases import Phase
from service.cli import main
from service.commands.import_pb import ImportFailed, import_file
from service.i18n import LANGUAGE_COOKIE, PORTUGUESE
from tests.unit.ballots.shared_files import needs_files, path

AppClient = tuple[httpx.AsyncClient, dict[str, Any]]
SMALL = (
    "META\nkey;value\ndescription;Small\nnum_projects;2\nnum_votes;3\nbudget;50\n"
    "vote_type;approval\nrule;greedy\n"
    "PROJECTS\nproject_id;cost;name\n1;30;Benches\n2;25;Trees\n"
    "VOTES\nvoter_id;vote\nv1;1\nv2;1,2\nv3;2\n"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            SMALL.replace("v2;1,2", "v2;1,7"),
            "line 16: vote of voter 'v2' names unknown project '7'",
        ),
        (SMALL.replace("2;25;Trees", "2;lots;Trees"), "line 12: cost of project '2'"),
        (SMALL.replace("budget;50\n", ""), "META lacks the 'budget' key"),
        (SMALL.replace("num_votes;3", "num_votes;4"), "line 5: META num_votes is '4'"),
        (SMALL.replace("2;25;Trees", "2;0;Trees"), "Project 2 costs nothing"),
    ],
)
def test_a_malformed_file_is_refused_with_exit_status_2(
    tmp_path: Path, capsys: Any, text: str, message: str
) -> None:
    bad = tmp_path / "bad.pb"
    bad.write_text(text, encoding="utf-8")
    assert main(["import-pb", str(bad)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("civica import-pb: ")
    assert message in error


def test_a_missing_or_binary_file_is_refused(tmp_path: Path, capsys: Any) -> None:
    assert main(["import-pb", str(tmp_path / "none.pb")]) == 2
    assert "No such file" in capsys.readouterr().err
    binary = tmp_path / "binary.pb"
    binary.write_bytes(b"\xff\xfe\x00META")
    assert main(["import-pb", str(binary)]) == 2
    assert "not UTF-8" in capsys.readouterr().err
    assert main(["import-pb", str(binary), "--slug", "Not A Slug"]) == 2


async def test_imports_are_idempotent_and_replays_resume(
    app_client: AppClient, tmp_path: Path
) -> None:
    client, state = app_client
    pool = state["pool"]
    small = tmp_path / "small.pb"
    small.write_text(SMALL, encoding="utf-8")
    args = (pool, state["settings"], state["keys"], small)
    said: list[str] = []

    first = await import_file(*args, slug="small", say=said.append)
    assert first.imported.created
    cycle = await store.fetch_cycle(pool, "small")
    assert cycle.final_list_published_at is not None
    assert cycle.phase_at(datetime.now(UTC)) is Phase.COMPLAINTS
    projects = await store.fetch_cycle_projects(pool, cycle.id)
    assert sorted((p.title, p.cost_cents, p.status.value) for p in projects) == [
        ("Benches", 30_00, "final"),
        ("Trees", 25_00, "final"),
    ]
    page = await client.get("/cycles/small/projects")
    assert "Benches" in page.text

    with pytest.raises(ImportFailed, match="use --replay first"):
        await import_file(*args, slug="small", close=True, say=said.append)

    again = await import_file(*args, slug="small", replay=True, say=said.append)
    assert not again.imported.created
    assert again.replay is not None
    assert (again.replay.cast, again.replay.already_cast) == (3, 0)
    assert any("already imported" in line for line in said)
    changes = await store.fetch_phase_changes(pool, cycle.id)
    assert [(c.phase, c.kind) for c in changes] == [(Phase.COMPLAINTS, "advance")]
    assert "small.pb" in changes[0].reason
    page = await client.get("/cycles/small")
    assert "Imported from the pabulib file small.pb" in page.text
    assert "Voting opened to replay the ballots of small.pb (civica import-pb)." in page.text
    client.cookies.set(LANGUAGE_COOKIE, PORTUGUESE)
    page = await client.get("/cycles/small")
    assert "Importado do ficheiro pabulib small.pb" in page.text
    assert "Votação aberta para repetir os boletins de small.pb (civica import-pb)." in page.text
    client.cookies.clear()

    resumed = await import_file(*args, slug="small", replay=True, close=True, say=said.append)
    assert resumed.replay is not None
    assert (resumed.replay.cast, resumed.replay.already_cast) == (0, 3)
    assert resumed.closed
    board = await board_store.fetch_board(pool, cycle.id)
    assert board is not None
    assert board.size == 3
    assert board.closed_at is not None
    assert (await client.get("/cycles/small/results/main")).status_code == 200

    closed_again = await import_file(*args, slug="small", replay=True, close=True, say=said.append)
    assert closed_again.replay is None
    assert any("nothing replayed" in line for line in said)
    assert (await board_store.fetch_board(pool, cycle.id)).size == 3  # type: ignore[union-attr]

    other = tmp_path / "other.pb"
    other.write_text(SMALL.replace("Benches", "Swings"), encoding="utf-8")
    with pytest.raises(ImportFailed, match="was not imported from this file"):
        await import_file(pool, state["settings"], state["keys"], other, slug="small")


@needs_files
async def test_the_command_end_to_end(app_client: AppClient, capsys: Any) -> None:
    client, state = app_client
    settings = state["settings"]
    summary = await import_file(
        state["pool"],
        settings,
        state["keys"],
        path("Poland_Czestochowa_2020_Grabowka"),
        slug="grabowka",
        replay=True,
        close=True,
    )
    out = capsys.readouterr().out
    assert "imported as cycle 'grabowka': 8 projects, 201 ballots" in out
    assert "counts money in PLN" in out
    assert "replayed: 201 cast" in out
    assert "closed: 201 board entries" in out
    assert summary.plan.scope.ballot.kind.value == "cumulative"
    page = await client.get("/cycles/grabowka/results/main")
    assert page.status_code == 200
    assert "Points per project" in page.text
