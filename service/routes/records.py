"""Published election records and receipt checks, for observers and voters.

The record files are served under one base URL, `/cycles/<slug>/record/`, so that
`civica verify https://<host>/cycles/<slug>/record/` can fetch them; `record.zip` bundles them.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import AsyncIterator
from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from ballots import repository as board_store
from proposals.model import Cycle
from service.i18n import N_, gettext_for, translate_message
from service.routes.common import cycle_or_404
from service.templating import render
from service.workflows.receipts import check_receipt
from verification.record import RECORD_FILES

CHUNK = 1 << 20
MAX_RECEIPT_BYTES = 20_000
MEDIA_TYPES = {".json": "application/json", ".jsonl": "application/jsonl"}


async def _published(request: Request) -> tuple[Cycle, set[str]]:
    cycle = await cycle_or_404(request)
    names = await board_store.fetch_record_file_names(request.state.pool, cycle.id)
    if names != set(RECORD_FILES):
        raise HTTPException(404, N_("The election record is published when voting closes."))
    return cycle, names


async def record_page(request: Request) -> Response:
    cycle, _names = await _published(request)
    pool = request.state.pool
    files = []
    for name in RECORD_FILES:
        size = await board_store.fetch_record_file_size(pool, cycle.id, name)
        files.append({"name": name, "size": size})
    closing = json.loads(
        await board_store.fetch_record_file(pool, cycle.id, "closing.json") or b"{}"
    )
    base = str(request.url.replace(query="", fragment=""))
    return render(
        request,
        "records/record.html",
        {
            "cycle": cycle,
            "files": files,
            "closing": closing,
            "base": base,
        },
    )


async def record_file(request: Request) -> Response:
    cycle, names = await _published(request)
    name = request.path_params["name"]
    if name not in names:
        raise HTTPException(404)
    pool = request.state.pool
    size = await board_store.fetch_record_file_size(pool, cycle.id, name)
    assert size is not None

    async def chunks() -> AsyncIterator[bytes]:
        for offset in range(0, size, CHUNK):
            yield await board_store.fetch_record_file_chunk(pool, cycle.id, name, offset, CHUNK)

    suffix = name[name.rindex(".") :]
    return StreamingResponse(
        chunks(),
        media_type=MEDIA_TYPES[suffix],
        headers={
            "Content-Length": str(size),
            "Cache-Control": "public, max-age=3600",
        },
    )


async def record_zip(request: Request) -> Response:
    cycle, _names = await _published(request)
    pool = request.state.pool
    spool = tempfile.SpooledTemporaryFile(max_size=16 * CHUNK)  # noqa: SIM115 (streamed below)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in RECORD_FILES:
            content = await board_store.fetch_record_file(pool, cycle.id, name)
            assert content is not None
            archive.writestr(f"{cycle.slug}-record/{name}", content)
    spool.seek(0)

    async def chunks() -> AsyncIterator[bytes]:
        try:
            while block := spool.read(CHUNK):
                yield block
        finally:
            spool.close()

    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{cycle.slug}-record.zip"',
        },
    )


async def _receipt_from_request(request: Request) -> tuple[Any, str | None]:
    """The receipt a form pasted or uploaded (parsed JSON), or an error message."""
    gettext = gettext_for(request)
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("receipt_file")
        pasted = form.get("receipt")
        raw = b""
        if isinstance(upload, UploadFile) and upload.filename:
            raw = await upload.read(MAX_RECEIPT_BYTES + 1)
        elif isinstance(pasted, str):
            raw = pasted.encode()
    if not raw.strip():
        return None, gettext("Paste your receipt, or choose the receipt file you downloaded.")
    if len(raw) > MAX_RECEIPT_BYTES:
        return None, gettext("That file is too large to be a receipt.")
    try:
        return json.loads(raw.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, gettext("That is not a receipt: a receipt is a small JSON text.")


async def receipt_check_page(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    return render(
        request, "records/check.html", {"cycle": cycle, "errors": {}, "result": None, "pasted": ""}
    )


async def receipt_check(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    receipt, problem = await _receipt_from_request(request)
    if problem is not None:
        return render(
            request,
            "records/check.html",
            {
                "cycle": cycle,
                "errors": {"receipt": problem},
                "result": None,
                "pasted": "",
            },
            status_code=422,
        )
    result = await check_receipt(request.state.pool, cycle.id, receipt)
    return render(
        request,
        "records/check.html",
        {
            "cycle": cycle,
            "errors": {},
            "result": result,
            "message": translate_message(request, result.message),
            "pasted": "",
        },
    )


async def receipt_check_api(request: Request) -> Response:
    cycle = await cycle_or_404(request)
    body = await request.body()
    if len(body) > MAX_RECEIPT_BYTES:
        raise HTTPException(413)
    try:
        receipt = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise HTTPException(400, N_("Send the receipt as a JSON object.")) from None
    result = await check_receipt(request.state.pool, cycle.id, receipt)
    return JSONResponse(result.to_json(), status_code=200 if result.ok else 409)


routes = [
    Route("/cycles/{slug}/record/", record_page, name="records.page"),
    Route("/cycles/{slug}/record/{name}", record_file, name="records.file"),
    Route("/cycles/{slug}/record.zip", record_zip, name="records.zip"),
    Route("/cycles/{slug}/receipts/check", receipt_check_page, name="records.check_page"),
    Route("/cycles/{slug}/receipts/check", receipt_check, methods=["POST"], name="records.check"),
    Route(
        "/api/cycles/{slug}/receipts/check",
        receipt_check_api,
        methods=["POST"],
        name="records.api_check",
    ),
]
