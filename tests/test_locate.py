"""Tests for optimizer.locate: OR-Library optima, brute force on tiny instances, input errors."""

from __future__ import annotations

import dataclasses
from itertools import combinations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.locate import LocateInfeasibleError, LocateResult, locate
from optimizer.solver import SolverOptions
from orlib_io import ORLIB_DIR, published_optima, read_pmedian, read_uflp

OPTIMA = published_optima()
BRUTE_FORCE = settings(max_examples=60, deadline=None, derandomize=True)


def check_consistent(
    result: LocateResult,
    fixed: np.ndarray,
    cost: np.ndarray,
    max_open: int | None = None,
    capacity: np.ndarray | None = None,
    demand: np.ndarray | None = None,
) -> None:
    """The reported objective is what ``open`` and ``assignment`` cost, and the plan is valid."""
    n_customers = cost.shape[0]
    assert list(result.open) == sorted(set(result.open))
    assert result.assignment.shape == (n_customers,)
    assert np.issubdtype(result.assignment.dtype, np.integer)
    assert set(result.assignment.tolist()) <= set(result.open)
    served = cost[np.arange(n_customers), result.assignment]
    recomputed = fixed[list(result.open)].sum() + served.sum()
    assert result.objective == pytest.approx(recomputed, abs=1e-9)
    assert result.solve_info.status == "optimal"
    if result.objective:  # all costs zero: CBC leaves SolveInfo.objective None (a PuLP quirk)
        assert result.solve_info.objective == pytest.approx(result.objective, rel=1e-7, abs=1e-6)
    if max_open is not None:
        assert len(result.open) <= max_open
    if capacity is not None:
        loads = np.bincount(result.assignment, weights=demand, minlength=len(capacity))
        assert (loads <= capacity + 1e-9).all()


# --- OR-Library -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["cap71", "cap72", "cap73", "cap74", "cap131"])
def test_uflp_published_optimum(name: str) -> None:
    instance = read_uflp(ORLIB_DIR / f"{name}.txt")
    result = locate(instance.fixed_cost, instance.assign_cost)
    assert result.objective == pytest.approx(OPTIMA[name], abs=0.01)
    check_consistent(result, instance.fixed_cost, instance.assign_cost)


@pytest.mark.parametrize("name", ["pmed1", "pmed2", "pmed3", "pmed4", "pmed5"])
def test_pmedian_published_optimum(name: str) -> None:
    instance = read_pmedian(ORLIB_DIR / f"{name}.txt")
    result = locate(None, instance.distance, max_open=instance.p)
    assert result.objective == pytest.approx(OPTIMA[name], abs=0.01)
    no_fixed = np.zeros(len(instance.distance))
    check_consistent(result, no_fixed, instance.distance, max_open=instance.p)


@pytest.mark.parametrize("name", ["cap71", "cap74"])
def test_uflp_published_optimum_cbc(name: str) -> None:
    instance = read_uflp(ORLIB_DIR / f"{name}.txt")
    result = locate(instance.fixed_cost, instance.assign_cost, solver="cbc")
    assert result.solve_info.solver == "cbc"
    assert result.objective == pytest.approx(OPTIMA[name], abs=0.01)
    check_consistent(result, instance.fixed_cost, instance.assign_cost)


def test_pmedian_published_optimum_cbc() -> None:
    instance = read_pmedian(ORLIB_DIR / "pmed1.txt")
    result = locate(None, instance.distance, max_open=instance.p, solver=SolverOptions(name="cbc"))
    assert result.solve_info.solver == "cbc"
    assert result.objective == pytest.approx(OPTIMA["pmed1"], abs=0.01)


def test_pmedian_reader_last_repeated_edge_wins(tmp_path) -> None:
    path = tmp_path / "tiny.txt"
    path.write_text("3 3 1\n1 2 5\n2 3 1\n2 1 2\n")
    distance = read_pmedian(path).distance
    np.testing.assert_array_equal(distance, [[0, 2, 3], [2, 0, 1], [3, 1, 0]])


# --- brute force on tiny instances ------------------------------------------------------------


def brute_force_uncapacitated(fixed: np.ndarray, cost: np.ndarray, max_open: int | None) -> float:
    n_sites = cost.shape[1]
    limit = n_sites if max_open is None else min(max_open, n_sites)
    return min(
        fixed[list(sites)].sum() + cost[:, list(sites)].min(axis=1).sum()
        for size in range(1, limit + 1)
        for sites in combinations(range(n_sites), size)
    )


def brute_force_capacitated(
    fixed: np.ndarray,
    cost: np.ndarray,
    max_open: int | None,
    capacity: np.ndarray,
    demand: np.ndarray,
) -> float | None:
    """Best over all single-source assignments (open sites = used sites); None if infeasible."""
    n_customers, n_sites = cost.shape
    plans = np.array(list(product(range(n_sites), repeat=n_customers)))
    uses = plans[:, :, None] == np.arange(n_sites)
    used = uses.any(axis=1)
    loads = (uses * demand[None, :, None]).sum(axis=1)
    feasible = (loads <= capacity).all(axis=1)
    if max_open is not None:
        feasible &= used.sum(axis=1) <= max_open
    if not feasible.any():
        return None
    totals = used @ fixed + cost[np.arange(n_customers), plans].sum(axis=1)
    return float(totals[feasible].min())


@st.composite
def instances(draw: st.DrawFn, max_sites: int, max_customers: int) -> dict:
    n_sites = draw(st.integers(1, max_sites))
    n_customers = draw(st.integers(1, max_customers))
    cost = draw(vectors(n_sites * n_customers, 20))  # small integers: many ties
    return {
        "fixed_cost": draw(st.none() | vectors(n_sites, 30)),
        "assign_cost": cost.reshape(n_customers, n_sites),
        "max_open": draw(st.none() | st.integers(1, n_sites + 1)),
    }


def vectors(size: int, high: int) -> st.SearchStrategy[np.ndarray]:
    """Float arrays of ``size`` integers in [0, high]."""
    values = st.lists(st.integers(0, high), min_size=size, max_size=size)
    return values.map(lambda v: np.array(v, dtype=float))


def fixed_of(case: dict) -> np.ndarray:
    n_sites = case["assign_cost"].shape[1]
    return np.zeros(n_sites) if case["fixed_cost"] is None else case["fixed_cost"]


@BRUTE_FORCE
@given(instances(max_sites=6, max_customers=8))
def test_uncapacitated_matches_brute_force(case: dict) -> None:
    result = locate(**case)
    fixed, cost = fixed_of(case), case["assign_cost"]
    best = brute_force_uncapacitated(fixed, cost, case["max_open"])
    assert result.objective == pytest.approx(best, abs=1e-9)
    check_consistent(result, fixed, cost, case["max_open"])
    # each customer goes to its cheapest open site, the lowest index on ties
    open_sites = np.array(result.open)
    expected = open_sites[cost[:, open_sites].argmin(axis=1)]
    np.testing.assert_array_equal(result.assignment, expected)


@st.composite
def capacitated_instances(draw: st.DrawFn) -> dict:
    case = draw(instances(max_sites=4, max_customers=6))
    n_customers, n_sites = case["assign_cost"].shape
    case["capacity"] = draw(vectors(n_sites, 15))
    case["demand"] = draw(vectors(n_customers, 8))
    return case


def check_capacitated(case: dict, solver: str) -> None:
    fixed = fixed_of(case)
    plan = (case["assign_cost"], case["max_open"], case["capacity"], case["demand"])
    best = brute_force_capacitated(fixed, *plan)
    if best is None:
        with pytest.raises(LocateInfeasibleError):
            locate(**case, solver=solver)
        return
    result = locate(**case, solver=solver)
    assert result.objective == pytest.approx(best, abs=1e-9)
    check_consistent(result, fixed, *plan)


@BRUTE_FORCE
@given(capacitated_instances())
def test_capacitated_matches_brute_force(case: dict) -> None:
    check_capacitated(case, "highs")


@settings(BRUTE_FORCE, max_examples=15)
@given(capacitated_instances())
def test_capacitated_matches_brute_force_cbc(case: dict) -> None:
    check_capacitated(case, "cbc")


# --- behaviour --------------------------------------------------------------------------------


def test_tie_goes_to_lowest_open_site() -> None:
    result = locate([0, 0], [[1, 1], [0, 5], [5, 0]])
    assert result.open == (0, 1)
    assert result.assignment.tolist() == [0, 0, 1]
    assert result.objective == 1.0


def test_fixed_cost_none_is_zeros_and_numpy_int_max_open() -> None:
    cost = np.array([[0, 4, 9], [4, 0, 5], [9, 5, 0], [8, 3, 1]], dtype=float)
    a = locate(None, cost, max_open=np.int64(1))
    b = locate(np.zeros(3), cost, max_open=1)
    assert a.objective == b.objective == 12.0
    assert a.open == b.open == (1,)


def test_result_is_frozen() -> None:
    result = locate([1.0], [[2.0], [3.0]])
    assert result.open == (0,) and result.objective == 6.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.objective = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError):
        result.assignment[0] = 1


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_capacity_infeasible_found_by_solver(solver: str) -> None:
    # every customer fits every site and total capacity suffices, but no two customers share a site
    with pytest.raises(LocateInfeasibleError, match="fits the capacities"):
        locate([1, 1], np.ones((3, 2)), capacity=[5, 5], demand=[3, 3, 3], solver=solver)


def test_capacity_infeasible_customer_too_big() -> None:
    with pytest.raises(LocateInfeasibleError, match="customer 1"):
        locate([1, 1], np.ones((2, 2)), capacity=[5, 5], demand=[3, 6])


def test_capacity_infeasible_with_max_open() -> None:
    with pytest.raises(LocateInfeasibleError, match="largest sites"):
        locate([1, 1, 1], np.ones((3, 3)), max_open=1, capacity=[5, 5, 5], demand=[2, 2, 2])


# --- input errors -----------------------------------------------------------------------------

GOOD = {"fixed_cost": [1.0, 2.0], "assign_cost": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]}


@pytest.mark.parametrize(
    ("argument", "changes"),
    [
        ("assign_cost", {"assign_cost": [1.0, 2.0]}),
        ("assign_cost", {"assign_cost": np.zeros((0, 2))}),
        ("assign_cost", {"assign_cost": [[1.0, -2.0], [3.0, 4.0], [5.0, 6.0]]}),
        ("assign_cost", {"assign_cost": [[1.0, np.nan], [3.0, 4.0], [5.0, 6.0]]}),
        ("assign_cost", {"assign_cost": [[1.0, np.inf], [3.0, 4.0], [5.0, 6.0]]}),
        ("assign_cost", {"assign_cost": [["a", "b"]]}),
        ("fixed_cost", {"fixed_cost": [1.0, 2.0, 3.0]}),
        ("fixed_cost", {"fixed_cost": [1.0, -2.0]}),
        ("fixed_cost", {"fixed_cost": [1.0, np.inf]}),
        ("max_open", {"max_open": 0}),
        ("max_open", {"max_open": -1}),
        ("max_open", {"max_open": 1.5}),
        ("max_open", {"max_open": True}),
        ("max_open", {"max_open": "2"}),
        ("demand", {"demand": [1.0, 1.0, 1.0]}),
        ("demand", {"capacity": [5.0, 5.0]}),
        ("capacity", {"capacity": [5.0], "demand": [1.0, 1.0, 1.0]}),
        ("capacity", {"capacity": [5.0, -5.0], "demand": [1.0, 1.0, 1.0]}),
        ("demand", {"capacity": [5.0, 5.0], "demand": [1.0, 1.0]}),
        ("demand", {"capacity": [5.0, 5.0], "demand": [1.0, np.nan, 1.0]}),
        ("solver", {"solver": "gurobi"}),
        ("solver", {"solver": None}),
    ],
)
def test_bad_input_names_the_argument(argument: str, changes: dict) -> None:
    with pytest.raises(ValueError, match=rf"^{argument}: ") as error:
        locate(**{**GOOD, **changes})
    assert not isinstance(error.value, LocateInfeasibleError)
