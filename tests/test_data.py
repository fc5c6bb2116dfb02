"""The embedded data: complete, sourced, and giving plausible stand-alone costs."""

from __future__ import annotations

import csv

import pytest

from optimizer import data, show
from optimizer.pipeline import build_model
from optimizer.scenario import resolve, resolve_municipality

from conftest import ROOT


def test_founding_and_border_members_are_the_documented_ones():
    assert data.founding_numbers() == ("5620", "5622", "5624", "5626")
    assert set(data.border_numbers()) == {"5618", "5610", "5628", "5630", "5632", "5603"}
    assert data.municipalities()["5622"].name == "Porsanger"
    assert data.municipalities()["5626"].centre == "Mehamn"


def test_all_18_finnmark_municipalities_with_the_seven_added_as_outer():
    # county 56 rows of the national list of all 357 municipalities (shared/data, SSB figures)
    with open(ROOT / "tests" / "data" / "finnmark" / "municipalities_2024.csv", encoding="utf-8") as f:
        national = {r["kommunenummer"]: r for r in csv.DictReader(f)}
    munis = data.municipalities()
    assert set(munis) == set(national) and len(munis) == 18
    for number, row in national.items():
        assert munis[number].population == int(row["population_2024_01_01"]), number
        assert munis[number].centre == row["admin_centre"], number
    outer = {n for n, m in munis.items() if m.role == data.ROLE_OUTER}
    assert outer == {"5605", "5607", "5612", "5614", "5616", "5634", "5636"}
    assert munis["5616"].centre == "Breivikbotn" and munis["5636"].centre == "Varangerbotn"
    for m in munis.values():
        assert 68.5 < m.lat < 71.3 and 21.0 < m.lon < 31.5, m.number  # inside Finnmark


def test_municipality_found_by_any_of_its_official_names():
    munis = data.municipalities()
    for name in ("Kautokeino", "Guovdageaidnu", "Unjárga", "Nesseby", "Sør-Varanger", "vardø"):
        assert resolve_municipality(name, munis) is not None, name
    assert resolve_municipality("Guovdageaidnu", munis) == "5612"


def test_missing_cost_level_is_one_and_marked_as_estimate():
    munis = data.municipalities()
    for number, m in munis.items():
        assert m.cost_level_estimate == (m.role == data.ROLE_OUTER), number
        if m.cost_level_estimate:
            assert m.cost_level == 1.0
    assert munis["5624"].cost_level == 1.35 and not munis["5624"].cost_level_estimate
    scaled = resolve({"members": ["5624", "5616"], "cost_level": {"scale_stand_alone": True}}, scenario_id="t")
    assert "municipalities.5616.cost_level" in scaled.estimates()
    assert "municipalities.5624.cost_level" not in scaled.estimates()
    plain = resolve({"members": ["5624", "5616"]}, scenario_id="t")
    assert not any(e.startswith("municipalities.") for e in plain.estimates())


def test_link_registry_takes_its_figures_from_links_csv():
    sources = data.link_sources()
    links = data.catalogue().travel.links
    used = {link.source_row: link for link in links.values() if link.source_row}
    assert set(used) == set(sources) - {"F2"}  # F2: crossing time not found, so not usable
    for row, link in used.items():
        src = sources[row]
        assert {link.a, link.b} == {src.a, src.b}, row
        assert link.minutes.value == src.minutes and link.minutes.status == "sourced", row
        if src.fare is None:
            assert link.fare.is_estimate, row
        else:
            assert link.fare.value == src.fare, row
        assert link.one_way == ("only" in src.mode or "southbound" in src.mode), row
    assert [link.id for link in data.catalogue().travel.base_links()] == ["ferry_oksfjord_hasvik"]
    assert links["ferry_oksfjord_hasvik"].wait.is_estimate


def test_every_link_endpoint_is_a_node_of_the_road_network():
    nodes = {n for e in data.road_edges() for n in (e.a, e.b)}
    for link in data.catalogue().travel.links.values():
        assert link.a in nodes and link.b in nodes, link.id
    centres = {m.centre for m in data.municipalities().values()}
    assert centres <= nodes


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


@pytest.mark.parametrize("member", list(data.municipalities()))  # all 18, the added seven too
def test_stand_alone_cost_per_inhabitant_is_plausible(member):
    model = build_model(resolve({"members": [member]}, scenario_id="t"))
    population = data.municipalities()[member].population
    assert set(model.costs) == set(PLAUSIBLE_PER_INHABITANT)
    for service, (low, high) in PLAUSIBLE_PER_INHABITANT.items():
        per_inhabitant = model.stand_alone[(service, member)].total / population
        assert low <= per_inhabitant <= high, (service, member, per_inhabitant)


def test_show_members_lists_all_18_with_roles_and_estimated_cost_levels():
    text = show.members_text()
    rows = {line[:4]: line for line in text.splitlines() if line[:4].isdigit()}
    assert set(rows) == set(data.municipalities())
    assert "Breivikbotn" in rows["5616"] and "øvrige Finnmark" in rows["5616"] and rows["5616"].endswith("1.00*")
    assert "stifter" in rows["5620"] and rows["5624"].rstrip().endswith("1.35")


def test_show_links_marks_one_way_legs_base_links_and_unusable_rows():
    lines = show.links_text().splitlines()
    by_id = {line.split()[0]: line for line in lines}
    assert "Vardø → Vadsø" in by_id["hurtigruten_vardo_vadso"] and "bare én vei" in by_id["hurtigruten_vardo_vadso"]
    assert "Båtsfjord – Vardø" in by_id["hurtigruten_batsfjord_vardo"]
    assert "fast i veinettet" in by_id["ferry_oksfjord_hasvik"] and "60 min venting*" in by_id["ferry_oksfjord_hasvik"]
    assert "ikke i bruk" in by_id["F2"]
    assert len(by_id) == len(data.catalogue().travel.links) + 2  # + F2 and the footnote
