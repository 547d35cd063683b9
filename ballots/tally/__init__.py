"""Tally rules for participatory budgeting: greedy by votes and the Method of Equal Shares.

Pure, exact, dependency-free code shared by the close procedure and the observer's verifier:
`tally(projects, budget, ballots, rule)` applies a declared `TallyRule` and returns an `Outcome`.
"""

from ballots.tally.counts import VoteCounts, count_votes, rank_by_score
from ballots.tally.mes import (
    COMPLETIONS,
    UTILITIES,
    Completion,
    EqualSharesResult,
    Purchase,
    Utilities,
    equal_shares,
    equal_shares_fixed,
    equal_shares_purchases,
)
from ballots.tally.model import (
    Ballot,
    InvalidRuleError,
    Outcome,
    Project,
    TallyError,
    UnknownProjectError,
    check_inputs,
)
from ballots.tally.rules import RULES, RuleName, TallyRule, tally
from ballots.tally.tiebreak import TIE_BREAKS, TieBreak, TieBreakName

__all__ = [
    "COMPLETIONS",
    "RULES",
    "TIE_BREAKS",
    "UTILITIES",
    "Ballot",
    "Completion",
    "EqualSharesResult",
    "InvalidRuleError",
    "Outcome",
    "Project",
    "Purchase",
    "RuleName",
    "TallyError",
    "TallyRule",
    "TieBreak",
    "TieBreakName",
    "UnknownProjectError",
    "Utilities",
    "VoteCounts",
    "check_inputs",
    "count_votes",
    "equal_shares",
    "equal_shares_fixed",
    "equal_shares_purchases",
    "rank_by_score",
    "tally",
]
