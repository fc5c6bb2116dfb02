"""Numeric facility location: which sites to open and which site serves each customer.

One MILP covers the uncapacitated facility-location problem (UFLP), the p-median problem (zero
fixed costs and ``max_open=p``) and the single-source capacitated variant. It is the strong
formulation (``x_ij <= y_j``), built in PuLP and solved through :func:`optimizer.solver.solve`.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np
import pulp
from numpy.typing import ArrayLike

from optimizer.solver import SOLVERS, SolveInfo, SolverOptions, solve

Terms = list[tuple[pulp.LpVariable, float]]  # a linear expression as (variable, coefficient)


class LocateInfeasibleError(ValueError):
    """No choice of open sites serves every customer within the capacities (and ``max_open``)."""


@dataclass(frozen=True, eq=False)
class LocateResult:
    """A facility-location solution.

    Attributes
    ----------
    objective : float
        Fixed costs of the open sites plus the cost of every customer's assignment, recomputed
        from ``open`` and ``assignment``.
    open : tuple of int
        Indices of the open sites, ascending.
    assignment : numpy.ndarray
        Read-only int array, shape (n_customers,): the site serving each customer.
    solve_info : SolveInfo
        What the solver reported.
    """

    objective: float
    open: tuple[int, ...]
    assignment: np.ndarray
    solve_info: SolveInfo


def locate(
    fixed_cost: ArrayLike | None,
    assign_cost: ArrayLike,
    *,
    max_open: int | None = None,
    capacity: ArrayLike | None = None,
    demand: ArrayLike | None = None,
    solver: str | SolverOptions = "highs",
) -> LocateResult:
    """Open sites and assign each customer to one open site at least total cost.

    Minimises ``sum_j fixed_cost[j] * open_j + sum_ij assign_cost[i, j] * x_ij`` with every
    customer served by exactly one site, ``x_ij <= open_j`` and at most ``max_open`` sites open.

    Parameters
    ----------
    fixed_cost : array_like, shape (n_sites,), or None
        Cost of opening each site; None means zeros (p-median).
    assign_cost : array_like, shape (n_customers, n_sites)
        ``assign_cost[i, j]`` is the cost of serving customer i (its whole demand) from site j.
    max_open : int, optional
        At most this many sites open (p-median: zero fixed costs and ``max_open=p``).
    capacity : array_like, shape (n_sites,), optional
        Site capacities; requires ``demand``. Each customer is then served by a single site and
        the demand assigned to site j is at most ``capacity[j]``.
    demand : array_like, shape (n_customers,), optional
        Customer demands; only with ``capacity``.
    solver : {"highs", "cbc"} or SolverOptions
        Solver name, or full options for :func:`optimizer.solver.solve`.

    Returns
    -------
    LocateResult
        Without capacities each customer goes to its cheapest open site (the lowest site index
        on ties), which is what an optimal solution assigns anyway.

    Raises
    ------
    ValueError
        A malformed argument; the message names it and says what was expected.
    LocateInfeasibleError
        The capacities cannot hold the demand.
    RuntimeError
        The solver stopped (time limit) before finding any solution.

    Notes
    -----
    Assignment variables are continuous without capacities (integral at an optimum) and binary
    with them. Assignments no optimal solution needs are left out of the model: without
    ``max_open``, site j for customer i if ``assign_cost[i, j] > min_k (assign_cost[i, k] +
    fixed_cost[k])``; for a p-median (all fixed costs zero), each customer's ``p - 1`` most
    expensive sites, since with exactly p sites open (which is then optimal) one of its other
    sites is open. With capacities, sites whose capacity is below a customer's demand.
    """
    cost = _costs(assign_cost)
    n_customers, n_sites = cost.shape
    fixed = (
        np.zeros(n_sites)
        if fixed_cost is None
        else _vector("fixed_cost", fixed_cost, n_sites, "n_sites")
    )
    limit = _max_open(max_open, n_sites)
    options = _options(solver)
    if demand is not None and capacity is None:
        raise ValueError("demand: given without capacity; pass capacity (per site) too")
    if capacity is None:
        allowed, exact_count = _uncapacitated_pairs(cost, fixed, limit)
        loads = None
    else:
        if demand is None:
            raise ValueError("demand: required with capacity; expected shape (n_customers,)")
        loads = (
            _vector("capacity", capacity, n_sites, "n_sites"),
            _vector("demand", demand, n_customers, "n_customers"),
        )
        allowed = _capacitated_pairs(*loads, limit)
        exact_count = False

    problem, open_vars, rows, cols, serve_vars = _build_model(
        cost, fixed, allowed, limit, exact_count, loads
    )
    info = solve(problem, options)
    if info.status == "infeasible":
        within = "" if limit is None else f" with at most {limit} sites open"
        raise LocateInfeasibleError(f"no single-source assignment fits the capacities{within}")
    if not info.has_solution:
        raise RuntimeError(
            f"solver {info.solver!r} stopped without a solution (status {info.status!r})"
        )

    # A free site that no customer may use is in no row, so PuLP leaves its value None: closed.
    is_open = np.array([(var.varValue or 0.0) > 0.5 for var in open_vars])
    if loads is None:
        assignment = np.where(is_open, cost, np.inf).argmin(axis=1)
    else:
        values = np.zeros(cost.shape)
        values[rows, cols] = [var.varValue for var in serve_vars]
        assignment = values.argmax(axis=1)
    assignment.setflags(write=False)
    objective = float(fixed[is_open].sum() + cost[np.arange(n_customers), assignment].sum())
    return LocateResult(objective, tuple(np.flatnonzero(is_open).tolist()), assignment, info)


def _build_model(
    cost: np.ndarray,
    fixed: np.ndarray,
    allowed: np.ndarray,
    limit: int | None,
    exact_count: bool,
    loads: tuple[np.ndarray, np.ndarray] | None,
) -> tuple[
    pulp.LpProblem, list[pulp.LpVariable], np.ndarray, np.ndarray, list[pulp.LpVariable]
]:
    """Build the strong formulation over the ``allowed`` (customer, site) pairs.

    Returns the problem, the site variables, the pairs' rows and columns (row-major) and their
    assignment variables. Names sort sites first, then pairs by customer: PuLP hands columns to
    the solver in name order. Expressions are built from (variable, coefficient) lists, which
    is much faster than PuLP's operators for ~10k variables.
    """
    n_customers, n_sites = cost.shape
    problem = pulp.LpProblem("locate", pulp.LpMinimize)
    wi, wj = len(str(n_customers - 1)), len(str(n_sites - 1))
    open_vars = [
        problem.add_variable(f"open_{j:0{wj}d}", cat=pulp.LpBinary) for j in range(n_sites)
    ]
    rows, cols = np.nonzero(allowed)
    cat = pulp.LpContinuous if loads is None else pulp.LpBinary
    pairs = list(zip(rows.tolist(), cols.tolist()))
    serve_vars = [
        problem.add_variable(f"serve_{i:0{wi}d}_{j:0{wj}d}", 0, 1, cat) for i, j in pairs
    ]

    objective = [(var, f) for var, f in zip(open_vars, fixed.tolist()) if f]
    objective += [(var, c) for var, c in zip(serve_vars, cost[rows, cols].tolist()) if c]
    problem.setObjective(pulp.LpAffineExpression(objective))

    def add_row(terms: Terms, sense: int, name: str, rhs: float) -> None:
        expression = pulp.LpAffineExpression(terms)
        problem.addConstraint(pulp.LpConstraint(expression, sense, name, rhs))

    by_customer: list[Terms] = [[] for _ in range(n_customers)]
    for (i, _), var in zip(pairs, serve_vars):
        by_customer[i].append((var, 1.0))
    for i, terms in enumerate(by_customer):
        add_row(terms, pulp.LpConstraintEQ, f"assign_{i:0{wi}d}", 1)
    for (i, j), var in zip(pairs, serve_vars):
        link = [(var, 1.0), (open_vars[j], -1.0)]
        add_row(link, pulp.LpConstraintLE, f"link_{i:0{wi}d}_{j:0{wj}d}", 0)
    if loads is not None:
        capacity, demand = loads
        by_site: list[Terms] = [[] for _ in range(n_sites)]
        for (i, j), var in zip(pairs, serve_vars):
            if demand[i]:
                by_site[j].append((var, float(demand[i])))
        for j, terms in enumerate(by_site):
            terms.append((open_vars[j], -float(capacity[j])))
            add_row(terms, pulp.LpConstraintLE, f"capacity_{j:0{wj}d}", 0)
    if limit is not None:
        sense = pulp.LpConstraintEQ if exact_count else pulp.LpConstraintLE
        add_row([(var, 1.0) for var in open_vars], sense, "max_open", limit)
    return problem, open_vars, rows, cols, serve_vars


def _uncapacitated_pairs(
    cost: np.ndarray, fixed: np.ndarray, limit: int | None
) -> tuple[np.ndarray, bool]:
    """Pairs an optimal solution may use, and whether to require exactly ``limit`` open sites."""
    n_sites = cost.shape[1]
    if limit is None:
        # Drop j for i when that costs more than opening any k and serving i from k.
        return cost <= (cost + fixed).min(axis=1, keepdims=True), False
    if fixed.any():
        return np.ones(cost.shape, dtype=bool), False
    # Zero fixed costs: opening more sites never hurts, so some optimum opens exactly `limit`;
    # one of any n_sites - limit + 1 sites is then open, so i uses one of its cheapest that many.
    order = np.lexsort((np.broadcast_to(np.arange(n_sites), cost.shape), cost), axis=1)
    allowed = np.zeros(cost.shape, dtype=bool)
    np.put_along_axis(allowed, order[:, : n_sites - limit + 1], True, axis=1)
    return allowed, True


def _capacitated_pairs(
    capacity: np.ndarray, demand: np.ndarray, limit: int | None
) -> np.ndarray:
    """Pairs where the site can hold the customer's demand; raise if the demand cannot fit."""
    allowed = demand[:, None] <= capacity[None, :]
    stranded = np.flatnonzero(~allowed.any(axis=1))
    if stranded.size:
        i = stranded[0]
        raise LocateInfeasibleError(
            f"demand of customer {i} ({demand[i]:g}) exceeds every site's capacity"
        )
    n_open = limit or len(capacity)
    usable = np.sort(capacity)[::-1][:n_open].sum()
    if demand.sum() > usable:
        raise LocateInfeasibleError(
            f"total demand {demand.sum():g} exceeds the capacity of the {n_open} largest sites "
            f"({usable:g})"
        )
    return allowed


def _costs(assign_cost: ArrayLike) -> np.ndarray:
    cost = _numeric("assign_cost", assign_cost)
    if cost.ndim != 2 or 0 in cost.shape:
        raise ValueError(
            "assign_cost: expected a 2-D array of shape (n_customers, n_sites) with at least "
            f"one customer and one site, got shape {cost.shape}"
        )
    return _finite_non_negative("assign_cost", cost)


def _vector(name: str, value: ArrayLike, length: int, what: str) -> np.ndarray:
    array = _numeric(name, value)
    if array.shape != (length,):
        raise ValueError(
            f"{name}: expected shape ({what},) = ({length},) to match assign_cost, "
            f"got {array.shape}"
        )
    return _finite_non_negative(name, array)


def _numeric(name: str, value: ArrayLike) -> np.ndarray:
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: expected numbers, got {value!r:.80}") from None


def _finite_non_negative(name: str, array: np.ndarray) -> np.ndarray:
    if not np.isfinite(array).all():
        raise ValueError(f"{name}: expected finite values, found NaN or infinity")
    if (array < 0).any():
        raise ValueError(f"{name}: expected non-negative values, found {array.min():g}")
    return array


def _max_open(max_open: int | None, n_sites: int) -> int | None:
    """``max_open`` as an int, or None when it does not bind (at least ``n_sites``)."""
    if max_open is None:
        return None
    try:
        if isinstance(max_open, bool):
            raise TypeError
        limit = operator.index(max_open)
    except TypeError:
        raise ValueError(f"max_open: expected an integer >= 1, got {max_open!r}") from None
    if limit < 1:
        raise ValueError(f"max_open: expected an integer >= 1, got {limit}")
    return limit if limit < n_sites else None


def _options(solver: str | SolverOptions) -> SolverOptions:
    if isinstance(solver, SolverOptions):
        return solver
    if isinstance(solver, str) and solver in SOLVERS:
        return SolverOptions(name=solver)
    names = ", ".join(map(repr, SOLVERS))
    raise ValueError(f"solver: expected one of {names} or a SolverOptions, got {solver!r}")
