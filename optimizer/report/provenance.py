"""What makes a report reproducible: the scenario as resolved, data versions, solver and an inputs hash.

The inputs hash is the SHA-256 of canonical JSON (sorted keys, no whitespace) of the resolved
scenario (``optimizer.result.resolved_inputs``: members, populations, every parameter, rules, cost
key, solver settings), the case rates behind the counts about people (``people``) and the SHA-256
of every embedded data file. The same inputs give
the same hash on any machine; the scenario's id, title and file name do not enter it.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources
from typing import Any

from optimizer import __version__
from optimizer.output import canonical_json
from optimizer.result import resolved_inputs
from optimizer.scenario import Scenario
from optimizer.statement import Statement
from optimizer.uncertainty import uncertainty_spec

HASH_SHOWN = 12  # characters of the hash printed on slides and pages; the workbook has it whole


@cache
def data_versions() -> dict[str, str]:
    """SHA-256 of each embedded data file (``optimizer/data``), by file name."""
    folder = resources.files("optimizer").joinpath("data")
    return {
        entry.name: hashlib.sha256(entry.read_bytes()).hexdigest()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.is_file() and entry.name.endswith((".csv", ".toml"))
    }


def inputs_hash(scenario: Scenario) -> str:
    """SHA-256 (hex) of the resolved scenario and the data file hashes."""
    document = {
        "scenario": resolved_inputs(scenario),
        "case_rates": dict(uncertainty_spec(scenario).cases_per_1000),
        "data": data_versions(),
    }
    return hashlib.sha256(canonical_json(document).encode("utf-8")).hexdigest()


def solver_text(statement: Statement) -> str:
    """``highs: optimal (gap 0, 0.04 s)`` for the adopted plan."""
    info = statement.result.plan.solve_info
    gap = "" if info.gap is None else f"gap {info.gap:g}, "
    return f"{info.solver}: {info.status} ({gap}{info.seconds:.2f} s)"


def reproducibility(statement: Statement) -> dict[str, Any]:
    """Everything a report carries to be rerun and checked: version, hash, data, solver, method."""
    result = statement.result
    return {
        "toolkit_version": __version__,
        "inputs_hash": inputs_hash(result.scenario),
        "data_versions": data_versions(),
        "solver": result.plan.solve_info.as_dict(),
        "solver_without_fairness": result.unconstrained.solve_info.as_dict(),
        "settlement_method": result.scenario.settlement_method,
        "resolved": resolved_inputs(result.scenario),
    }
