"""`civica demo`: serve with a demonstration budget cycle and accounts in place."""

from __future__ import annotations

import argparse
from typing import Any

from service.accounts import Role, generate_one_time_password
from service.commands.common import add_address_options, settings_from
from service.commands.demo_identity import seed_identity_demo
from service.commands.serve import serve
from service.repository import put_staff

DEMO_ADMIN = "admin"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run the service with a demonstration budget cycle and accounts"
    )
    add_address_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    return serve(settings, on_startup=[seed_demo])


async def seed_demo(state: dict[str, Any]) -> None:
    """Put the demo data in place (idempotent) and print how to sign in."""
    password = generate_one_time_password()
    async with state["pool"].acquire() as conn:
        await put_staff(
            conn,
            DEMO_ADMIN,
            "Demo administrator",
            Role.ADMINISTRATOR,
            password,
            must_change_password=True,
        )
    print("", flush=True)
    print("civica demo: municipality administrator", flush=True)
    print(f"  user name: {DEMO_ADMIN}", flush=True)
    print(f"  one-time password: {password} (you choose a new one at first sign-in)", flush=True)
    print("", flush=True)
    for line in await seed_identity_demo(state):
        print(line, flush=True)
    print("", flush=True)
