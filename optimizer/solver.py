"""One way to pick a MILP solver and read back what it did.

HiGHS runs in-process through ``highspy`` (PuLP's ``HiGHS`` class); CBC is the fallback and
runs as a separate process (``PULP_CBC_CMD``). Both solve to a zero relative gap by default.

HiGHS keeps one thread pool per process, fixed by the first run that needs it; a later run asking
for another thread count would be refused ("scheduler has already been initialized"). Every
HiGHS run in this package therefore goes through ``highs_run``, which resets the pool when the
thread count changes, one run at a time, so an answer never depends on what ran before it in the
process (e.g. a settlement's LP before a MILP, or one app session before another).
"""

from __future__ import annotations

import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import pulp

SOLVERS = ("highs", "cbc")
T = TypeVar("T")
_HIGHS_LOCK = threading.RLock()
_highs_threads: list[int | None] = [None]  # thread count of the HiGHS pool as last set here


class SolverUnavailableError(RuntimeError):
    """The requested solver is not installed on this machine."""


@dataclass(frozen=True)
class SolverOptions:
    """How to solve: solver name, gap, time limit and threads."""

    name: str = "highs"
    gap_rel: float = 0.0
    time_limit: float | None = None
    threads: int | None = 1
    msg: bool = False

    def __post_init__(self) -> None:
        if self.name not in SOLVERS:
            raise ValueError(f"unknown solver {self.name!r}; expected one of {', '.join(SOLVERS)}")
        if not 0.0 <= self.gap_rel < 1.0:
            raise ValueError(f"gap_rel must be in [0, 1), got {self.gap_rel}")
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError(f"time_limit must be positive, got {self.time_limit}")


@dataclass(frozen=True)
class SolveInfo:
    """What the solver reported: status, objective, wall time and MIP gap."""

    solver: str
    status: str  # "optimal", "feasible" (stopped early), "infeasible", "unbounded", "not_solved"
    objective: float | None
    seconds: float
    gap: float | None

    @property
    def has_solution(self) -> bool:
        return self.status in ("optimal", "feasible")

    def as_dict(self) -> dict[str, object]:
        return {
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "seconds": round(self.seconds, 4),
            "gap": self.gap,
        }


def make_solver(options: SolverOptions, highs_options: dict[str, object] | None = None) -> pulp.LpSolver:
    """Build the PuLP solver object for ``options`` (``highs_options`` tune HiGHS only)."""
    if options.name == "highs":
        _swallow_highs_banner()
        # HiGHS keeps one thread scheduler per process, set up by the first run (e.g. the nucleolus
        # LPs of optimizer.settlement, with the default thread count); a later run asking for
        # another count fails unless the scheduler is reset first
        import highspy

        highspy.Highs.resetGlobalScheduler(True)
        solver = pulp.HiGHS(
            msg=options.msg,
            gapRel=options.gap_rel,
            gapAbs=1e-6,
            threads=options.threads,
            timeLimit=options.time_limit,
            **(highs_options or {}),
        )
    else:
        with warnings.catch_warnings():  # PuLP 3.3 deprecates its bundled CBC in favour of PuLP 4's
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(
                msg=options.msg,
                gapRel=options.gap_rel,
                gapAbs=1e-6,
                threads=options.threads,
                timeLimit=options.time_limit,
            )
    if not solver.available():
        raise SolverUnavailableError(f"solver {options.name!r} is not available on this machine")
    return solver


_BANNER_LOCK = threading.Lock()
_banner_swallowed = [False]


def _swallow_highs_banner() -> None:
    """HiGHS writes a banner to C-level stdout on the first ``Highs()`` of a process; hide it.

    Once per process, under a lock: two threads swapping file descriptor 1 at once could leave
    stdout pointing at the null device (the settlement games run in threads from 13 members)."""
    with _BANNER_LOCK:
        if _banner_swallowed[0]:
            return
        import highspy

        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), 1)
                highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_swallowed[0] = True


@contextmanager
def highs_threads(threads: int | None) -> Iterator[None]:
    """Hold the process's HiGHS pool for one run with ``threads`` threads (``None``: any count).

    Runs are serialised; the pool is reset (after the running one finished) when the count changes.
    """
    import highspy

    with _HIGHS_LOCK:
        if threads is not None and _highs_threads[0] != threads:
            highspy.Highs.resetGlobalScheduler(True)
            _highs_threads[0] = threads
        yield


def highs_run(run: Callable[[], T], threads: int | None = None) -> T:
    """``run()`` (a HiGHS solve) inside ``highs_threads(threads)``."""
    with highs_threads(threads):
        return run()


def solve(
    problem: pulp.LpProblem,
    options: SolverOptions | None = None,
    highs_options: dict[str, object] | None = None,
) -> SolveInfo:
    """Solve ``problem`` in place and report status, objective, time and gap."""
    options = options or SolverOptions()
    solver = make_solver(options, highs_options)
    start = time.perf_counter()
    if options.name == "highs":
        highs_run(lambda: problem.solve(solver), options.threads)
    else:
        problem.solve(solver)
    seconds = time.perf_counter() - start
    status = _status(problem)
    objective = pulp.value(problem.objective) if status in ("optimal", "feasible") else None
    return SolveInfo(options.name, status, objective, seconds, _gap(problem, options, status))


def _status(problem: pulp.LpProblem) -> str:
    if problem.status == pulp.LpStatusOptimal:
        if problem.sol_status == pulp.LpSolutionOptimal:
            return "optimal"
        return "feasible" if problem.sol_status == pulp.LpSolutionIntegerFeasible else "not_solved"
    if problem.status == pulp.LpStatusInfeasible:
        return "infeasible"
    if problem.status == pulp.LpStatusUnbounded:
        return "unbounded"
    return "not_solved"


def _gap(problem: pulp.LpProblem, options: SolverOptions, status: str) -> float | None:
    if status == "optimal" and options.gap_rel == 0.0:
        return 0.0
    highs_model = getattr(problem, "solverModel", None) if options.name == "highs" else None
    if highs_model is not None and status in ("optimal", "feasible"):
        return float(highs_model.getInfo().mip_gap)
    return None


def quiet_highs() -> Any:
    """A ``highspy.Highs`` instance with no output and one thread (for LPs solved directly).

    Its ``run`` goes through ``highs_run``, so it never meets a thread pool set up for another
    thread count (e.g. by a scenario's ``[solver] threads``).
    """
    import highspy

    _swallow_highs_banner()
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", 1)
    run = highs.run
    highs.run = lambda: highs_run(run, 1)
    return highs
