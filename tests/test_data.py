"""The embedded data: complete, sourced, and giving plausible stand-alone costs."""

from __future__ import annotations

import pytest

from optimizer import data
from optimizer.pipeline import build_model
from optimizer.scenario import resolve


def test_founding_and_border_members_are_the_documented_ones():
    assert data.founding_numbers() == ("5620", "5622", "5624", "5626")
    assert set(data.border_numbers()) == {"5618", "5610", "5628", "5630", "5632", "5603"}
    assert data.municipalities()["5622"].name == "Porsanger"
    assert data.municipalities()["5626"].centre == "Mehamn"


def test_every_catalogue_parameter_has_a_status_and_a_reason():
    for service in data.catalogue().services.values():
        assert set(service.params) >= set(data.SERVICE_PARAMS) - {"max_travel_minutes"}
        for name, param in service.params.items():
            assert param.status in ("sourced", "estimate"), (service.id, name)
            assert len(param.basis) > 20, (service.id, name)


def test_tax_collection_is_disabled_and_explains_why():
    tax = data.catalogue().services["tax_collection"]
    assert not tax.enabled
    assert "2020" in tax.disabled_reason_nb and "2020" in tax.disabled_reason_en


def test_fire_prevention_workload_is_derived_from_the_national_figure():
    param = data.catalogue().services["fire_prevention"].params["fte_per_1000"]
    assert param.is_estimate and "0.23" in param.basis


def test_cost_level_scales_nothing_by_default():
    base = resolve({"members": ["5624"]}, scenario_id="t")
    scaled = resolve({"members": ["5624"], "cost_level": {"scale_stand_alone": True}}, scenario_id="t")
    alone = build_model(base).stand_alone_total("5624")
    assert build_model(scaled).stand_alone_total("5624") == pytest.approx(alone * 1.35)


# Plausible net operating expenditure per inhabitant for one municipality running the service
# alone, NOK per year. Bounds are wide on purpose: the point is to catch a parameter off by a
# factor of ten. Child welfare (KOSTRA function 244, service without measures) runs at about
# 1,000-6,000 NOK per inhabitant in small municipalities; fire prevention (338) a few hundred to
# ~2,000; ICT and administration-type services a few hundred to several thousand in the smallest.
PLAUSIBLE_PER_INHABITANT = {
    "child_welfare": (500, 8000),
    "child_welfare_on_call": (100, 3000),
    "fire_prevention": (100, 2500),
    "ict": (300, 6000),
    "procurement": (100, 2500),
    "planning_building": (200, 4000),
    "claims_collection": (30, 1200),
}


@pytest.mark.parametrize("member", ["5620", "5622", "5624", "5626"])
def test_stand_alone_cost_per_inhabitant_is_plausible(member):
    model = build_model(resolve({"members": [member]}, scenario_id="t"))
    population = data.municipalities()[member].population
    assert set(model.costs) == set(PLAUSIBLE_PER_INHABITANT)
    for service, (low, high) in PLAUSIBLE_PER_INHABITANT.items():
        per_inhabitant = model.stand_alone[(service, member)].total / population
        assert low <= per_inhabitant <= high, (service, member, per_inhabitant)
