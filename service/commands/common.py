"""Helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import dataclasses
import sys

from service.config import ConfigError, Settings


def add_address_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="address to listen on (default: CIVICA_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port to listen on (default: CIVICA_PORT or 8000)")


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the environment, with --host/--port applied; exits 2 on bad configuration."""
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"civica: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    changes = {}
    if getattr(args, "host", None):
        changes["host"] = args.host
    if getattr(args, "port", None) is not None:
        if not 1 <= args.port <= 65535:
            print("civica: --port must be between 1 and 65535", file=sys.stderr)
            raise SystemExit(2)
        changes["port"] = args.port
    return dataclasses.replace(settings, **changes)


def fail(message: str) -> int:
    print(f"civica: {message}", file=sys.stderr)
    return 1
