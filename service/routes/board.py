"""The public board: a JSON read API (documented in /api/openapi.json) and an HTML page.

Entries are published once a signed checkpoint covers them, so nothing on the board is finer
in time than the checkpoint interval.
"""

from __future__ import annotations

import base64
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from ballots import repository
from ballots.errors import UnknownEntry
from ballots.repository import BoardState, StoredCheckpoint
from service import board
from service.resources import resource_dir
from service.templating import render
from verification.errors import ProofRequestError
from verification.formats import decode_entry, log_origin, short_code
from verification.note import NoteVerifier, compute_key_id, encode_verifier_key

MAX_ENTRIES_PER_PAGE = 1000
ENTRIES_PER_HTML_PAGE = 50


class BadQuery(HTTPException):
    def __init__(self, detail: str) -> None:
        super().__init__(400, detail)


async def _board(request: Request) -> tuple[int, BoardState]:
    pool = request.state.pool
    cycle_id = await repository.fetch_cycle_id(pool, request.path_params["slug"])
    if cycle_id is None:
        raise HTTPException(404, "There is no cycle with that name.")
    state = await repository.fetch_board(pool, cycle_id)
    if state is None:
        raise HTTPException(404, "Voting has not opened in this cycle, so its board is empty.")
    return cycle_id, state


def _int_param(request: Request, name: str, *, minimum: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        raise BadQuery(f"the query parameter {name!r} is required")
    if not raw.isdigit() or len(raw) > 18:
        raise BadQuery(f"{name!r} must be a whole number")
    value = int(raw)
    if value < minimum:
        raise BadQuery(f"{name!r} must be at least {minimum}")
    return value


def verifier_key(state: BoardState) -> str:
    """The C2SP verifier key string of the cycle's log."""
    origin = log_origin(state.fingerprint)
    key_id = compute_key_id(origin, state.log_public_key)
    return encode_verifier_key(NoteVerifier(origin, key_id, state.log_public_key))


def _checkpoint_json(checkpoint: StoredCheckpoint) -> dict[str, Any]:
    return {
        "size": checkpoint.tree_size,
        "root": checkpoint.root_hash.hex(),
        "note": checkpoint.note.decode(),
        "published_at": checkpoint.published_at.isoformat(),
    }


async def board_summary(request: Request) -> Response:
    cycle_id, state = await _board(request)
    latest = await repository.fetch_latest_checkpoint(request.state.pool, cycle_id)
    return JSONResponse(
        {
            "origin": log_origin(state.fingerprint),
            "cycle_fingerprint": state.fingerprint.hex(),
            "log_public_key": base64.b64encode(state.log_public_key).decode(),
            "verifier_key": verifier_key(state),
            "closed": state.closed_at is not None,
            "latest_checkpoint": None if latest is None else _checkpoint_json(latest),
        }
    )


async def manifest(request: Request) -> Response:
    _, state = await _board(request)
    return Response(state.manifest, media_type="application/json")


async def latest_checkpoint(request: Request) -> Response:
    cycle_id, _ = await _board(request)
    latest = await repository.fetch_latest_checkpoint(request.state.pool, cycle_id)
    if latest is None:
        raise HTTPException(404, "No checkpoint has been signed yet.")
    return PlainTextResponse(latest.note.decode())


async def checkpoints(request: Request) -> Response:
    cycle_id, _ = await _board(request)
    found = await repository.fetch_checkpoints(request.state.pool, cycle_id)
    return JSONResponse([_checkpoint_json(c) for c in found])


async def _published_size(request: Request, cycle_id: int) -> int:
    latest = await repository.fetch_latest_checkpoint(request.state.pool, cycle_id)
    return 0 if latest is None else latest.tree_size


async def entries(request: Request) -> Response:
    cycle_id, _ = await _board(request)
    start = _int_param(request, "start")
    end = _int_param(request, "end", minimum=start)
    if end - start > MAX_ENTRIES_PER_PAGE:
        raise BadQuery(f"ask for at most {MAX_ENTRIES_PER_PAGE} entries at a time")
    end = min(end, await _published_size(request, cycle_id))
    rows = await repository.fetch_entries(request.state.pool, cycle_id, start, end)
    return JSONResponse(
        [
            {
                "index": index,
                "entry": base64.b64encode(entry).decode(),
                "leaf_hash": leaf.hex(),
                "short_code": short_code(leaf),
            }
            for index, entry, leaf in rows
        ]
    )


async def inclusion(request: Request) -> Response:
    cycle_id, _ = await _board(request)
    pool = request.state.pool
    tree_size = _int_param(request, "tree_size", minimum=1)
    if await repository.fetch_checkpoint(pool, cycle_id, tree_size) is None:
        raise BadQuery("tree_size must be the size of a signed checkpoint")
    if "leaf_hash" in request.query_params:
        try:
            leaf_hash = bytes.fromhex(request.query_params["leaf_hash"])
        except ValueError:
            raise BadQuery("leaf_hash must be 64 hexadecimal digits") from None
        try:
            index = await repository.fetch_index_of_leaf(pool, cycle_id, leaf_hash)
        except UnknownEntry:
            raise HTTPException(404, "No entry on this board has that leaf hash.") from None
    else:
        index = _int_param(request, "index")
    if index >= tree_size:
        raise HTTPException(404, "That entry is not covered by this checkpoint yet.")
    try:
        proof = await board.inclusion_proof(pool, cycle_id, index, tree_size)
    except ProofRequestError as error:
        raise BadQuery(str(error)) from None
    return JSONResponse(
        {
            "index": index,
            "tree_size": tree_size,
            "proof": [base64.b64encode(h).decode() for h in proof],
        }
    )


async def consistency(request: Request) -> Response:
    cycle_id, _ = await _board(request)
    pool = request.state.pool
    first = _int_param(request, "first")
    second = _int_param(request, "second", minimum=first)
    for size in (first, second):
        if size and await repository.fetch_checkpoint(pool, cycle_id, size) is None:
            raise BadQuery(f"{size} is not the size of a signed checkpoint")
    try:
        proof = await board.consistency_proof(pool, cycle_id, first, second)
    except ProofRequestError as error:
        raise BadQuery(str(error)) from None
    return JSONResponse(
        {"first": first, "second": second, "proof": [base64.b64encode(h).decode() for h in proof]}
    )


async def openapi(request: Request) -> Response:
    return Response(
        (resource_dir("static") / "openapi.json").read_bytes(),
        media_type="application/json",
        headers={"Cache-Control": "no-cache"},
    )


async def board_page(request: Request) -> Response:
    cycle_id, state = await _board(request)
    pool = request.state.pool
    latest = await repository.fetch_latest_checkpoint(pool, cycle_id)
    published = 0 if latest is None else latest.tree_size
    page = request.query_params.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < len(page) < 9 else 1
    last_page = max(1, -(-published // ENTRIES_PER_HTML_PAGE))
    page_number = min(page_number, last_page)
    start = (page_number - 1) * ENTRIES_PER_HTML_PAGE
    rows = await repository.fetch_entries(
        pool, cycle_id, start, min(published, start + ENTRIES_PER_HTML_PAGE)
    )
    shown = []
    for index, entry, leaf in rows:
        decoded = decode_entry(entry)
        shown.append(
            {
                "index": index,
                "short_code": short_code(leaf),
                "scope_id": decoded.scope_id,
                "channel": decoded.channel.name.lower(),
            }
        )
    return render(
        request,
        "board/board.html",
        {
            "slug": request.path_params["slug"],
            "state": state,
            "latest": latest,
            "entries": shown,
            "page": page_number,
            "last_page": last_page,
            "verifier_key": verifier_key(state),
            "origin": log_origin(state.fingerprint),
        },
    )


API = "/api/cycles/{slug}/board"
routes = [
    Route(API, board_summary, name="board.api_summary"),
    Route(API + "/manifest", manifest, name="board.api_manifest"),
    Route(API + "/checkpoint", latest_checkpoint, name="board.api_checkpoint"),
    Route(API + "/checkpoints", checkpoints, name="board.api_checkpoints"),
    Route(API + "/entries", entries, name="board.api_entries"),
    Route(API + "/proof/inclusion", inclusion, name="board.api_inclusion"),
    Route(API + "/proof/consistency", consistency, name="board.api_consistency"),
    Route("/api/openapi.json", openapi, name="board.api_openapi"),
    Route("/cycles/{slug}/board", board_page, name="board.page"),
]
