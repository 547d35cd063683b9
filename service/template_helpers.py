"""Filters and globals the pages use: names of the domain's codes, and route paths.

Each name is a domain `Message` (or marked for extraction here), so a template shows it in the
page's language (`service.templating.finalize` translates a `Message` wherever it is shown);
dates, money and numbers have locale-aware filters in `service.templating`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import jinja2

from ballots.model import BallotKind
from proposals.model import EVENT_NAMES, STATUS_NAMES, EventKind, ReviewEvent
from proposals.phases import PHASE_NAMES, PHASE_NAMES_IN_TEXT, Phase
from proposals.tally_choice import RULE_NAMES, TIE_BREAK_NAMES
from service.accounts import ROLE_NAMES
from service.audit import AUDIT_ACTION_NAMES
from service.i18n import N_
from service.identity import PROVIDER_NAMES
from verification.eligibility import STATUS_NAMES as ELIGIBILITY_STATUS_NAMES
from verification.messages import _

BALLOT_KIND_NAMES = {
    BallotKind.SINGLE_CHOICE.value: _("Single choice (one project)"),
    BallotKind.K_APPROVAL.value: _("Approval of up to k projects"),
    BallotKind.KNAPSACK.value: _("Knapsack (any projects within the budget)"),
    BallotKind.CUMULATIVE.value: _("Cumulative (points to share out)"),
}


@jinja2.pass_context
def url_path(context: Any, name: str, /, **params: Any) -> str:
    """The path of a named route (relative, so it is right behind any proxy)."""
    return str(context["request"].app.url_path_for(name, **params))


def _named(names: Mapping[Any, str], code: Any) -> str:
    """The name of a code (a status, a rule); an unknown code is shown as it is."""
    key = getattr(code, "value", code)
    return names.get(str(key), str(key))


def status_name(status: Any) -> str:
    return _named(STATUS_NAMES, status)


def phase_name(phase: Phase | str) -> str:
    return PHASE_NAMES.get(Phase(phase), str(phase))


def phase_in_text(phase: Phase | str) -> str:
    """The phase's name as it reads inside a sentence ("the voting phase")."""
    return PHASE_NAMES_IN_TEXT.get(Phase(phase), str(phase))


# the reason a merge records (service.workflows.review), stored in English with the event
MERGED_REASON = re.compile(r"Merged into project (\d+): (.*)", re.DOTALL)


# the reasons `civica import-pb` records when it moves an imported cycle's phase, in English
IMPORT_REASON_IDS = (
    N_("Voting opened to replay the ballots of {file} (civica import-pb)."),
    N_("Voting closed after replaying the ballots of {file} (civica import-pb)."),
)
_IMPORT_REASONS = tuple(
    (msgid, re.compile(re.escape(msgid).replace(re.escape("{file}"), "(.+)", 1), re.DOTALL))
    for msgid in IMPORT_REASON_IDS
)


def phase_change_reason(reason: str) -> str:
    """A phase change's public reason: an administrator's words as written, or the sentence an
    import wrote, as a message again so it is shown in the page's language."""
    for msgid, pattern in _IMPORT_REASONS:
        found = pattern.fullmatch(reason)
        if found is not None:
            return _(msgid, file=found[1])
    return reason


def event_reason(event: ReviewEvent) -> str:
    """An event's public reason: a reviewer's own words as written, or, for a merge, the
    sentence civica wrote, as a message again so it is shown in the page's language."""
    merged = MERGED_REASON.fullmatch(event.reason) if event.kind == EventKind.MERGED else None
    if merged is None:
        return event.reason
    return _("Merged into project {id}: {title}", id=int(merged[1]), title=merged[2])


def install(env: jinja2.Environment) -> None:
    """Register the helpers on the template environment."""
    env.filters["status_name"] = status_name
    env.filters["phase_name"] = phase_name
    env.filters["phase_in_text"] = phase_in_text
    env.filters["event_name"] = lambda kind: _named(EVENT_NAMES, kind)
    env.filters["audit_action"] = lambda action: _named(AUDIT_ACTION_NAMES, action)
    env.filters["ballot_kind"] = lambda kind: _named(BALLOT_KIND_NAMES, kind)
    env.filters["rule_name"] = lambda rule: _named(RULE_NAMES, rule)
    env.filters["tie_break_name"] = lambda tie_break: _named(TIE_BREAK_NAMES, tie_break)
    env.filters["provider_name"] = lambda provider: _named(PROVIDER_NAMES, provider)
    env.filters["eligibility_status"] = lambda s: _named(ELIGIBILITY_STATUS_NAMES, s)
    env.filters["role_name"] = lambda role: _named(ROLE_NAMES, role)
    env.globals["url"] = url_path
