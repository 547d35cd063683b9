"""Read and write pabulib `.pb` files (META, PROJECTS and VOTES sections).

The format is described at https://pabulib.org/format: three `;`-separated CSV tables, each
introduced by a title line (`META`, `PROJECTS`, `VOTES`) and a header row. Costs and the budget
are whole numbers of the file's currency unit; project ids stay strings exactly as written.
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, Literal, TypeAlias, cast

from ballots.tally.model import Ballot, Project

VoteType: TypeAlias = Literal["approval", "choose-1", "cumulative", "ordinal"]
VOTE_TYPES: Final[tuple[VoteType, ...]] = ("approval", "choose-1", "cumulative", "ordinal")

SECTIONS: Final = ("meta", "projects", "votes")
_WHOLE_NUMBER = re.compile(r"[0-9]+(?:[.,]0*)?")
_LINE_BREAKS = re.compile(r"[\r\n]")


class PabulibFormatError(ValueError):
    """A `.pb` file (or data about to be written as one) breaks the format."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line is not None else message)


@dataclass(frozen=True, slots=True)
class PabulibProject:
    """One PROJECTS row: the id, the integer cost and every other column as written."""

    project_id: str
    cost: int
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PabulibVote:
    """One VOTES row: the projects named (in file order) and, for cumulative votes, the points."""

    voter_id: str
    projects: tuple[str, ...]
    points: tuple[int, ...] | None = None
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PabulibFile:
    """A whole `.pb` file; `project_columns`/`vote_columns` keep the header order for writing."""

    meta: Mapping[str, str]
    projects: tuple[PabulibProject, ...]
    votes: tuple[PabulibVote, ...]
    project_columns: tuple[str, ...] = ("project_id", "cost")
    vote_columns: tuple[str, ...] = ("voter_id", "vote")

    @property
    def budget(self) -> int:
        """The META budget as an integer."""
        return _whole_number(self.meta["budget"], "budget", None)

    @property
    def vote_type(self) -> VoteType:
        """The META vote type."""
        return cast(VoteType, self.meta["vote_type"])

    def tally_projects(self) -> tuple[Project, ...]:
        """The projects as tally inputs, in file order."""
        return tuple(Project(p.project_id, p.cost) for p in self.projects)

    def tally_ballots(self) -> tuple[Ballot, ...]:
        """Ballots as tally inputs: cumulative votes by points, every other type as approvals."""
        if self.vote_type == "cumulative":
            return tuple(
                dict(zip(vote.projects, vote.points or (), strict=True)) for vote in self.votes
            )
        return tuple(dict.fromkeys(vote.projects, 1) for vote in self.votes)


def read_pabulib(path: str | Path) -> PabulibFile:
    """Read a `.pb` file from disk."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return _parse_lines(handle)


def parse_pabulib(text: str) -> PabulibFile:
    """Parse the text of a `.pb` file."""
    return _parse_lines(io.StringIO(text.removeprefix("\ufeff"), newline=""))


def format_pabulib(pb: PabulibFile) -> str:
    """Render a `.pb` file that `parse_pabulib` (and pabutools) read back unchanged."""
    _check_writable(pb)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    meta = dict(pb.meta)
    if "num_projects" in meta:
        meta["num_projects"] = str(len(pb.projects))
    if "num_votes" in meta:
        meta["num_votes"] = str(len(pb.votes))
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    writer.writerows(meta.items())
    writer.writerow(["PROJECTS"])
    writer.writerow(pb.project_columns)
    writer.writerows(_project_row(project, pb.project_columns) for project in pb.projects)
    writer.writerow(["VOTES"])
    writer.writerow(pb.vote_columns)
    writer.writerows(_vote_row(vote, pb.vote_columns) for vote in pb.votes)
    return out.getvalue()


def write_pabulib(pb: PabulibFile, path: str | Path) -> None:
    """Write a `.pb` file to disk (UTF-8, LF line ends)."""
    Path(path).write_text(format_pabulib(pb), encoding="utf-8", newline="")


def _parse_lines(lines: Iterable[str]) -> PabulibFile:
    parser = _Parser()
    reader = csv.reader(lines, delimiter=";")
    try:
        for row in reader:
            parser.feed(row, reader.line_num)
    except csv.Error as error:
        raise PabulibFormatError(f"unreadable CSV: {error}", reader.line_num) from error
    return parser.finish()


class _Parser:
    """State machine over the CSV rows of one file."""

    def __init__(self) -> None:
        self.section = ""
        self.seen: list[str] = []
        self.header: tuple[str, ...] | None = None
        self.meta: dict[str, str] = {}
        self.meta_lines: dict[str, int] = {}
        self.project_columns: tuple[str, ...] = ()
        self.vote_columns: tuple[str, ...] = ()
        self.projects: list[PabulibProject] = []
        self.project_ids: set[str] = set()
        self.votes: list[PabulibVote] = []
        self.voter_ids: set[str] = set()
        self.vote_type: VoteType = "approval"
        self.extra_columns: tuple[str, ...] = ()
        self.extra_of: Callable[[list[str]], tuple[str, ...]] = lambda row: ()
        self.vote_at = self.voter_at = self.points_at = 0
        self.last_line = 0

    def feed(self, raw: list[str], line: int) -> None:
        self.last_line = line
        row = [cell.strip() for cell in raw]
        if not any(row):
            return
        title = row[0].lower()
        if title in SECTIONS and not any(row[1:]):
            self.open_section(title, line)
        elif not self.section:
            raise PabulibFormatError("expected a META section title", line)
        elif self.header is None:
            self.read_header(row, line)
        elif self.section == "meta":
            self.read_meta(row, line)
        elif self.section == "projects":
            self.read_project(row, line)
        else:
            self.read_vote(row, line)

    def open_section(self, title: str, line: int) -> None:
        expected = SECTIONS[len(self.seen)] if len(self.seen) < len(SECTIONS) else None
        if title != expected:
            raise PabulibFormatError(
                f"section {title.upper()} out of order (sections are META, PROJECTS, VOTES,"
                " each once)",
                line,
            )
        if self.section and self.header is None:
            raise PabulibFormatError(f"section {self.section.upper()} has no header row", line)
        if title == "projects":
            self.check_meta()
        self.section = title
        self.seen.append(title)
        self.header = None

    def read_header(self, row: list[str], line: int) -> None:
        header = tuple(row)
        if len(set(header)) != len(header) or "" in header:
            raise PabulibFormatError("header has an empty or repeated column name", line)
        required = {
            "meta": ("key", "value"),
            "projects": ("project_id", "cost"),
            "votes": ("voter_id", "vote", *(("points",) if self.vote_type == "cumulative" else ())),
        }[self.section]
        if self.section == "meta" and tuple(c.lower() for c in header) != required:
            raise PabulibFormatError("META header must be 'key;value'", line)
        missing = [column for column in required if column not in header]
        if missing:
            raise PabulibFormatError(
                f"{self.section.upper()} header lacks column(s) {', '.join(missing)}", line
            )
        self.header = header
        if self.section == "projects":
            self.project_columns = header
        elif self.section == "votes":
            self.vote_columns = header
            self.extra_columns = tuple(
                column for column in header if column not in ("voter_id", "vote", "points")
            )
            self.vote_at = header.index("vote")
            self.voter_at = header.index("voter_id")
            self.points_at = header.index("points") if "points" in header else -1
            indices = [header.index(column) for column in self.extra_columns]
            self.extra_of = (
                (lambda row: (row[indices[0]],))
                if len(indices) == 1
                else operator.itemgetter(*indices)
                if indices
                else (lambda row: ())
            )

    def read_meta(self, row: list[str], line: int) -> None:
        if len(row) != 2:
            raise PabulibFormatError(f"META row needs 2 fields (key;value), found {len(row)}", line)
        key, value = row
        if not key:
            raise PabulibFormatError("META row has an empty key", line)
        if key in self.meta:
            raise PabulibFormatError(f"META key {key!r} repeated", line)
        self.meta[key] = value
        self.meta_lines[key] = line

    def check_meta(self) -> None:
        for key in ("budget", "vote_type"):
            if key not in self.meta:
                raise PabulibFormatError(f"META lacks the {key!r} key", self.last_line)
        vote_type = self.meta["vote_type"]
        if vote_type not in VOTE_TYPES:
            raise PabulibFormatError(
                f"vote_type {vote_type!r} is not supported (use {', '.join(VOTE_TYPES)})",
                self.meta_lines["vote_type"],
            )
        self.vote_type = vote_type
        _whole_number(self.meta["budget"], "budget", self.meta_lines["budget"])

    def row_fields(self, row: list[str], line: int) -> dict[str, str]:
        assert self.header is not None
        if len(row) != len(self.header):
            raise PabulibFormatError(
                f"{self.section.upper()} row has {len(row)} fields, the header has"
                f" {len(self.header)}",
                line,
            )
        return dict(zip(self.header, row, strict=True))

    def read_project(self, row: list[str], line: int) -> None:
        fields = self.row_fields(row, line)
        project_id = fields.pop("project_id")
        if not project_id:
            raise PabulibFormatError("empty project_id", line)
        if "," in project_id:
            raise PabulibFormatError(f"project_id {project_id!r} contains a comma", line)
        if project_id in self.project_ids:
            raise PabulibFormatError(f"project_id {project_id!r} repeated", line)
        cost = _whole_number(fields.pop("cost"), f"cost of project {project_id!r}", line)
        self.project_ids.add(project_id)
        self.projects.append(PabulibProject(project_id, cost, fields))

    def read_vote(self, row: list[str], line: int) -> None:
        if len(row) != len(self.vote_columns):
            self.row_fields(row, line)
        voter_id = row[self.voter_at]
        if not voter_id:
            raise PabulibFormatError("empty voter_id", line)
        if voter_id in self.voter_ids:
            raise PabulibFormatError(f"voter_id {voter_id!r} repeated", line)
        vote = row[self.vote_at]
        named = tuple(part.strip() for part in vote.split(",")) if vote else ()
        if not self.project_ids.issuperset(named):
            unknown = next(p for p in named if p not in self.project_ids)
            raise PabulibFormatError(
                f"vote of voter {voter_id!r} names unknown project {unknown!r}", line
            )
        if len(set(named)) != len(named):
            raise PabulibFormatError(f"vote of voter {voter_id!r} names a project twice", line)
        if self.vote_type == "choose-1" and len(named) > 1:
            raise PabulibFormatError(
                f"choose-1 vote of voter {voter_id!r} names {len(named)} projects", line
            )
        points = None
        if self.vote_type == "cumulative":
            points = self.read_points(row[self.points_at], len(named), voter_id, line)
        self.voter_ids.add(voter_id)
        fields = dict(zip(self.extra_columns, self.extra_of(row), strict=True))
        self.votes.append(PabulibVote(voter_id, named, points, fields))

    @staticmethod
    def read_points(text: str, count: int, voter_id: str, line: int) -> tuple[int, ...]:
        parts = tuple(part.strip() for part in text.split(",")) if text else ()
        if len(parts) != count:
            raise PabulibFormatError(
                f"voter {voter_id!r} names {count} projects but gives {len(parts)} points", line
            )
        return tuple(_whole_number(part, f"points of voter {voter_id!r}", line) for part in parts)

    def finish(self) -> PabulibFile:
        if self.seen != list(SECTIONS):
            missing = [s.upper() for s in SECTIONS if s not in self.seen]
            raise PabulibFormatError(f"missing section(s) {', '.join(missing)}", self.last_line)
        if self.header is None:
            raise PabulibFormatError("section VOTES has no header row", self.last_line)
        for key, actual in (("num_projects", len(self.projects)), ("num_votes", len(self.votes))):
            if key in self.meta and self.meta[key] != str(actual):
                raise PabulibFormatError(
                    f"META {key} is {self.meta[key]!r} but the file has {actual}",
                    self.meta_lines[key],
                )
        return PabulibFile(
            meta=self.meta,
            projects=tuple(self.projects),
            votes=tuple(self.votes),
            project_columns=self.project_columns,
            vote_columns=self.vote_columns,
        )


def _whole_number(text: str, what: str, line: int | None) -> int:
    if not _WHOLE_NUMBER.fullmatch(text):
        raise PabulibFormatError(f"{what} must be a whole non-negative number, got {text!r}", line)
    return int(text.replace(",", ".").split(".")[0])


def _project_row(project: PabulibProject, columns: tuple[str, ...]) -> list[str]:
    values = {**project.fields, "project_id": project.project_id, "cost": str(project.cost)}
    return [values.get(column, "") for column in columns]


def _vote_row(vote: PabulibVote, columns: tuple[str, ...]) -> list[str]:
    values = {**vote.fields, "voter_id": vote.voter_id, "vote": ",".join(vote.projects)}
    if vote.points is not None:
        values["points"] = ",".join(str(p) for p in vote.points)
    return [values.get(column, "") for column in columns]


def _check_writable(pb: PabulibFile) -> None:
    """Refuse what the reader (or pabutools, which splits lines first) could not read back."""
    if pb.meta.get("vote_type") not in VOTE_TYPES:
        raise PabulibFormatError(f"vote_type must be one of {', '.join(VOTE_TYPES)}")
    if "budget" not in pb.meta:
        raise PabulibFormatError("META needs a budget")
    for column, required in (
        (pb.project_columns, ("project_id", "cost")),
        (pb.vote_columns, ("voter_id", "vote")),
    ):
        if not set(required) <= set(column):
            raise PabulibFormatError(f"columns {column} lack one of {required}")
    if pb.meta["vote_type"] == "cumulative" and "points" not in pb.vote_columns:
        raise PabulibFormatError("cumulative votes need a points column")
    for project in pb.projects:
        if not project.project_id or "," in project.project_id:
            raise PabulibFormatError(f"project id {project.project_id!r} is empty or has a comma")
    cells: Iterable[str] = (
        *pb.meta.keys(),
        *pb.meta.values(),
        *(value for p in pb.projects for value in (p.project_id, *p.fields.values())),
        *(value for v in pb.votes for value in (v.voter_id, *v.projects, *v.fields.values())),
    )
    for cell in cells:
        if cell != cell.strip() or _LINE_BREAKS.search(cell):
            raise PabulibFormatError(f"field {cell!r} has surrounding spaces or a line break")
    first_cells = (
        *((key, value) for key, value in pb.meta.items()),
        *((v.voter_id, *v.projects, *v.fields.values()) for v in pb.votes),
    )
    for row in first_cells:
        if row[0].lower() in SECTIONS and not any(row[1:]):
            raise PabulibFormatError(f"a row would read as the section title {row[0]!r}")
