"""Batch runs over scenario files: a progress line per file, a summary, one exit code.

Exit codes: 0 ok, 2 invalid input, 3 infeasible, 1 other failure. For a batch: 2 if any file was
invalid, else 3 if any was infeasible, else 1 if any failed. Every command that takes scenario
files (``run``, ``validate``, ``simulate``, ``alternatives``, ``report``) goes through here.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from optimizer.errors import InfeasibleError, SolverLimitError, UserInputError
from optimizer.explain import explain_infeasible
from optimizer.i18n import tr
from optimizer.incidents import INCIDENT_LOG, log_incident
from optimizer.labels import key_label, scenario_label
from optimizer.scenario import Scenario, load_scenario

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INFEASIBLE = 0, 1, 2, 3
Outcome = tuple[str, int, str]  # scenario id, exit code, status word


def run_batch(files: Sequence[Path], action: Callable[[Scenario], str]) -> list[Outcome]:
    """Run ``action`` on each file; print a progress line each; never stop at a bad one."""
    outcomes = []
    for i, path in enumerate(files, start=1):
        label = scenario_label(path.stem)
        prefix = f"[{i}/{len(files)}] {path.stem}" + (f" ({label})" if label != path.stem else "")
        start = time.perf_counter()
        scenario = None
        try:
            scenario = load_scenario(path)
            message = action(scenario)
            code = EXIT_OK
        except UserInputError as exc:
            code, message = EXIT_INVALID, tr(f"ugyldig: {exc}", f"invalid: {exc}") + _in_words(exc.key)
        except InfeasibleError as exc:
            code, message = EXIT_INFEASIBLE, explain_infeasible(exc, scenario) if scenario is not None else str(exc)
        except SolverLimitError as exc:
            code, message = EXIT_FAILED, no_plan_in_time(exc)
        except Exception as exc:  # noqa: BLE001 - a batch goes on past any failure and reports it
            code, message = EXIT_FAILED, failure(exc)
        seconds = time.perf_counter() - start
        status = {EXIT_OK: "ok", EXIT_INVALID: tr("UGYLDIG", "INVALID"),
                  EXIT_INFEASIBLE: tr("UMULIG", "INFEASIBLE"), EXIT_FAILED: tr("FEIL", "FAILED")}[code]
        stream = sys.stdout if code == EXIT_OK else sys.stderr
        print(f"{prefix}: {status} ({seconds:.2f} s) {message}", file=stream, flush=True)
        outcomes.append((path.stem, code, status))
    return outcomes


def _in_words(key: str | None) -> str:
    """`` (Barneverntjeneste: kostnad per årsverk)`` for a key that has a plain label, else nothing."""
    if not key:
        return ""
    words = key_label(key.split("[")[0])
    return f" ({words})" if words != key.split("[")[0] else ""


def no_plan_in_time(exc: SolverLimitError) -> str:
    """The plain message for exit 1 when the solver stopped before it found any plan."""
    limit = f" {exc.time_limit:g} s" if exc.time_limit else ""
    return tr(f"ingen plan funnet innen tidsgrensen{limit}; øk [solver] time_limit eller ta med færre medlemmer",
              f"no plan found within the time limit{limit}; raise [solver] time_limit or include fewer members")


def failure(exc: BaseException) -> str:
    """An unexpected failure in one line, with an incident id whose traceback is in the log file."""
    incident = log_incident(exc)
    return tr(f"feilet: intern feil {type(exc).__name__} (hendelse {incident}; detaljer i {INCIDENT_LOG})",
              f"failed: internal error {type(exc).__name__} (incident {incident}; details in {INCIDENT_LOG})")


def print_summary(outcomes: list[Outcome]) -> None:
    """After two or more files: one status line per file and how many succeeded."""
    if len(outcomes) < 2:
        return
    width = max(len(name) for name, _, _ in outcomes)
    print(tr("\nSammendrag:", "\nSummary:"))
    for name, _, status in outcomes:
        print(f"  {name:<{width}}  {status}")
    failed = sum(1 for _, code, _ in outcomes if code != EXIT_OK)
    print(tr(f"{len(outcomes) - failed} av {len(outcomes)} lyktes", f"{len(outcomes) - failed} of {len(outcomes)} succeeded"))


def batch_exit(outcomes: list[Outcome]) -> int:
    """The batch's exit code: invalid input first, then infeasible, then other failures."""
    codes = {code for _, code, _ in outcomes}
    for code in (EXIT_INVALID, EXIT_INFEASIBLE, EXIT_FAILED):
        if code in codes:
            return code
    return EXIT_OK


def run_command(files: Sequence[Path], action: Callable[[Scenario], str]) -> int:
    """``run_batch``, then the summary, then the batch's exit code: the shape of every file command."""
    outcomes = run_batch(files, action)
    print_summary(outcomes)
    return batch_exit(outcomes)
