"""`civica demo`: serve with a demonstration budget cycle and accounts in place."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from proposals.phases import Phase
from service.accounts import Role, generate_one_time_password
from service.commands.common import add_address_options, settings_from
from service.commands.demo_cycle import seed_demo_cycle
from service.commands.demo_identity import seed_identity_demo
from service.commands.demo_results import seed_demo_results
from service.commands.serve import serve
from service.repository import put_staff
from service.workflows.voting import open_voting

DEMO_ADMIN = "admin"
DEMO_STAFF = (
    (DEMO_ADMIN, "Demo administrator", Role.ADMINISTRATOR),
    ("reviewer", "Demo reviewer", Role.REVIEWER),
    ("desk", "Demo desk staff", Role.DESK),
    ("observer", "Demo observer", Role.OBSERVER),
)


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
    """Put the demo data in place (idempotent) and print how to use it.

    Each start gives every demo account a fresh one-time password (printed below).
    """
    passwords = {}
    accounts = {}
    async with state["pool"].acquire() as conn:
        for username, name, role in DEMO_STAFF:
            passwords[username] = generate_one_time_password()
            accounts[username] = await put_staff(
                conn, username, name, role, passwords[username], must_change_password=True
            )
    cycle, seeded = await seed_demo_cycle(
        state["pool"], state["keys"].identifier_pepper, accounts["reviewer"]
    )
    settings = state["settings"]
    if cycle.phase_at(datetime.now(UTC)) is Phase.VOTING:
        await open_voting(state["pool"], settings, state["keys"], cycle.slug)
    base = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        f"civica demo: the budget cycle “{cycle.name}”"
        + (" was loaded from docs/examples/opp-2018.toml" if seeded else " is in place")
        + ", open for voting",
        f"  public page:  {base}/cycles/{cycle.slug}",
        f"  vote:         {base}/cycles/{cycle.slug}/vote (sign in as a demo citizen first)",
        f"  act as a citizen (development sign-in): {base}/dev/sign-in",
        f"  staff sign-in: {base}/staff/sign-in",
        "  staff accounts (one-time passwords; each holder chooses a new one at first sign-in):",
    ]
    for username, _name, role in DEMO_STAFF:
        lines.append(
            f"    {role.value:<14} user name: {username:<9} password: {passwords[username]}"
        )
    lines.append("")
    lines.extend(await seed_identity_demo(state))
    lines.append("")
    lines.extend(await seed_demo_results(state, base))
    lines.append("")
    print("\n".join(lines), flush=True)
