import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pabutools.election import parse_pabulib as pabutools_parse

from ballots.pabulib import (
    PabulibFile,
    PabulibFormatError,
    PabulibProject,
    PabulibVote,
    format_pabulib,
    parse_pabulib,
    read_pabulib,
    write_pabulib,
)
from tests.unit.ballots.shared_files import NAMES, load, needs_files, path

SMALL = "\n".join(
    [
        "META",
        "key;value",
        "description;test",
        "num_projects;3",
        "num_votes;3",
        "budget;1000",
        "vote_type;approval",
        "rule;greedy",
        "PROJECTS",
        "project_id;cost;votes;name",
        'a;600;2;"First; with a semicolon"',
        'b;400;2;"Second ""quoted"""',
        "c;500;1;Third",
        "VOTES",
        "voter_id;vote;age",
        "1;a,b;30",
        "2;b;41",
        "3;a,c;19",
        "",
    ]
)


def test_reads_sections_costs_and_votes() -> None:
    pb = parse_pabulib(SMALL)
    assert pb.budget == 1000
    assert pb.vote_type == "approval"
    assert [(p.project_id, p.cost) for p in pb.projects] == [("a", 600), ("b", 400), ("c", 500)]
    assert pb.projects[0].fields["name"] == "First; with a semicolon"
    assert pb.projects[1].fields["name"] == 'Second "quoted"'
    assert pb.votes[0] == PabulibVote("1", ("a", "b"), None, {"age": "30"})
    assert pb.tally_ballots() == ({"a": 1, "b": 1}, {"b": 1}, {"a": 1, "c": 1})


def test_cumulative_points_and_ordinal_order() -> None:
    cumulative = SMALL.replace("approval", "cumulative").replace(
        "voter_id;vote;age\n1;a,b;30\n2;b;41\n3;a,c;19",
        "voter_id;vote;points\n1;a,b;3,2\n2;b;5\n3;a,c;1,4",
    )
    pb = parse_pabulib(cumulative)
    assert pb.votes[0].points == (3, 2)
    assert pb.tally_ballots()[2] == {"a": 1, "c": 4}
    ordinal = parse_pabulib(SMALL.replace("approval", "ordinal").replace("3;a,c;19", "3;c,a;19"))
    assert ordinal.votes[2].projects == ("c", "a")
    assert ordinal.tally_ballots()[2] == {"c": 1, "a": 1}


def test_tolerates_bom_crlf_blank_lines_spaces_and_decimal_zeros() -> None:
    text = "\ufeff" + SMALL.replace("budget;1000", "budget; 1000.00 ").replace("\n", "\r\n")
    text = text.replace("PROJECTS", "\r\nPROJECTS")
    pb = parse_pabulib(text)
    assert pb.budget == 1000
    assert pb.projects == parse_pabulib(SMALL).projects
    assert pb.votes == parse_pabulib(SMALL).votes


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("META\n", "METAX\n"), 1, "META section title"),
        (("key;value", "key;val"), 2, "key;value"),
        (("budget;1000", "budget;10.5"), 6, "whole non-negative number"),
        (("budget;1000\n", ""), 8, "lacks the 'budget' key"),
        (("vote_type;approval", "vote_type;scoring"), 7, "not supported"),
        (("rule;greedy", "rule: greedy"), 8, "2 fields"),
        (("b;400;2;", "a;400;2;"), 12, "repeated"),
        (("c;500;1;Third", "c;-5;1;Third"), 13, "cost of project 'c'"),
        (("c;500;1;Third", "c;500;1"), 13, "3 fields"),
        (("2;b;41", "2;d;41"), 17, "unknown project 'd'"),
        (("2;b;41", "2;b,b;41"), 17, "twice"),
        (("3;a,c;19", "1;a,c;19"), 18, "voter_id '1' repeated"),
        (("num_votes;3", "num_votes;4"), 5, "num_votes is '4'"),
        (("project_id;cost", "id;cost"), 10, "lacks column(s) project_id"),
        (("VOTES\n", "PROJECTS\n"), 14, "out of order"),
    ],
)
def test_malformed_files_name_the_line(change: tuple[str, str], line: int, message: str) -> None:
    with pytest.raises(PabulibFormatError, match=re.escape(message)) as error:
        parse_pabulib(SMALL.replace(*change, 1))
    assert error.value.line == line
    assert str(error.value).startswith(f"line {line}: ")


def test_missing_sections_and_type_specific_errors() -> None:
    with pytest.raises(PabulibFormatError, match="missing section"):
        parse_pabulib(SMALL.split("VOTES")[0])
    choose_one = SMALL.replace("approval", "choose-1")
    with pytest.raises(PabulibFormatError, match="choose-1 vote") as error:
        parse_pabulib(choose_one)
    assert error.value.line == 16
    cumulative = SMALL.replace("approval", "cumulative").replace(
        "voter_id;vote;age", "voter_id;vote;points"
    )
    with pytest.raises(PabulibFormatError, match="gives 1 points") as error:
        parse_pabulib(cumulative.replace("1;a,b;30", "1;a,b;30"))
    assert error.value.line == 16
    no_points = SMALL.replace("approval", "cumulative")
    with pytest.raises(PabulibFormatError, match="lacks column"):
        parse_pabulib(no_points)


def test_round_trip_through_text_and_disk(tmp_path: pytest.TempPathFactory) -> None:
    pb = parse_pabulib(SMALL)
    assert parse_pabulib(format_pabulib(pb)) == pb
    target = tmp_path / "out.pb"  # type: ignore[operator]
    write_pabulib(pb, target)
    assert read_pabulib(target) == pb


def test_writer_refuses_what_cannot_be_read_back() -> None:
    pb = parse_pabulib(SMALL)
    bad_project = PabulibProject("x,y", 1, {"votes": "0", "name": "n"})
    with pytest.raises(PabulibFormatError, match="comma"):
        format_pabulib(
            PabulibFile(
                pb.meta, (*pb.projects, bad_project), pb.votes, pb.project_columns, pb.vote_columns
            )
        )
    multiline = PabulibProject("d", 1, {"votes": "0", "name": "two\nlines"})
    with pytest.raises(PabulibFormatError, match="line break"):
        format_pabulib(
            PabulibFile(
                pb.meta, (*pb.projects, multiline), pb.votes, pb.project_columns, pb.vote_columns
            )
        )


ids = (
    st.text(st.characters(codec="utf-8", exclude_characters=',;"\r\n\x00'), min_size=1, max_size=6)
    .map(str.strip)
    .filter(bool)
)
names = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=12).map(
    str.strip
)


@st.composite
def pabulib_files(draw: st.DrawFn) -> PabulibFile:
    vote_type = draw(st.sampled_from(["approval", "choose-1", "cumulative", "ordinal"]))
    project_ids = draw(st.lists(ids, min_size=1, max_size=6, unique=True))
    projects = tuple(
        PabulibProject(pid, draw(st.integers(0, 10**9)), {"name": draw(names)})
        for pid in project_ids
    )
    votes = []
    for number in range(draw(st.integers(0, 8))):
        size = (0, 1) if vote_type == "choose-1" else (0, len(project_ids))
        named = tuple(
            draw(
                st.lists(
                    st.sampled_from(project_ids), min_size=size[0], max_size=size[1], unique=True
                )
            )
        )
        points = (
            tuple(draw(st.integers(0, 20)) for _ in named) if vote_type == "cumulative" else None
        )
        votes.append(PabulibVote(f"v{number}", named, points, {"district": draw(names)}))
    meta = {
        "description": draw(names),
        "num_projects": str(len(projects)),
        "num_votes": str(len(votes)),
        "budget": str(draw(st.integers(0, 10**12))),
        "vote_type": vote_type,
    }
    vote_columns = (
        "voter_id",
        "vote",
        *(("points",) if vote_type == "cumulative" else ()),
        "district",
    )
    return PabulibFile(meta, projects, tuple(votes), ("project_id", "cost", "name"), vote_columns)


@given(pabulib_files())
def test_written_files_round_trip(pb: PabulibFile) -> None:
    assert parse_pabulib(format_pabulib(pb)) == pb


@needs_files
def test_written_files_load_in_pabutools(tmp_path: pytest.TempPathFactory) -> None:
    for name in (
        "Poland_Czestochowa_2020_Grabowka",
        "Switzerland_Zurich_S5R",
        "Netherlands_Assen_2024",
    ):
        pb = load(name)
        target = tmp_path / f"{name}.pb"  # type: ignore[operator]
        write_pabulib(pb, target)
        instance, profile = pabutools_parse(str(target))
        assert instance.budget_limit == pb.budget
        assert sorted(p.name for p in instance) == sorted(p.project_id for p in pb.projects)
        assert len(profile) == len(pb.votes)
        assert read_pabulib(target) == pb


@needs_files
@pytest.mark.parametrize("name", NAMES)
def test_every_shared_file_parses_and_round_trips(name: str) -> None:
    pb = load(name)
    assert len(pb.projects) == int(pb.meta["num_projects"])
    assert len(pb.votes) == int(pb.meta["num_votes"])
    if "votes" in pb.project_columns:
        counts = {p.project_id: 0 for p in pb.projects}
        for vote in pb.votes:
            for pid in vote.projects:
                counts[pid] += 1
        assert counts == {p.project_id: int(p.fields["votes"]) for p in pb.projects}
    assert parse_pabulib(format_pabulib(pb)) == pb


@needs_files
def test_reads_the_largest_shared_file_whole() -> None:
    # Its reading speed is measured by bench/tally.py, never asserted here.
    pb = read_pabulib(path("Poland_Lodz_2022"))
    assert len(pb.votes) == 90494


def test_writer_refuses_rows_that_read_as_section_titles() -> None:
    pb = parse_pabulib(SMALL)
    lone = PabulibVote("votes", (), None, {"age": ""})
    with pytest.raises(PabulibFormatError, match="section title"):
        format_pabulib(
            PabulibFile(
                pb.meta, pb.projects, (*pb.votes, lone), pb.project_columns, pb.vote_columns
            )
        )
