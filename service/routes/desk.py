"""Assisted voting at a desk: staff check a citizen's identity in person, find them on the
census roll, and enter their paper ballot. It goes onto the same board, marked as a desk
entry, and every entry is in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from proposals import repository as store
from proposals.model import Cycle, Scope
from proposals.phases import Phase
from service.accounts import Role
from service.forms import read_form
from service.i18n import gettext_for
from service.routes.common import cycle_or_404, see_other
from service.routes.voting import (
    Endpoint,
    Step,
    do_cast,
    show_ballot,
    show_review,
    show_running_total,
)
from service.sessions import current_session, save_session_data
from service.staff_auth import require_staff
from service.templating import render
from service.workflows.voting import eligibility_reasons
from verification import repository as identity_store
from verification.formats import Channel
from verification.identity.model import CitizenSession, person_key, voter_alias

DESK_CITIZEN = "desk_citizen"
PREFIX = "/desk"


async def _desk_citizen(request: Request) -> CitizenSession | None:
    session = await current_session(request)
    if session is None or DESK_CITIZEN not in session.data:
        return None
    return CitizenSession.from_dict(session.data[DESK_CITIZEN])


async def _set_desk_citizen(request: Request, citizen: CitizenSession | None) -> None:
    session = await current_session(request)
    assert session is not None
    data = {k: v for k, v in session.data.items() if k != DESK_CITIZEN}
    if citizen is not None:
        data[DESK_CITIZEN] = citizen.to_dict()
    await save_session_data(request, data)


async def desk_voter(request: Request, cycle: Cycle, scope: Scope) -> CitizenSession | Response:
    citizen = await _desk_citizen(request)
    if citizen is None:
        return see_other(f"{PREFIX}/{cycle.slug}")
    return citizen


@require_staff(Role.DESK)
async def desk_home(request: Request) -> Response:
    now = datetime.now(UTC)
    cycles = [
        c for c in await store.fetch_cycles(request.state.pool) if c.phase_at(now) is Phase.VOTING
    ]
    return render(request, "desk/home.html", {"cycles": cycles})


async def _desk_page(
    request: Request,
    cycle: Cycle,
    errors: dict[str, str],
    values: dict[str, str],
    status_code: int = 200,
) -> Response:
    citizen = await _desk_citizen(request)
    scopes: list[dict[str, object]] = []
    if citizen is not None:
        alias = voter_alias(request.state.keys.identifier_pepper, cycle.id, citizen.person_key)
        voted = {
            e.vote_group: e.channel
            for e in await identity_store.voter_entries(request.state.pool, cycle.id, alias)
        }
        for scope in await store.fetch_scopes(request.state.pool, cycle.id):
            scopes.append(
                {
                    "scope": scope,
                    "voted": voted.get(scope.settings.vote_group),
                    "reasons": eligibility_reasons(scope, cycle, citizen),
                }
            )
    return render(
        request,
        "desk/cycle.html",
        {
            "cycle": cycle,
            "citizen": citizen,
            "scopes": scopes,
            "errors": errors,
            "values": values,
        },
        status_code=status_code,
    )


@require_staff(Role.DESK)
async def desk_cycle(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    return await _desk_page(request, cycle, {}, {})


@require_staff(Role.DESK)
async def desk_lookup(request: Request) -> Response:
    """Find the citizen on the census by ID number and date of birth."""
    cycle = await cycle_or_404(request)
    form = await read_form(request)
    gettext = gettext_for(request)
    id_number = form.get("id_number").strip()
    born_text = form.get("birth_date").strip()
    values = {"id_number": id_number, "birth_date": born_text}
    errors: dict[str, str] = {}
    if not 4 <= len(id_number) <= 40 or not id_number.replace(" ", "").isalnum():
        errors["id_number"] = gettext("Enter the ID number as it is on the citizen's card.")
    try:
        born = date.fromisoformat(born_text)
    except ValueError:
        born = None
        errors["birth_date"] = gettext("Enter the date of birth as YYYY-MM-DD, e.g. 1980-05-17.")
    if errors:
        return await _desk_page(request, cycle, errors, values, 422)
    pepper: bytes = request.state.keys.identifier_pepper
    entry = await identity_store.fetch_census_entry(
        request.state.pool, person_key(pepper, id_number)
    )
    if entry is None or entry.birth_date != born:
        errors["id_number"] = gettext(
            "Nobody with this ID number and date of birth is on the census roll. Check both "
            "against the citizen's card."
        )
        await _set_desk_citizen(request, None)
        return await _desk_page(request, cycle, errors, values, 422)
    citizen = CitizenSession(
        entry.person_key, "desk", entry.birth_date, entry.residence, entry.status, True
    )
    await _set_desk_citizen(request, citizen)
    return see_other(f"{PREFIX}/{cycle.slug}")


@require_staff(Role.DESK)
async def desk_clear(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    await _set_desk_citizen(request, None)
    return see_other(f"{PREFIX}/{cycle.slug}")


def _desk(step: Step, name: str) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        response = await step(request, desk_voter, Channel.DESK, PREFIX)
        if name == "cast" and response.status_code == 200:
            await _set_desk_citizen(request, None)  # the next citizen starts afresh
        return response

    endpoint.__name__ = f"desk_{name}"
    return require_staff(Role.DESK)(endpoint)


VOTE = PREFIX + "/{slug}/vote/{scope}"
routes = [
    Route(PREFIX, desk_home, name="desk.home"),
    Route(PREFIX + "/{slug}", desk_cycle, name="desk.cycle"),
    Route(PREFIX + "/{slug}/lookup", desk_lookup, methods=["POST"], name="desk.lookup"),
    Route(PREFIX + "/{slug}/clear", desk_clear, methods=["POST"], name="desk.clear"),
    Route(VOTE, _desk(show_ballot, "ballot"), name="desk.ballot"),
    Route(VOTE + "/total", _desk(show_running_total, "total"), methods=["POST"], name="desk.total"),
    Route(VOTE + "/review", _desk(show_review, "review"), methods=["POST"], name="desk.review"),
    Route(VOTE + "/cast", _desk(do_cast, "cast"), methods=["POST"], name="desk.cast"),
]
