"""The demo's budget cycle: the OPP 2018 example with its dates moved around today, and a
few proposals, reviews, costed projects and answered complaints, so a newcomer finds a live
cycle open for voting (final list published, voting since yesterday and for three weeks).

Everything goes through the same workflows the pages use. It is idempotent: a cycle that
already has proposals is left alone (one an earlier demo left in its complaints phase is
opened for voting, with a recorded reason).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg

from proposals import repository as store
from proposals.cycle_file import CycleDefinition, parse_cycle_file
from proposals.errors import NotFound
from proposals.model import ComplaintOutcome, ComplaintStatus, Cycle, ProjectDraft, ProposalDraft
from proposals.phases import Phase, Schedule
from service.accounts import StaffAccount
from service.resources import resource_dir
from service.workflows import cycles, participation, review
from verification.identity.model import CitizenSession, VerifiedIdentity, citizen_session_for

DEMO_ACTOR = "demo"
EXAMPLE = "opp-2018.toml"


def example_file() -> Path:
    """docs/examples/opp-2018.toml in a checkout, or its copy in an installed wheel."""
    installed = resource_dir("examples") / EXAMPLE
    if installed.is_file():
        return installed
    return Path(__file__).resolve().parents[2] / "docs" / "examples" / EXAMPLE


def live_schedule(today: date, zone: ZoneInfo) -> Schedule:
    """Dates around `today` that put the cycle in its voting phase, for three more weeks."""

    def day(offset: int) -> datetime:
        return datetime.combine(today + timedelta(days=offset), time(0, 0), tzinfo=zone)

    return Schedule(day(-40), day(-20), day(-10), day(-1), day(21))


@dataclass(frozen=True)
class DemoProposal:
    scope: str
    area: str
    title: str
    description: str
    location: str
    cost_euros: int
    decision: str  # "feasible" | "reject" | "submitted"
    note: str = ""


PROPOSALS = [
    DemoProposal(
        "nacional",
        "Cultura",
        "Fair of conventual sweets",
        "A travelling fair of the conventual sweet-making tradition, with workshops "
        "where older bakers teach the recipes to young people.",
        "Several towns",
        240_000,
        "feasible",
        "Costed with the Directorate of Culture.",
    ),
    DemoProposal(
        "nacional",
        "Inclusão social",
        "Portuguese Sign Language in public services",
        "Video interpreting in Portuguese Sign Language at every Loja do Cidadão.",
        "Lojas do Cidadão",
        180_000,
        "feasible",
    ),
    DemoProposal(
        "nacional",
        "Agricultura e florestas",
        "A seed bank for native varieties",
        "Collect and keep seeds of traditional vegetable varieties.",
        "",
        150_000,
        "reject",
        "The national plant gene bank already does this; the proposal duplicates an "
        "existing public programme.",
    ),
    DemoProposal(
        "nacional",
        "Ciência",
        "Open science summer schools",
        "Summer schools where secondary students work with researchers on open data.",
        "Universities",
        120_000,
        "feasible",
    ),
    DemoProposal(
        "norte",
        "Ambiente",
        "Walkway along the Tâmega",
        "A riverside walkway linking the town centre to the river beaches.",
        "Amarante",
        210_000,
        "feasible",
    ),
    DemoProposal(
        "norte",
        "Ambiente",
        "Clean river beaches on the Tâmega",
        "Facilities and water monitoring at two river beaches.",
        "Amarante",
        90_000,
        "feasible",
    ),
    DemoProposal(
        "norte",
        "Cultura",
        "Digital archive of Minho folk music",
        "Record and publish the songs of village choirs before they are lost.",
        "Minho",
        60_000,
        "feasible",
    ),
    DemoProposal(
        "centro",
        "Administração interna",
        "Kits for forest fire watch volunteers",
        "Radios, binoculars and protective clothing for volunteer watch posts.",
        "Pinhal Interior",
        140_000,
        "feasible",
    ),
    DemoProposal(
        "centro",
        "Cultura",
        "A route through the schist villages",
        "Signposting and a guide for a cultural route through the schist villages.",
        "Serra da Lousã",
        75_000,
        "feasible",
    ),
    DemoProposal(
        "lisboa-vale-tejo",
        "Ambiente",
        "Bicycle repair points in Almada",
        "Free self-service repair points at ferry and train stations.",
        "Almada",
        45_000,
        "feasible",
    ),
    DemoProposal(
        "lisboa-vale-tejo",
        "Ambiente",
        "Birdwatching hides on the Tejo estuary",
        "Three wooden hides and school visits to the estuary reserve.",
        "Alcochete",
        280_000,
        "reject",
        "The site is in a protected zone of the estuary reserve where new structures are "
        "not allowed.",
    ),
    DemoProposal(
        "alentejo",
        "Cultura",
        "Cante alentejano in schools",
        "Workshops where cante groups teach the tradition in primary schools.",
        "Beja district",
        55_000,
        "feasible",
    ),
    DemoProposal(
        "algarve",
        "Mar",
        "Clean-up boats for the Ria Formosa",
        "Two small boats and crews to collect litter in the lagoon.",
        "Olhão",
        130_000,
        "feasible",
    ),
    DemoProposal(
        "acores",
        "Ciência",
        "Whale sightings data for schools",
        "Schools record and share cetacean sightings with marine researchers.",
        "Faial",
        40_000,
        "feasible",
    ),
    DemoProposal(
        "madeira",
        "Desporto e juventude",
        "Safety signs on the levada trails",
        "Multilingual safety signs and emergency points along popular levadas.",
        "Madeira",
        85_000,
        "feasible",
    ),
]

# projects: (title, cost in euros, indexes of the proposals merged into it)
PROJECTS = [
    ("Fair of conventual sweets", 250_000, [0]),
    ("Portuguese Sign Language interpreting in public services", 180_000, [1]),
    ("Open science summer schools", 110_000, [3]),
    ("Tâmega walkway and river beaches", 295_000, [4, 5]),
    ("Digital archive of Minho folk music", 60_000, [6]),
    ("Kits for forest fire watch volunteers", 140_000, [7]),
    ("Schist villages cultural route", 80_000, [8]),
    ("Bicycle repair points in Almada", 45_000, [9]),
    ("Cante alentejano in schools", 55_000, [11]),
    ("Clean-up boats for the Ria Formosa", 130_000, [12]),
    ("Whale sightings data for schools", 40_000, [13]),
    ("Safety signs on the levada trails", 85_000, [14]),
]


async def seed_demo_cycle(
    pool: asyncpg.Pool, pepper: bytes, reviewer: StaffAccount, today: date | None = None
) -> tuple[Cycle, bool]:
    """Load and populate the demo cycle unless it exists; returns (cycle, whether seeded now)."""
    definition = parse_cycle_file(example_file().read_text(encoding="utf-8"))
    slug = definition.settings.slug
    try:
        existing = await store.fetch_cycle(pool, slug)
    except NotFound:
        existing = None
    if existing is not None and await store.count_cycle_proposals(pool, existing.id):
        if existing.final_list_published_at is None:
            await _open_for_voting(pool, reviewer, slug)
        return await store.fetch_cycle(pool, slug), False
    zone = ZoneInfo(definition.settings.timezone)
    schedule = live_schedule(today or datetime.now(zone).date(), zone)
    live = CycleDefinition(replace(definition.settings, schedule=schedule), definition.scopes)
    await cycles.load_cycle_definition(
        pool, DEMO_ACTOR, live, replace_existing=existing is not None, now=schedule.proposals_at
    )
    await _populate(pool, pepper, reviewer, slug, schedule)
    return await store.fetch_cycle(pool, slug), True


def _citizen(pepper: bytes, number: int, residence: str) -> CitizenSession:
    identity = VerifiedIdentity(
        provider="dev",
        subject_key=f"demo:citizen-{number}",
        birth_date=date(1950 + number % 50, 1 + number % 12, 1 + number % 28),
        residence=residence,
        status="citizen",
    )
    return citizen_session_for(pepper, identity)


async def _populate(
    pool: asyncpg.Pool, pepper: bytes, reviewer: StaffAccount, slug: str, schedule: Schedule
) -> None:
    cycle = await store.fetch_cycle(pool, slug)
    scopes = {s.slug: s for s in await store.fetch_scopes(pool, cycle.id)}
    areas = {a.name: a for a in await store.fetch_areas(pool, cycle.id)}
    ids = []
    for number, item in enumerate(PROPOSALS):
        citizen = _citizen(pepper, number, item.scope if item.scope != "nacional" else "centro")
        draft = ProposalDraft(
            scope_id=scopes[item.scope].id,
            area_id=areas[item.area].id,
            title=item.title,
            description=item.description,
            location=item.location,
            estimated_cost_cents=item.cost_euros * 100,
        )
        moment = schedule.proposals_at + timedelta(days=1 + number, hours=10)
        ids.append((await participation.submit_proposal(pool, citizen, slug, draft, moment)).id)
    reviewing = schedule.review_at + timedelta(hours=9)
    for number, item in enumerate(PROPOSALS):
        await review.review_proposal(pool, reviewer, slug, ids[number], "start", now=reviewing)
        step = "feasible" if item.decision == "feasible" else "reject"
        await review.review_proposal(
            pool, reviewer, slug, ids[number], step, item.note, reviewing + timedelta(days=3)
        )
    costing = schedule.review_at + timedelta(days=8)
    project_ids = []
    for title, euros, members in PROJECTS:
        first = PROPOSALS[members[0]]
        project_draft = ProjectDraft(
            scope_id=scopes[first.scope].id,
            area_id=areas[first.area].id,
            title=title,
            description=" ".join(PROPOSALS[m].description for m in members),
            location=first.location,
            cost_cents=euros * 100,
        )
        project = await review.create_project(
            pool, reviewer, slug, project_draft, [ids[m] for m in members], costing
        )
        project_ids.append(project.id)
    await review.publish_list(
        pool, reviewer, slug, "provisional", schedule.complaints_at - timedelta(hours=2)
    )
    complainant = _citizen(pepper, 99, "centro")
    complaint = await participation.file_complaint(
        pool,
        complainant,
        slug,
        "The gene bank keeps seeds for research; it does not give them to farmers. This "
        "proposal is about sharing seeds, which nobody does today.",
        proposal_id=ids[2],
        now=schedule.complaints_at + timedelta(hours=11),
    )
    await review.answer_complaint(
        pool,
        reviewer,
        slug,
        complaint.id,
        "The gene bank's seed-sharing programme with farmers' associations started in 2017, "
        "so the decision stands. We have added the programme's address to the proposal page.",
        ComplaintOutcome.DISMISSED,
        schedule.complaints_at + timedelta(days=1, hours=15),
    )
    walkway = await participation.file_complaint(
        pool,
        _citizen(pepper, 98, "norte"),
        slug,
        "The walkway's cost looks low for 2 km of riverside path with lighting.",
        project_id=project_ids[3],
        now=schedule.complaints_at + timedelta(days=1, hours=9),
    )
    await review.answer_complaint(
        pool,
        reviewer,
        slug,
        walkway.id,
        WALKWAY_ANSWER,
        ComplaintOutcome.DISMISSED,
        schedule.complaints_at + timedelta(days=2, hours=10),
    )
    await review.publish_list(pool, reviewer, slug, "final", schedule.complaints_at + timedelta(3))


WALKWAY_ANSWER = (
    "The municipality's engineers costed 2 km of path with solar lighting at this price; the "
    "river beaches' facilities are in the same project. The cost stands."
)
OPEN_REASON = "Demo: the complaints are answered and the final list is out, so voting opens now."


async def _open_for_voting(pool: asyncpg.Pool, reviewer: StaffAccount, slug: str) -> None:
    """Bring a cycle an earlier demo left in its complaints phase to its voting phase."""
    cycle = await store.fetch_cycle(pool, slug)
    if cycle.phase_at(datetime.now(UTC)) is not Phase.COMPLAINTS:
        return
    for complaint in await store.fetch_complaints(pool, cycle.id):
        if complaint.status is ComplaintStatus.OPEN:
            await review.answer_complaint(
                pool, reviewer, slug, complaint.id, WALKWAY_ANSWER, ComplaintOutcome.DISMISSED
            )
    await review.publish_list(pool, reviewer, slug, "final")
    await cycles.change_phase(
        pool, DEMO_ACTOR, reviewer.id, slug, kind="advance", reason=OPEN_REASON
    )
