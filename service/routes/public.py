"""Public pages that belong to no domain: the home page and the health check."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from proposals.repository import fetch_cycles
from service.templating import render


async def home(request: Request) -> Response:
    cycles = await fetch_cycles(request.state.pool)
    return render(request, "home.html", {"cycles": cycles, "now": datetime.now(UTC)})


async def healthz(request: Request) -> Response:
    """Report whether the database answers; 503 when it does not."""
    pool: asyncpg.Pool = request.state.pool
    try:
        async with pool.acquire(timeout=5) as conn:
            await conn.fetchval("SELECT 1")
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


routes = [
    Route("/", home, name="public.home"),
    Route("/healthz", healthz, name="public.healthz"),
]
