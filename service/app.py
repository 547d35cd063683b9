"""The Starlette application factory and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from service import errors
from service.config import Settings
from service.database import create_pool, database_url, migrate_database
from service.identity import IdentitySettings, open_identity
from service.keeper import Keeper
from service.keys import load_or_create_keys
from service.middleware import CSRFMiddleware, SecurityHeadersMiddleware
from service.resources import resource_dir
from service.routes import (
    admin_audit,
    admin_close,
    admin_cycles,
    admin_review,
    admin_staff,
    board,
    census,
    complaints,
    cycles,
    desk,
    dev,
    identity,
    projects,
    proposals,
    public,
    records,
    results,
    staff,
    voting,
)
from service.sessions import SessionLookupMiddleware
from service.templating import create_templates

log = logging.getLogger(__name__)

StartupHook = Callable[[dict[str, Any]], Awaitable[None]]


def routes() -> list[BaseRoute]:
    """Every route of the service, domain by domain."""
    return [
        *public.routes,
        *board.routes,
        *voting.routes,
        *desk.routes,
        *records.routes,
        *results.routes,
        *identity.routes,
        *census.routes,
        # budget cycles, proposals, review, staff and audit (issue 3)
        *staff.routes,
        *admin_cycles.routes,
        *admin_close.routes,
        *admin_review.routes,
        *admin_staff.routes,
        *admin_audit.routes,
        *cycles.routes,
        *proposals.routes,
        *projects.routes,
        *complaints.routes,
        *dev.routes,
        Mount("/static", app=StaticFiles(directory=resource_dir("static")), name="static"),
    ]


def create_app(
    settings: Settings | None = None,
    *,
    on_startup: Sequence[StartupHook] = (),
    identity: IdentitySettings | None = None,
) -> Starlette:
    """Build the application; the database and keys are opened by its lifespan.

    `on_startup` hooks run once the pool is open, with the lifespan state (the demo seeds data).
    `identity` overrides the identity configuration read from the environment.
    """
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        keys = load_or_create_keys(settings.data_dir)
        async with database_url(settings) as url:
            applied = await migrate_database(url)
            if applied:
                log.info("applied migrations %s", applied)
            pool = await create_pool(url)
            identity_services = await open_identity(settings, identity)
            state: dict[str, Any] = {
                "pool": pool,
                "keys": keys,
                "settings": settings,
                "identity": identity_services,
            }
            keeper: asyncio.Task[None] | None = None
            try:
                for hook in on_startup:
                    await hook(state)
                if settings.run_keeper:
                    keeper = asyncio.create_task(Keeper(pool, settings, keys).run())
                yield state
            finally:
                if keeper is not None:
                    keeper.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await keeper
                await identity_services.close()
                await pool.close()

    app = Starlette(
        routes=routes(),
        middleware=[
            Middleware(SecurityHeadersMiddleware, trust_proxy=settings.trust_proxy_headers),
            Middleware(
                CSRFMiddleware,
                reject=errors.reject_request,
                trust_proxy=settings.trust_proxy_headers,
            ),
            Middleware(SessionLookupMiddleware),
        ],
        exception_handlers={
            HTTPException: errors.http_exception,
            Exception: errors.server_error,
        },
        lifespan=lifespan,
    )
    app.state.templates = create_templates()
    app.state.settings = settings
    return app
