"""A tally rule explained in plain words, for results pages: one short paragraph of sentences.

Each sentence is a translatable `Message` (`verification.messages`); the web layer translates
them and joins them into one paragraph. The text follows the rule exactly as published, so a
reader learns how the winners were chosen without reading the specification.
"""

from __future__ import annotations

from ballots.tally.rules import TallyRule
from verification.messages import Message, Money, _


def explain_rule(rule: TallyRule, *, points: bool = False) -> tuple[Message, ...]:
    """The sentences that explain `rule`; `points` for cumulative ballots (counted by points)."""
    sentences = [*_selection(rule, points)]
    if rule.min_votes:
        if points:
            sentences.append(
                _(
                    "Projects with fewer than {n} points could not win.",
                    n=rule.min_votes,
                )
            )
        else:
            sentences.append(
                _("Projects with fewer than {n} votes could not win.", n=rule.min_votes)
            )
    sentences.append(_tie_break(rule))
    return tuple(sentences)


def _selection(rule: TallyRule, points: bool) -> list[Message]:
    if rule.rule in ("greedy", "greedy-stop"):
        ranking = (
            _("Projects were ranked by the points they received, most first.")
            if points
            else _("Projects were ranked by their number of votes, most first.")
        )
        if rule.rule == "greedy":
            walk = _(
                "They were funded in that order while the budget lasted; a project that did not "
                "fit in what was left was skipped, and the next one was considered."
            )
        else:
            walk = _(
                "They were funded in that order while the budget lasted, stopping at the first "
                "project that did not fit in what was left."
            )
        return [ranking, walk]
    sentences = [
        _(
            "Winners were chosen by the Method of Equal Shares: the budget was divided equally "
            "among the voters, and projects were bought one at a time by their supporters out "
            "of their shares, each time the one whose supporters pay least for what it gives "
            "them, so that every group of voters decides over a part of the budget in "
            "proportion to its size."
        ),
        _("A voter's benefit from a project was taken to be its cost.")
        if rule.utilities == "cost"
        else _("Every project a voter supports was taken to benefit them equally."),
    ]
    completion = rule.completion or "none"
    step = Money(rule.add1_step)
    if completion == "none":
        sentences.append(_("Money the shares could not spend stayed unspent."))
    elif completion.startswith("add1-nostop"):
        sentences.append(
            _(
                "Because equal shares usually leave money unspent, every voter's share was then "
                "raised by {step} at a time for as long as the outcome stayed within the "
                "budget, and the last such outcome was kept.",
                step=step,
            )
        )
    else:
        sentences.append(
            _(
                "Because equal shares usually leave money unspent, every voter's share was then "
                "raised by {step} at a time, until no project left out could still fit in the "
                "budget, keeping the last outcome that stayed within the budget.",
                step=step,
            )
        )
    if completion.endswith("-greedy"):
        sentences.append(
            _(
                "Budget still left then went to the remaining projects that fitted, most points "
                "first."
            )
            if points
            else _(
                "Budget still left then went to the remaining projects that fitted, most votes "
                "first."
            )
        )
    return sentences


def _tie_break(rule: TallyRule) -> Message:
    tie = rule.tie_break
    if tie.name == "lexico":
        return _("Ties were broken by project number, compared as text.")
    if tie.name == "cost-then-id":
        return _("Ties went to the cheaper project, then by project number compared as text.")
    return _(
        "Ties were broken by an order drawn from the seed “{seed}”, published before voting "
        "opened.",
        seed=tie.seed or "",
    )
