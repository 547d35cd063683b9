"""`civica serve`: run the web service."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

import uvicorn

from service.app import StartupHook, create_app
from service.commands.common import add_address_options, settings_from
from service.config import Settings
from service.database import migrate_database, running_database
from service.embedded_db import EmbeddedDatabaseError
from service.keys import KeyFileError, load_or_create_keys
from service.migrations import MigrationError

# On SIGTERM, requests in flight get this long to finish before connections are dropped.
GRACEFUL_SHUTDOWN_S = 15


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("serve", help="run the web service")
    add_address_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    return serve(settings_from(args))


def serve(settings: Settings, on_startup: Sequence[StartupHook] = ()) -> int:
    """Serve until interrupted; SIGINT and SIGTERM shut down cleanly (and stop the embedded DB)."""
    try:
        load_or_create_keys(settings.data_dir)
        with _stopped_by_signals(), running_database(settings) as ready:
            applied = asyncio.run(migrate_database(_url(ready)))
            where = (
                "DATABASE_URL"
                if settings.database_url
                else f"embedded PostgreSQL ({ready.data_dir / 'pg'})"
            )
            print(f"civica: data folder {settings.data_dir}; database: {where}", flush=True)
            if applied:
                print("civica: applied migrations " + ", ".join(f"{v:04d}" for v in applied))
            print(
                f"civica: serving on http://{settings.host}:{settings.port}/ (Ctrl-C stops it)",
                flush=True,
            )
            uvicorn.run(
                create_app(ready, on_startup=on_startup),
                host=settings.host,
                port=settings.port,
                log_level="info",
                proxy_headers=settings.trust_proxy_headers,
                server_header=False,
                timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            )
    except (MigrationError, EmbeddedDatabaseError, KeyFileError) as error:
        print(f"civica: cannot start: {error}", file=sys.stderr)
        return 1
    return 0


class _StopRequestedError(Exception):
    """SIGINT or SIGTERM arrived; unwinding runs every clean-up (the embedded server stops)."""


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Turn SIGINT/SIGTERM into an exception, so clean-up runs and the exit status is 0.

    uvicorn handles the signal itself while serving, then re-raises it once it has shut down;
    that re-raised signal lands here instead of killing the process before the server stops.
    """

    def request_stop(signum: int, frame: FrameType | None) -> None:
        raise _StopRequestedError

    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, request_stop) for sig in handled}
    try:
        yield
    except _StopRequestedError:
        print("civica: stopped", flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _url(settings: Settings) -> str:
    assert settings.database_url is not None
    return settings.database_url
