"""Errors a user can act on: each names the file, the key and what was expected."""

from __future__ import annotations


class UserInputError(Exception):
    """Invalid input from a user (scenario file, data file, command line).

    ``source`` is the file (or other origin), ``key`` the dotted key inside it, ``problem`` what is
    wrong and what was expected. ``str()`` gives one line fit to print without a traceback.
    """

    def __init__(self, source: str, key: str | None, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")


class InfeasibleError(Exception):
    """No plan satisfies the scenario's rules; ``culprits`` names the rule groups to loosen."""

    def __init__(self, scenario_id: str, culprits: list[str], detail: str = "") -> None:
        self.scenario_id = scenario_id
        self.culprits = culprits
        self.detail = detail
        names = ", ".join(culprits) if culprits else "the rules together"
        super().__init__(f"{scenario_id}: no feasible plan; loosen: {names}. {detail}".strip())


class SolverLimitError(RuntimeError):
    """The solver stopped (e.g. at its time limit) before it found any plan."""

    def __init__(self, status: str, time_limit: float | None) -> None:
        self.status = status
        self.time_limit = time_limit
        limit = f" within the time limit of {time_limit:g} s" if time_limit else ""
        super().__init__(f"the solver found no plan{limit} (status {status})")


class CutOff(Exception):
    """A search asked to stop at a cutoff proved that no plan costs less than it (``bound``, NOK)."""

    def __init__(self, bound: float) -> None:
        self.bound = bound
        super().__init__(f"no plan costs less than {bound:.0f} NOK")
