"""Citizens vote: choose a vote, fill in the ballot, review it, cast it, keep the receipt.

Every step is a plain page and form; htmx only adds the running cost of a knapsack ballot.
The receipt is shown once, straight after the cast, and never stored by the service.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import segno
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ballots import repository as board_store
from ballots.ballot_form import (
    BallotFormError,
    CastTokenInvalid,
    check_cast_token,
    mint_cast_token,
    read_selections,
)
from ballots.errors import VotingError
from ballots.model import BallotKind
from ballots.rules import InvalidBallot, ballot_cost, validate_ballot
from proposals import repository as store
from proposals.model import Cycle, Scope
from service.accounts import StaffAccount
from service.citizens import current_citizen
from service.forms import Form, read_form
from service.i18n import N_, gettext_for, translate_error, translate_message
from service.routes.common import cycle_or_404
from service.sessions import Session, current_session
from service.templating import render
from service.workflows import voting
from verification import repository as roll
from verification.formats import RECEIPT_FORMAT, Channel, b64decode, short_code, signed_message
from verification.identity.model import CitizenSession, voter_alias
from verification.manifest import Manifest, ScopeSpec


async def _cycle_and_scope(request: Request) -> tuple[Cycle, Scope]:
    cycle = await cycle_or_404(request)
    scope_slug = request.path_params["scope"]
    for scope in await store.fetch_scopes(request.state.pool, cycle.id):
        if scope.slug == scope_slug:
            return cycle, scope
    raise HTTPException(404)


async def _open_vote(request: Request, cycle: Cycle) -> Manifest | Response:
    """The frozen manifest while voting is open; otherwise the page explaining why not."""
    try:
        _state, manifest = await voting.voting_state(
            request.state.pool, request.state.settings, request.state.keys, cycle
        )
    except VotingError as error:
        return _closed_page(request, cycle, translate_error(request, error))
    return manifest


def _closed_page(request: Request, cycle: Cycle, reason: str) -> Response:
    phase = cycle.phase_at(datetime.now(UTC))
    return render(
        request,
        "ballots/closed.html",
        {"cycle": cycle, "reason": reason, "phase": phase.value},
        status_code=409,
    )


def _sign_in_page(request: Request, cycle: Cycle) -> Response:
    return render(
        request,
        "ballots/sign_in_needed.html",
        {
            "cycle": cycle,
            "sign_in": f"/identity/sign-in?cycle={cycle.slug}&next={request.url.path}",
        },
        status_code=401,
    )


async def vote_home(request: Request) -> Response:
    """The votes of a cycle (one per vote group) and where the signed-in citizen stands."""
    cycle = await cycle_or_404(request)
    citizen = await current_citizen(request)
    opened = await _open_vote(request, cycle)
    if isinstance(opened, Response):
        return opened
    manifest = opened
    scopes = {s.id: s for s in await store.fetch_scopes(request.state.pool, cycle.id)}
    voted: dict[str, str] = {}
    if citizen is not None:
        alias = voter_alias(request.state.keys.identifier_pepper, cycle.id, citizen.person_key)
        voted = {
            e.vote_group: e.channel
            for e in await roll.voter_entries(request.state.pool, cycle.id, alias)
        }
    groups: dict[str, list[dict[str, Any]]] = {}
    for spec in manifest.scopes:
        scope = scopes[spec.id]
        reasons = voting.eligibility_reasons(scope, cycle, citizen) if citizen else []
        groups.setdefault(spec.vote_group, []).append(
            {
                "spec": spec,
                "scope": scope,
                "reasons": [translate_message(request, r) for r in reasons],
            }
        )
    return render(
        request,
        "ballots/vote.html",
        {
            "cycle": cycle,
            "citizen": citizen,
            "groups": groups,
            "voted": voted,
            "revoting": manifest.voting.revoting,
            "sign_in": f"/identity/sign-in?cycle={cycle.slug}&next={request.url.path}",
        },
    )


def _ballot_context(
    request: Request,
    cycle: Cycle,
    scope: Scope,
    spec: ScopeSpec,
    selections: dict[int, int],
    errors: dict[str, str],
    voter: Voter,
) -> dict[str, Any]:
    cost = ballot_cost(spec.rules, selections)
    return {
        "cycle": cycle,
        "scope": scope,
        "spec": spec,
        "kind": spec.ballot.kind.value,
        "ballot": spec.ballot,
        "selections": selections,
        "errors": errors,
        "selected_ids": [str(p) for p in selections],
        "cost": cost,
        "remaining": spec.budget_cents - cost,
        "base": voter.base,
        "desk": voter.channel is Channel.DESK,
        "points_used": sum(selections.values()),
    }


@dataclass(frozen=True)
class Voter:
    """Who the ballot is for, and through which channel: the citizen online, or a citizen
    whose paper ballot desk staff enter after checking their identity in person."""

    citizen: CitizenSession
    channel: Channel
    desk_staff: StaffAccount | None
    base: str


VoterResolver = Callable[[Request, Cycle, Scope], Awaitable["CitizenSession | Response"]]


async def web_voter(request: Request, cycle: Cycle, scope: Scope) -> CitizenSession | Response:
    citizen = await current_citizen(request)
    return _sign_in_page(request, cycle) if citizen is None else citizen


async def _ballot_setup(
    request: Request,
    resolve: VoterResolver,
    channel: Channel,
    prefix: str,
) -> tuple[Cycle, Scope, ScopeSpec, Voter] | Response:
    cycle, scope = await _cycle_and_scope(request)
    citizen = await resolve(request, cycle, scope)
    if isinstance(citizen, Response):
        return citizen
    opened = await _open_vote(request, cycle)
    if isinstance(opened, Response):
        return opened
    spec = opened.scope(scope.id)
    if spec is None:
        raise HTTPException(404)
    reasons = voting.eligibility_reasons(scope, cycle, citizen)
    if reasons:
        return render(
            request,
            "ballots/not_eligible.html",
            {
                "cycle": cycle,
                "scope": scope,
                "desk": channel is Channel.DESK,
                "reasons": [translate_message(request, r) for r in reasons],
            },
            status_code=403,
        )
    staff = getattr(request.state, "staff", None) if channel is Channel.DESK else None
    base = f"{prefix}/{cycle.slug}/vote/{scope.slug}"
    return cycle, scope, spec, Voter(citizen, channel, staff, base)


async def show_ballot(
    request: Request, resolve: VoterResolver, channel: Channel, prefix: str
) -> Response:
    found = await _ballot_setup(request, resolve, channel, prefix)
    if isinstance(found, Response):
        return found
    cycle, scope, spec, voter = found
    try:  # "change my choices" comes back with the choices in the query string
        selections = read_selections(
            spec.ballot, request.query_params.multi_items(), [p.id for p in spec.projects]
        )
    except BallotFormError:
        selections = {}
    context = _ballot_context(request, cycle, scope, spec, selections, {}, voter)
    return render(request, "ballots/ballot.html", context)


def _read_choices(
    request: Request, spec: ScopeSpec, form: Form
) -> tuple[dict[int, int], str | None]:
    try:
        selections = read_selections(spec.ballot, form.pairs, [p.id for p in spec.projects])
    except BallotFormError as error:
        return {}, translate_error(request, error)
    try:
        validate_ballot(spec.rules, selections)
    except InvalidBallot as error:
        return selections, translate_error(request, error)
    return selections, None


def _error_field(spec: ScopeSpec) -> str:
    first = spec.projects[0].id if spec.projects else 0
    return f"points-{first}" if spec.ballot.kind is BallotKind.CUMULATIVE else "project"


async def show_running_total(
    request: Request, resolve: VoterResolver, channel: Channel, prefix: str
) -> Response:
    """htmx: the cost of the projects ticked so far and what remains of the budget."""
    found = await _ballot_setup(request, resolve, channel, prefix)
    if isinstance(found, Response):
        return found
    cycle, scope, spec, voter = found
    form = await read_form(request)
    try:
        selections = read_selections(spec.ballot, form.pairs, [p.id for p in spec.projects])
    except BallotFormError:
        selections = {}
    context = _ballot_context(request, cycle, scope, spec, selections, {}, voter)
    return render(request, "ballots/_running_total.html", context)


@dataclass(frozen=True)
class _SubmittedBallot:
    """A ballot form that was sent and reads as a valid ballot, with what it was sent for."""

    cycle: Cycle
    scope: Scope
    spec: ScopeSpec
    voter: Voter
    form: Form
    selections: dict[int, int]
    session: Session

    @property
    def setup(self) -> tuple[Cycle, Scope, ScopeSpec, Voter]:
        return self.cycle, self.scope, self.spec, self.voter


def _ballot_again(
    request: Request,
    setup: tuple[Cycle, Scope, ScopeSpec, Voter],
    selections: dict[int, int],
    problem: str,
) -> Response:
    """The ballot page again, the choices kept and the problem next to the form."""
    cycle, scope, spec, voter = setup
    context = _ballot_context(
        request, cycle, scope, spec, selections, {_error_field(spec): problem}, voter
    )
    return render(request, "ballots/ballot.html", context, status_code=422)


async def _read_submitted_ballot(
    request: Request, resolve: VoterResolver, channel: Channel, prefix: str
) -> _SubmittedBallot | Response:
    """The review and the cast both start here: who votes where, and the choices sent."""
    found = await _ballot_setup(request, resolve, channel, prefix)
    if isinstance(found, Response):
        return found
    _cycle, _scope, spec, _voter = found
    form = await read_form(request)
    selections, problem = _read_choices(request, spec, form)
    if problem is not None:
        return _ballot_again(request, found, selections, problem)
    session = await current_session(request)
    assert session is not None
    return _SubmittedBallot(*found, form, selections, session)


async def show_review(
    request: Request, resolve: VoterResolver, channel: Channel, prefix: str
) -> Response:
    ballot = await _read_submitted_ballot(request, resolve, channel, prefix)
    if isinstance(ballot, Response):
        return ballot
    spec, selections = ballot.spec, ballot.selections
    token = mint_cast_token(
        request.state.keys.session_key, ballot.session.token_hash, ballot.scope.id, selections
    )
    context = _ballot_context(
        request, ballot.cycle, ballot.scope, spec, selections, {}, ballot.voter
    )
    context["token"] = token
    context["chosen"] = [(p, selections[p.id]) for p in spec.projects if p.id in selections]
    context["change_query"] = urlencode(_choice_fields(spec, selections))
    return render(request, "ballots/review.html", context)


def _choice_fields(spec: ScopeSpec, selections: dict[int, int]) -> list[tuple[str, str]]:
    if spec.ballot.kind is BallotKind.CUMULATIVE:
        return [(f"points-{p}", str(n)) for p, n in sorted(selections.items())]
    return [("project", str(p)) for p in sorted(selections)]


async def do_cast(
    request: Request, resolve: VoterResolver, channel: Channel, prefix: str
) -> Response:
    ballot = await _read_submitted_ballot(request, resolve, channel, prefix)
    if isinstance(ballot, Response):
        return ballot
    cycle, scope, voter, form, selections = (
        ballot.cycle,
        ballot.scope,
        ballot.voter,
        ballot.form,
        ballot.selections,
    )
    try:
        nonce = check_cast_token(
            request.state.keys.session_key,
            form.get("token"),
            ballot.session.token_hash,
            scope.id,
            selections,
        )
    except CastTokenInvalid as error:
        return _ballot_again(request, ballot.setup, selections, translate_error(request, error))
    try:
        result = await voting.cast_ballot(
            request.state.pool,
            request.state.settings,
            request.state.keys,
            cycle,
            scope,
            voter.citizen,
            selections,
            channel=voter.channel,
            token_nonce=nonce,
            token_expires_at=token_expiry(form.get("token")),
            desk_staff=voter.desk_staff,
        )
    except VotingError as error:
        return render(
            request,
            "ballots/refused.html",
            {
                "cycle": cycle,
                "scope": scope,
                "reason": translate_error(request, error),
                "desk": voter.channel is Channel.DESK,
            },
            status_code=409,
        )
    return receipt_page(request, cycle, scope, result.receipt, voter)


def receipt_page(
    request: Request, cycle: Cycle, scope: Scope, receipt: dict[str, Any], voter: Voter
) -> Response:
    """The receipt, shown once: short code, QR code and a download of the signed JSON."""
    receipt_json = json.dumps(receipt, indent=2, sort_keys=True)
    gettext = gettext_for(request)
    qr = segno.make(json.dumps(receipt, sort_keys=True, separators=(",", ":")), error="m")
    return render(
        request,
        "ballots/receipt.html",
        {
            "cycle": cycle,
            "scope": scope,
            "receipt": receipt,
            "receipt_json": receipt_json,
            "desk": voter.channel is Channel.DESK,
            "short_code": short_code(bytes.fromhex(receipt["leaf_hash"])),
            "include_by": datetime.fromisoformat(receipt["include_by"]),
            "qr_svg": qr.svg_inline(scale=3, title=gettext("Your receipt as a QR code")),
        },
    )


async def download_receipt(request: Request) -> Response:
    """Give back a receipt (posted from the receipt page) as a file, if it is validly signed."""
    cycle = await cycle_or_404(request)
    form = await read_form(request)
    state = await board_store.fetch_board(request.state.pool, cycle.id)
    try:
        receipt = json.loads(form.get("receipt"))
        if state is None or not isinstance(receipt, dict):
            raise ValueError
        fields = {k: v for k, v in receipt.items() if k != "signature"}
        VerifyKey(state.log_public_key).verify(
            signed_message(RECEIPT_FORMAT, fields), b64decode(str(receipt["signature"]), "sig")
        )
    except (ValueError, KeyError, BadSignatureError):
        raise HTTPException(400, N_("That is not a receipt of this cycle.")) from None
    code = short_code(bytes.fromhex(str(receipt["leaf_hash"])))
    return Response(
        json.dumps(receipt, indent=2, sort_keys=True) + "\n",
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="civica-receipt-{code}.json"'},
    )


async def ballot_redirect(request: Request) -> Response:
    """GET on a step that only takes POST (a bookmark, a reload): back to the ballot."""
    return RedirectResponse(request.url.path.rsplit("/", 1)[0], status_code=303)


def token_expiry(token: str) -> datetime:
    """When a (checked) cast token expires: its second dot-separated field."""
    return datetime.fromtimestamp(int(token.split(".")[1]), UTC)


Step = Callable[[Request, VoterResolver, Channel, str], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def _web(step: Step) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        return await step(request, web_voter, Channel.WEB, "/cycles")

    endpoint.__name__ = step.__name__.removeprefix("show_").removeprefix("do_")
    return endpoint


ballot = _web(show_ballot)
running_total = _web(show_running_total)
review = _web(show_review)
cast = _web(do_cast)

VOTE = "/cycles/{slug}/vote"
routes = [
    Route(VOTE, vote_home, name="voting.home"),
    Route(VOTE + "/{scope}", ballot, name="voting.ballot"),
    Route(VOTE + "/{scope}/total", running_total, methods=["POST"], name="voting.total"),
    Route(VOTE + "/{scope}/review", review, methods=["POST"], name="voting.review"),
    Route(VOTE + "/{scope}/review", ballot_redirect, methods=["GET"], name="voting.review_get"),
    Route(VOTE + "/{scope}/cast", cast, methods=["POST"], name="voting.cast"),
    Route(VOTE + "/{scope}/cast", ballot_redirect, methods=["GET"], name="voting.cast_get"),
    Route(
        "/cycles/{slug}/receipt.json",
        download_receipt,
        methods=["POST"],
        name="voting.receipt_download",
    ),
]
