"""Which settlement method to recommend beside the scenario's chosen one, with its reason in one sentence.

The chosen method stays the one used everywhere; the recommendation is advice the user can switch to.
Rule: keep the chosen method when its split is in the core (no group of members pays less on its
own); otherwise recommend the first method in the core from ``PREFERENCE`` (Shapley value, then the
nucleolus, which is in the core whenever the core is not empty); when no method is in the core, the
least core (the split that makes the largest gain from breaking away as small as possible).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from optimizer.i18n import format_nok, tr
from optimizer.settlement import CORE_TOLERANCE_NOK
from optimizer.statement import MethodOutcome, Statement
from optimizer.views import join_names, method_label

PREFERENCE = ("shapley", "nucleolus", "least_core")


@dataclass(frozen=True)
class Recommendation:
    """``method`` recommended; ``switch`` is true when it differs from the chosen one."""

    method: str
    chosen: str
    reason: str

    @property
    def switch(self) -> bool:
        return self.method != self.chosen


def recommend(chosen: str, outcomes: Mapping[str, MethodOutcome], stand_alone: Mapping[str, float],
              name: Callable[[str], str] = str) -> Recommendation:
    """The method to recommend given every method's outcome (see the module docstring).

    ``stand_alone``: each member's cost alone (to name who pays more than alone); ``name``: a
    member's display name.
    """
    current = outcomes[chosen]
    if current.in_core:
        return Recommendation(chosen, chosen, tr(
            f"{method_label(chosen)} er i kjernen: ingen gruppe av kommuner betaler mindre ved å samarbeide alene.",
            f"{method_label(chosen)} is in the core: no group of municipalities pays less by cooperating on its own."))
    why = _why_not(chosen, current, stand_alone, name)
    for method in PREFERENCE:
        if method in outcomes and outcomes[method].in_core:
            label = _lower(method_label(method))
            return Recommendation(method, chosen, tr(
                f"Anbefalt: {label}, fordi {why}, mens {label} er i kjernen.",
                f"Recommended: {label}, because {why}, while the {label} is in the core."))
    return Recommendation("least_core", chosen, tr(
        f"Anbefalt: minste kjerne, fordi {why}, og ingen fordeling er i kjernen; minste kjerne gjør det "
        "mest en gruppe kan tjene på å bryte ut, så lite som mulig.",
        f"Recommended: the least core, because {why}, and no split is in the core; the least core makes "
        "the most any group can gain by breaking away as small as possible."))


def recommend_for(statement: Statement) -> Recommendation:
    """``recommend`` for a settled scenario."""
    result = statement.result
    return recommend(result.scenario.settlement_method, statement.outcomes,
                     {m: result.stand_alone(m) for m in result.members}, result.scenario.name)


def _why_not(chosen: str, outcome: MethodOutcome, stand_alone: Mapping[str, float], name: Callable[[str], str]) -> str:
    """Why the chosen split is not in the core: who pays more than alone, else the group that gains."""
    label = _lower(method_label(chosen))
    above = [m for m in stand_alone if outcome.total(m) > stand_alone[m] + CORE_TOLERANCE_NOK]
    if above:
        return tr(f"{label} lar {join_names([name(m) for m in above])} betale mer enn alene",
                  f"the {label} makes {join_names([name(m) for m in above])} pay more than alone")
    worst = outcome.violations[0]
    group = join_names([name(m) for m in sorted(worst.coalition)])
    return tr(f"med {label} ville {group} betalt {format_nok(worst.excess)} mindre ved å samarbeide bare seg imellom",
              f"under the {label} {group} would pay "
              f"{format_nok(worst.excess)} less by cooperating only among themselves")


def _lower(label: str) -> str:
    """A method label inside a sentence: lower case first letter, except for a name (Shapley)."""
    return label if label.startswith("Shapley") else label[:1].lower() + label[1:]
