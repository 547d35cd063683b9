"""The values of the proposals domain: cycles, scopes, areas, proposals, projects, complaints."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from ballots.model import BallotSpec
from proposals.i18n import _
from proposals.phases import Phase, Schedule
from proposals.tally_choice import TallyChoice
from verification.eligibility import EligibilityRules

IDENTITY_PROVIDERS = ("oidc", "credential", "census")


@dataclass(frozen=True)
class CycleSettings:
    """What an administrator (or a cycle file) declares for a budget cycle."""

    slug: str
    name: str
    description: str
    content_language: str
    """The BCP 47 tag of the language the cycle's own texts are written in (see languages.py)."""
    timezone: str
    reference_date: date
    project_cost_cap_cents: int
    propose_eligibility: EligibilityRules
    identity_providers: tuple[str, ...]
    revoting_allowed: bool
    areas: tuple[str, ...]
    schedule: Schedule

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot (for the audit log)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "content_language": self.content_language,
            "timezone": self.timezone,
            "reference_date": self.reference_date.isoformat(),
            "project_cost_cap_cents": self.project_cost_cap_cents,
            "propose_eligibility": self.propose_eligibility.to_dict(),
            "identity_providers": list(self.identity_providers),
            "revoting_allowed": self.revoting_allowed,
            "areas": list(self.areas),
            "phases": self.schedule.to_dict(),
        }


@dataclass(frozen=True)
class Cycle:
    id: int
    settings: CycleSettings
    provisional_list_published_at: datetime | None
    final_list_published_at: datetime | None
    created_at: datetime

    @property
    def slug(self) -> str:
        return self.settings.slug

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def content_language(self) -> str:
        return self.settings.content_language

    def phase_at(self, now: datetime) -> Phase:
        """The phase running at `now`."""
        return self.settings.schedule.phase_at(now)


@dataclass(frozen=True)
class Area:
    id: int
    cycle_id: int
    name: str
    position: int


@dataclass(frozen=True)
class ScopeSettings:
    """One pot: its budget, region, vote group, ballot type, tally rule and who may vote."""

    slug: str
    name: str
    description: str
    region_code: str | None
    budget_cents: int
    vote_group: str
    ballot: BallotSpec
    tally: TallyChoice
    vote_eligibility: EligibilityRules

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot (for the audit log)."""
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "region_code": self.region_code,
            "budget_cents": self.budget_cents,
            "vote_group": self.vote_group,
            "ballot": self.ballot.to_dict(),
            "tally": self.tally.to_dict(),
            "vote_eligibility": self.vote_eligibility.to_dict(),
        }


@dataclass(frozen=True)
class Scope:
    id: int
    cycle_id: int
    position: int
    settings: ScopeSettings

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def slug(self) -> str:
        return self.settings.slug

    @property
    def budget_cents(self) -> int:
        return self.settings.budget_cents


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    FEASIBLE = "feasible"
    MERGED = "merged"


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    PROVISIONAL = "provisional"
    FINAL = "final"
    WITHDRAWN = "withdrawn"


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"


class ComplaintOutcome(StrEnum):
    UPHELD = "upheld"
    DISMISSED = "dismissed"


STATUS_NAMES: dict[str, str] = {
    ProposalStatus.SUBMITTED: _("Submitted"),
    ProposalStatus.IN_REVIEW: _("In technical review"),
    ProposalStatus.REJECTED: _("Not feasible"),
    ProposalStatus.FEASIBLE: _("Feasible"),
    ProposalStatus.MERGED: _("Part of a project"),
    ProjectStatus.DRAFT: _("Being prepared"),
    ProjectStatus.PROVISIONAL: _("On the provisional list"),
    ProjectStatus.FINAL: _("On the final list"),
    ProjectStatus.WITHDRAWN: _("Withdrawn"),
    ComplaintStatus.OPEN: _("Awaiting an answer"),
    ComplaintStatus.ANSWERED: _("Answered"),
    ComplaintOutcome.UPHELD: _("Upheld"),
    ComplaintOutcome.DISMISSED: _("Dismissed"),
}


@dataclass(frozen=True)
class ProposalDraft:
    """What a citizen submits (or edits)."""

    scope_id: int
    area_id: int | None
    title: str
    description: str
    location: str
    estimated_cost_cents: int


@dataclass(frozen=True)
class Proposal:
    id: int
    cycle_id: int
    scope_id: int
    area_id: int | None
    author_key: str
    title: str
    description: str
    location: str
    estimated_cost_cents: int
    status: ProposalStatus
    project_id: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ProjectDraft:
    """What a reviewer writes for a costed project."""

    scope_id: int
    area_id: int | None
    title: str
    description: str
    location: str
    cost_cents: int


@dataclass(frozen=True)
class Project:
    id: int
    cycle_id: int
    scope_id: int
    area_id: int | None
    title: str
    description: str
    location: str
    cost_cents: int
    status: ProjectStatus
    created_at: datetime
    updated_at: datetime


class EventKind(StrEnum):
    SUBMITTED = "submitted"
    EDITED = "edited"
    REVIEW_STARTED = "review_started"
    REJECTED = "rejected"
    FEASIBLE = "feasible"
    RECONSIDERED = "reconsidered"
    MERGED = "merged"
    PROJECT_CREATED = "project_created"
    PROJECT_EDITED = "project_edited"
    PROPOSALS_ADDED = "proposals_added"
    PROVISIONAL_LIST = "provisional_list"
    FINAL_LIST = "final_list"
    WITHDRAWN = "withdrawn"
    COMPLAINT_ANSWERED = "complaint_answered"


EVENT_NAMES: dict[str, str] = {
    EventKind.SUBMITTED: _("Submitted"),
    EventKind.EDITED: _("Changed by its author"),
    EventKind.REVIEW_STARTED: _("Technical review started"),
    EventKind.REJECTED: _("Found not feasible"),
    EventKind.FEASIBLE: _("Found feasible"),
    EventKind.RECONSIDERED: _("Reconsidered after a complaint"),
    EventKind.MERGED: _("Merged into a project"),
    EventKind.PROJECT_CREATED: _("Project created and costed"),
    EventKind.PROJECT_EDITED: _("Project changed"),
    EventKind.PROPOSALS_ADDED: _("Proposals added to the project"),
    EventKind.PROVISIONAL_LIST: _("Put on the provisional list"),
    EventKind.FINAL_LIST: _("Put on the final list"),
    EventKind.WITHDRAWN: _("Withdrawn from the list"),
    EventKind.COMPLAINT_ANSWERED: _("Complaint answered"),
}


@dataclass(frozen=True)
class ReviewEvent:
    id: int
    proposal_id: int | None
    project_id: int | None
    kind: EventKind
    status: str
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class Complaint:
    id: int
    cycle_id: int
    proposal_id: int | None
    project_id: int | None
    author_key: str
    body: str
    status: ComplaintStatus
    answer: str | None
    outcome: ComplaintOutcome | None
    answered_at: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class RecordedPhaseChange:
    """A phase change as shown on the public timeline."""

    kind: str
    phase: Phase
    previous_boundary_at: datetime | None
    new_boundary_at: datetime
    reason: str
    created_at: datetime


@dataclass(frozen=True)
class ScopeTotals:
    """Per scope: proposals received, listed projects and their total cost."""

    proposals: int
    projects: int
    projects_cost_cents: int


@dataclass(frozen=True)
class ItemQuery:
    """Search text, filters and page for the proposal and project lists."""

    text: str | None = None
    scope_id: int | None = None
    area_id: int | None = None
    status: str | None = None
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class PabulibImport:
    """Where an imported cycle came from: the file, its META, and its projects' civica ids."""

    cycle_id: int
    source_name: str
    source_sha256: bytes
    meta: dict[str, str]
    imported_at: datetime
    project_ids: dict[str, int]
    """The file's project id -> civica project id."""
