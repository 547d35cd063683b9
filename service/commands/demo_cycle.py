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
        "Feira da doçaria conventual",
        "Uma feira itinerante da tradição da doçaria conventual, com oficinas em que "
        "doceiras mais velhas ensinam as receitas aos jovens.",
        "Várias localidades",
        240_000,
        "feasible",
        "Orçamentado com a Direção-Geral das Artes.",
    ),
    DemoProposal(
        "nacional",
        "Inclusão social",
        "Língua Gestual Portuguesa nos serviços públicos",
        "Videointerpretação em Língua Gestual Portuguesa em todas as Lojas do Cidadão.",
        "Lojas do Cidadão",
        180_000,
        "feasible",
    ),
    DemoProposal(
        "nacional",
        "Agricultura e florestas",
        "Um banco de sementes de variedades autóctones",
        "Recolher e conservar sementes de variedades hortícolas tradicionais.",
        "",
        150_000,
        "reject",
        "O banco português de germoplasma vegetal já o faz; a proposta duplica um "
        "programa público existente.",
    ),
    DemoProposal(
        "nacional",
        "Ciência",
        "Escolas de verão de ciência aberta",
        "Escolas de verão em que alunos do secundário trabalham com investigadores em "
        "dados abertos.",
        "Universidades",
        120_000,
        "feasible",
    ),
    DemoProposal(
        "norte",
        "Ambiente",
        "Passadiço ao longo do Tâmega",
        "Um passadiço ribeirinho que liga o centro da cidade às praias fluviais.",
        "Amarante",
        210_000,
        "feasible",
    ),
    DemoProposal(
        "norte",
        "Ambiente",
        "Praias fluviais limpas no Tâmega",
        "Equipamentos e monitorização da água em duas praias fluviais.",
        "Amarante",
        90_000,
        "feasible",
    ),
    DemoProposal(
        "norte",
        "Cultura",
        "Arquivo digital da música popular do Minho",
        "Gravar e publicar os cantares dos grupos corais das aldeias antes que se percam.",
        "Minho",
        60_000,
        "feasible",
    ),
    DemoProposal(
        "centro",
        "Administração interna",
        "Kits para voluntários de vigilância florestal",
        "Rádios, binóculos e equipamento de proteção para os postos de vigia voluntários.",
        "Pinhal Interior",
        140_000,
        "feasible",
    ),
    DemoProposal(
        "centro",
        "Cultura",
        "Uma rota pelas aldeias do xisto",
        "Sinalética e um guia para uma rota cultural pelas aldeias do xisto.",
        "Serra da Lousã",
        75_000,
        "feasible",
    ),
    DemoProposal(
        "lisboa-vale-tejo",
        "Ambiente",
        "Pontos de reparação de bicicletas em Almada",
        "Pontos de reparação gratuitos e de uso livre nas estações fluviais e ferroviárias.",
        "Almada",
        45_000,
        "feasible",
    ),
    DemoProposal(
        "lisboa-vale-tejo",
        "Ambiente",
        "Observatórios de aves no estuário do Tejo",
        "Três observatórios de madeira e visitas escolares à reserva do estuário.",
        "Alcochete",
        280_000,
        "reject",
        "O local fica numa zona protegida da reserva do estuário onde não são permitidas "
        "novas construções.",
    ),
    DemoProposal(
        "alentejo",
        "Cultura",
        "Cante alentejano nas escolas",
        "Oficinas em que grupos de cante ensinam a tradição nas escolas do 1.º ciclo.",
        "Distrito de Beja",
        55_000,
        "feasible",
    ),
    DemoProposal(
        "algarve",
        "Mar",
        "Barcos de limpeza para a Ria Formosa",
        "Dois pequenos barcos e tripulações para recolher lixo na laguna.",
        "Olhão",
        130_000,
        "feasible",
    ),
    DemoProposal(
        "acores",
        "Ciência",
        "Dados de avistamentos de baleias para as escolas",
        "As escolas registam e partilham avistamentos de cetáceos com investigadores do mar.",
        "Faial",
        40_000,
        "feasible",
    ),
    DemoProposal(
        "madeira",
        "Desporto e juventude",
        "Sinalização de segurança nos percursos das levadas",
        "Sinalização de segurança multilingue e pontos de emergência nas levadas mais procuradas.",
        "Madeira",
        85_000,
        "feasible",
    ),
]

# projects: (title, cost in euros, indexes of the proposals merged into it)
PROJECTS = [
    ("Feira da doçaria conventual", 250_000, [0]),
    ("Interpretação em Língua Gestual Portuguesa nos serviços públicos", 180_000, [1]),
    ("Escolas de verão de ciência aberta", 110_000, [3]),
    ("Passadiço e praias fluviais do Tâmega", 295_000, [4, 5]),
    ("Arquivo digital da música popular do Minho", 60_000, [6]),
    ("Kits para voluntários de vigilância florestal", 140_000, [7]),
    ("Rota cultural das aldeias do xisto", 80_000, [8]),
    ("Pontos de reparação de bicicletas em Almada", 45_000, [9]),
    ("Cante alentejano nas escolas", 55_000, [11]),
    ("Barcos de limpeza para a Ria Formosa", 130_000, [12]),
    ("Dados de avistamentos de baleias para as escolas", 40_000, [13]),
    ("Sinalização de segurança nos percursos das levadas", 85_000, [14]),
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
        "O banco de germoplasma guarda sementes para investigação; não as dá aos agricultores. "
        "Esta proposta trata de partilhar sementes, o que hoje ninguém faz.",
        proposal_id=ids[2],
        now=schedule.complaints_at + timedelta(hours=11),
    )
    await review.answer_complaint(
        pool,
        reviewer,
        slug,
        complaint.id,
        "O programa de partilha de sementes do banco com as associações de agricultores começou "
        "em 2017, pelo que a decisão se mantém. Acrescentámos o endereço do programa à página "
        "da proposta.",
        ComplaintOutcome.DISMISSED,
        schedule.complaints_at + timedelta(days=1, hours=15),
    )
    walkway = await participation.file_complaint(
        pool,
        _citizen(pepper, 98, "norte"),
        slug,
        "O custo do passadiço parece baixo para 2 km de percurso ribeirinho com iluminação.",
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
    "Os engenheiros do município orçamentaram 2 km de percurso com iluminação solar a este "
    "preço; os equipamentos das praias fluviais fazem parte do mesmo projeto. O custo mantém-se."
)
OPEN_REASON = (
    "Demonstração: as reclamações estão respondidas e a lista final foi publicada, por isso a "
    "votação abre agora."
)


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
