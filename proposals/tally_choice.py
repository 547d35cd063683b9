"""The tally rule and tie-break a scope declares, as stored in `scopes.tally`.

The names follow the tally module `ballots/tally`. The stored dict keeps exactly six keys, and
a seventh, `add1_step`, only where an Add1 completion steps more than one cent per voter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ballots.tally import TallyRule
from proposals.i18n import _

RULES = ("greedy", "greedy-stop", "mes")
COMPLETIONS = ("none", "add1", "add1-greedy", "add1-nostop", "add1-nostop-greedy")
UTILITIES = ("cost", "cardinality")
TIE_BREAKS = ("lexico", "cost-then-id", "seeded")
KEYS = ("rule", "completion", "min_votes", "utilities", "tie_break", "seed")
OPTIONAL_KEYS = ("add1_step",)
MAX_SEED = 2**63 - 1
MAX_ADD1_STEP = 10**9

RULE_NAMES = {
    "greedy": _("Greedy: most votes first, skipping projects that do not fit"),
    "greedy-stop": _("Greedy: most votes first, stopping at the first project that does not fit"),
    "mes": _("Method of Equal Shares"),
}
COMPLETION_NAMES = {
    "none": _("None: money the shares cannot spend stays unspent"),
    "add1": _("Add1: raise every share until no project left out fits"),
    "add1-greedy": _("Add1, then the rest by most votes"),
    "add1-nostop": _("Add1 without stopping: raise the shares while the outcome fits the budget"),
    "add1-nostop-greedy": _("Add1 without stopping, then the rest by most votes"),
}
UTILITY_NAMES = {
    "cost": _("Cost: a project is worth its cost to its supporters"),
    "cardinality": _("Cardinality: every supported project is worth the same"),
}
TIE_BREAK_NAMES = {
    "lexico": _("By project identifier"),
    "cost-then-id": _("Cheaper project first, then by identifier"),
    "seeded": _("Published random seed"),
}


class TallyChoiceError(ValueError):
    """The tally settings are inconsistent; `field` names the key at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class TallyChoice:
    rule: str = "greedy"
    completion: str = "none"
    min_votes: int | None = None
    utilities: str = "cost"
    tie_break: str = "lexico"
    seed: int | None = None
    add1_step: int = 1

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise TallyChoiceError("rule", _("Choose one of: {names}.", names=", ".join(RULES)))
        if self.completion not in COMPLETIONS:
            raise TallyChoiceError(
                "completion", _("Choose one of: {names}.", names=", ".join(COMPLETIONS))
            )
        if self.rule != "mes" and self.completion != "none":
            raise TallyChoiceError(
                "completion", _("A completion method applies only to the Method of Equal Shares.")
            )
        if self.utilities not in UTILITIES:
            raise TallyChoiceError(
                "utilities", _("Choose one of: {names}.", names=", ".join(UTILITIES))
            )
        if self.tie_break not in TIE_BREAKS:
            raise TallyChoiceError(
                "tie_break", _("Choose one of: {names}.", names=", ".join(TIE_BREAKS))
            )
        if self.min_votes is not None and not (
            _is_int(self.min_votes) and 0 <= self.min_votes <= 10**9
        ):
            raise TallyChoiceError("min_votes", _("Enter a whole number of votes, 0 or more."))
        if self.tie_break == "seeded":
            if not (_is_int(self.seed) and 0 <= self.seed <= MAX_SEED):  # type: ignore[operator]
                raise TallyChoiceError(
                    "seed", _("A seeded tie-break needs a whole-number seed, 0 or more.")
                )
        elif self.seed is not None:
            raise TallyChoiceError("seed", _("A seed applies only to the seeded tie-break."))
        if not (_is_int(self.add1_step) and 1 <= self.add1_step <= MAX_ADD1_STEP):
            raise TallyChoiceError("add1_step", _("Enter a whole number of cents, 1 or more."))
        if self.add1_step != 1 and not (self.rule == "mes" and self.completion.startswith("add1")):
            raise TallyChoiceError(
                "add1_step",
                _("An Add1 step applies only to the Method of Equal Shares with Add1."),
            )

    def to_dict(self) -> dict[str, Any]:
        """The stored form: the six keys, and `add1_step` when it is not 1."""
        data = {key: getattr(self, key) for key in KEYS}
        if self.add1_step != 1:
            data["add1_step"] = self.add1_step
        return data


def tally_from_dict(data: Any) -> TallyChoice:
    """Read a stored or declared tally dict; unknown keys and wrong types are refused."""
    if not isinstance(data, dict):
        raise TallyChoiceError("tally", _("The tally settings must be a table of keys."))
    unknown = sorted(set(data) - set(KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise TallyChoiceError(
            unknown[0],
            _("Unknown key; the keys are: {names}.", names=", ".join(KEYS + OPTIONAL_KEYS)),
        )
    for key in ("rule", "completion", "utilities", "tie_break"):
        if key in data and not isinstance(data[key], str):
            raise TallyChoiceError(key, _("Must be text."))
    defaults = TallyChoice()
    return TallyChoice(
        rule=data.get("rule", defaults.rule),
        completion=data.get("completion") or defaults.completion,
        min_votes=data.get("min_votes"),
        utilities=data.get("utilities") or defaults.utilities,
        tie_break=data.get("tie_break") or defaults.tie_break,
        seed=data.get("seed"),
        add1_step=data.get("add1_step") or defaults.add1_step,
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def tally_rule_of(choice: TallyChoice) -> TallyRule:
    """The rule as the tally module applies it and the election record publishes it."""
    data: dict[str, object] = {
        "rule": choice.rule,
        "min_votes": choice.min_votes or 0,
        "tie_break": choice.tie_break,
    }
    if choice.rule == "mes":
        data["completion"] = choice.completion
        data["utilities"] = choice.utilities
        if choice.add1_step != 1:
            data["add1_step"] = choice.add1_step
    if choice.seed is not None:
        data["seed"] = str(choice.seed)
    return TallyRule.from_dict(data)
