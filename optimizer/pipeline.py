"""The pipeline from a resolved scenario to a result: travel -> candidate units -> MILP -> result."""

from __future__ import annotations

from optimizer import data
from optimizer.economics.references import ir_reference
from optimizer.errors import InfeasibleError, UserInputError
from optimizer.games import cost_side_plan
from optimizer.i18n import tr
from optimizer.model import FAIRNESS_GROUPS, HostChoiceModel
from optimizer.result import ScenarioResult
from optimizer.scenario import Scenario
from optimizer.travel import DisconnectedError, TravelMatrix, build_graph, travel_matrix
from optimizer.units import service_costs


def scenario_travel(scenario: Scenario) -> TravelMatrix:
    """Travel matrix between the scenario's members on the embedded road network."""
    params = scenario.travel.params
    graph = build_graph(
        data.road_edges(),
        params,
        winter=scenario.travel.winter,
        links=[params.links[lid] for lid in scenario.travel.links],
    )
    members = sorted(scenario.members)
    centres = [scenario.municipalities[m].centre for m in members]
    try:
        return travel_matrix(graph, members, centres)
    except DisconnectedError as exc:
        a, b = scenario.municipalities[exc.a], scenario.municipalities[exc.b]
        raise UserInputError(scenario.source, "members", tr(
            f"{a.number} {a.name} ({a.centre}) har ingen forbindelse til {b.number} {b.name} ({b.centre}) i veinettet",
            f"{a.number} {a.name} ({a.centre}) has no connection to {b.number} {b.name} ({b.centre}) in the road network",
        )) from None


def build_model(scenario: Scenario) -> HostChoiceModel:
    """Candidate units and their costs for ``scenario``; individual rationality against the reference
    ``[fairness] ir_reference`` names (``optimizer.economics.references``)."""
    costs = service_costs(scenario, scenario_travel(scenario))
    return HostChoiceModel(scenario, costs, ir_reference=ir_reference(scenario, costs))


def run(scenario: Scenario, model: HostChoiceModel | None = None) -> ScenarioResult:
    """Solve the adopted plan (all rules) and the plan without fairness rules.

    Without fairness the services are independent, so that plan comes exactly from the subset
    subset programmes of ``optimizer.games`` (no solver call); the adopted plan comes from the
    exact engine (``optimizer.engine``).

    Raises ``InfeasibleError`` naming the smallest set of rule groups that cannot be met together.
    """
    model = model or build_model(scenario)
    groups = model.rule_groups()
    cost_side = [g for g in groups if g not in FAIRNESS_GROUPS]
    unconstrained = cost_side_plan(model)
    if unconstrained is None:
        raise InfeasibleError(scenario.id, model.irreducible_conflict(cost_side))
    if len(cost_side) == len(groups):
        return ScenarioResult(scenario, model, unconstrained, unconstrained)
    plan = model.solve(groups)
    if plan is None:
        raise InfeasibleError(scenario.id, model.irreducible_conflict(groups))
    return ScenarioResult(scenario, model, plan, unconstrained)
