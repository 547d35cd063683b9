"""Filters and globals the pages use: money, dates in a cycle's time zone, route paths."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from proposals.model import EVENT_NAMES, STATUS_NAMES
from proposals.money import format_money
from proposals.phases import PHASE_NAMES, Phase


def format_when(moment: datetime | None, timezone: str = "UTC", *, with_time: bool = True) -> str:
    """A moment as "23 January 2018, 09:30" in `timezone`."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(timezone))
    text = f"{local.day} {local:%B %Y}"
    return f"{text}, {local:%H:%M}" if with_time else text


def format_day(day: date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


@jinja2.pass_context
def url_path(context: Any, name: str, /, **params: Any) -> str:
    """The path of a named route (relative, so it is right behind any proxy)."""
    return str(context["request"].app.url_path_for(name, **params))


def status_name(status: Any) -> str:
    return STATUS_NAMES.get(str(status), str(status))


def phase_name(phase: Phase | str) -> str:
    return PHASE_NAMES.get(Phase(phase), str(phase))


def install(env: jinja2.Environment) -> None:
    """Register the helpers on the template environment."""
    env.filters["money"] = format_money
    env.filters["when"] = format_when
    env.filters["day"] = format_day
    env.filters["status_name"] = status_name
    env.filters["phase_name"] = phase_name
    env.filters["event_name"] = lambda kind: EVENT_NAMES.get(str(kind), str(kind))
    env.globals["url"] = url_path
