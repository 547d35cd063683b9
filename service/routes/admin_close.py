"""An administrator ends voting now and publishes the election record (with a public reason).

The confirm page explains what closing does; the POST ends the voting phase with the reason
(the recorded phase advance everyone sees on the timeline) and runs the close as the staff
member. It is refused, saying why, when voting is not open or the cycle is closed already.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ballots import repository as board_store
from ballots.errors import VotingError
from proposals.errors import ProposalsError
from proposals.model import Cycle
from proposals.phases import Phase
from service.accounts import Role
from service.audit import staff_actor
from service.forms import read_form
from service.i18n import translate_message
from service.routes.common import cycle_or_404, error_status, see_other
from service.staff_auth import require_staff, signed_in_staff
from service.templating import render
from service.workflows.closing import end_voting_and_close
from verification.messages import _


async def _context(
    request: Request, cycle: Cycle, values: dict[str, str], errors: dict[str, str]
) -> dict[str, Any]:
    now = datetime.now(UTC)
    pool = request.state.pool
    state = await board_store.fetch_board(pool, cycle.id)
    closed = (state is not None and state.closed_at is not None) or bool(
        await board_store.fetch_record_file_names(pool, cycle.id)
    )
    return {
        "cycle": cycle,
        "phase": cycle.phase_at(now),
        "closes_at": cycle.settings.schedule.results_at,
        "entries": state.size if state is not None else 0,
        "closed": closed,
        "voting_open": cycle.phase_at(now) is Phase.VOTING and not closed,
        "values": values,
        "errors": errors,
    }


@require_staff(Role.ADMINISTRATOR, Role.OBSERVER)
async def close_page(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    return render(request, "admin/close.html", await _context(request, cycle, {}, {}))


@require_staff(Role.ADMINISTRATOR)
async def close_submit(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    form = await read_form(request)
    reason = str(form.get("reason") or "")
    staff = signed_in_staff(request)
    try:
        await end_voting_and_close(
            request.state.pool,
            request.state.settings,
            request.state.keys,
            cycle.slug,
            actor=staff_actor(staff),
            staff_id=staff.id,
            reason=reason,
        )
    except ProposalsError as error:
        status = error_status(error)
        field = "reason" if status == 422 else "close"
        errors = {field: translate_message(request, error.message)}
    except VotingError as error:
        status = 409
        message = error.args[0] if error.args else _("The cycle could not be closed.")
        errors = {"close": translate_message(request, message)}
    else:
        return see_other(str(request.app.url_path_for("results.cycle", slug=cycle.slug)))
    context = await _context(request, cycle, {"reason": reason}, errors)
    return render(request, "admin/close.html", context, status_code=status)


routes = [
    Route("/admin/cycles/{slug}/close", close_page, methods=["GET"], name="admin.close"),
    Route("/admin/cycles/{slug}/close", close_submit, methods=["POST"], name="admin.close_submit"),
]
