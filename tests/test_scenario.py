"""Scenario files: extends, merging, names to numbers, and errors that name file and key."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from optimizer.errors import UserInputError
from optimizer.i18n import set_language
from optimizer.pipeline import run, scenario_travel
from optimizer.scenario import load_scenario, merge_tables, resolve_municipality
from optimizer.units import service_costs

from conftest import SCENARIOS


def test_merge_tables_merges_tables_and_replaces_arrays():
    base = {"members": ["a", "b"], "fairness": {"enabled": True, "fte_band": 0.1}}
    over = {"members": ["c"], "fairness": {"fte_band": 0.2}}
    assert merge_tables(base, over) == {"members": ["c"], "fairness": {"enabled": True, "fte_band": 0.2}}


def test_extends_inherits_and_overrides(write_scenario):
    write_scenario("base", """
        members = ["5620", "5622"]
        [fairness]
        min_shared_units_hosted = 1
        fte_band = 0.3
        [services.ict]
        cost_per_fte = 900000
    """)
    child = write_scenario("child", """
        extends = "base.toml"
        members = ["Nordkapp", "porsanger", 5624]
        [fairness]
        fte_band = 0.2
    """)
    s = load_scenario(child)
    assert s.id == "child"
    assert s.members == ("5620", "5622", "5624")
    assert s.founding == ("5620", "5622", "5624")
    assert s.fairness.min_shared_units_hosted == 1 and s.fairness.fte_band == 0.2
    ict = s.service("ict")
    assert ict.value("cost_per_fte") == 900000 and ict.service.params["cost_per_fte"].status == "scenario"


def test_shipped_scenarios_all_validate():
    files = sorted(SCENARIOS.glob("*.toml"))
    assert {"baseline", "no_fairness", "all_border", "finnmark_all", "varanger", "vest_finnmark"} <= {f.stem for f in files}
    assert sum(f.stem.startswith("join_") for f in files) == 6
    for f in files:
        s = load_scenario(f)
        if "founding" in s.raw:  # the county-scale groupings name theirs
            assert list(s.founding) == [resolve_municipality(m, s.municipalities) for m in s.raw["founding"]]
        else:
            assert set(s.founding) == {"5620", "5622", "5624", "5626"}
        assert s.founding and set(s.founding) <= set(s.members)


@pytest.mark.parametrize(
    ("name", "members", "founding"),
    [
        ("finnmark_all", 18, {"5620", "5622", "5624", "5626"}),
        ("varanger", 7, {"5605", "5607", "5634", "5636"}),
        ("vest_finnmark", 6, {"5612", "5614", "5616", "5618"}),
    ],
)
def test_county_scale_scenarios_resolve_with_travel_and_stand_alone_costs(name, members, founding):
    s = load_scenario(SCENARIOS / f"{name}.toml")
    assert len(s.members) == members and set(s.founding) == founding
    assert s.fairness.enabled and s.fairness.min_shared_units_hosted == 1
    matrix = scenario_travel(s)  # every member reaches every other (Hasvik over the ferry)
    assert np.isfinite(matrix.minutes).all() and matrix.symmetric
    costs = service_costs(s, matrix)  # no plan is solved: the fair 18-member model is slow today
    for m in s.members:
        alone = sum(c.stand_alone(m).total for c in costs.values())
        assert 2_000 <= alone / s.population(m) <= 30_000, (name, m)  # NOK per inhabitant, all services
    if "5616" in s.members:
        assert "travel.links.ferry_oksfjord_hasvik.wait_minutes" in s.estimates()


def test_regional_scenarios_solve_without_fairness_rules():
    for name in ("varanger", "vest_finnmark"):
        s = load_scenario(SCENARIOS / f"{name}.toml")
        s = replace(s, fairness=replace(s.fairness, enabled=False))
        result = run(s)
        alone = sum(result.model.stand_alone_total(m) for m in s.members)
        assert result.plan.total < alone  # cooperation pays off in both regions
        assert {u.service for u in result.plan.units} == {spec.id for spec in s.services}


def error_for(write_scenario, text, name="bad"):
    with pytest.raises(UserInputError) as err:
        load_scenario(write_scenario(name, text))
    return err.value


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('members = ["5620", "9999"]', "members[1]", "ukjent kommune"),
        ('members = ["5620", "Nordkap"]', "members[1]", "Nordkapp"),  # suggests the close name
        ('members = "5620"', "members", "forventet en liste"),
        ("name = 'x'", "members", "mangler"),
        ('members = ["5620"]\n[services.daycare]\nenabled = true', "services.daycare", "ukjent tjeneste"),
        ('members = ["5620"]\n[services.ict]\ncost_per_fte = "dyrt"', "services.ict.cost_per_fte", "forventet et tall"),
        ('members = ["5620"]\n[services.ict]\nmin_fte = -1', "services.ict.min_fte", "minst 0"),
        ('members = ["5620"]\n[municipalities.5620]\npopulation = -5', "municipalities.5620.population", "minst 1"),
        ('members = ["5620"]\n[municipalities.5620]\npopulation = 2.5', "municipalities.5620.population", "heltall"),
        ('members = ["5620"]\n[fairness]\nenabeld = true', "fairness.enabeld", "mente du 'enabled'"),
        ('members = ["5620"]\n[fairness]\nenabled = "yes"', "fairness.enabled", "true eller false"),
        ('members = ["5620"]\n[cost_key]\nmethod = "fair"', "cost_key.method", "en av"),
        ('members = ["5620"]\n[solver]\nname = "gurobi"', "solver.name", "highs"),
        ('members = ["5620"]\n[services.ict]\nrequired_hosts = ["5622"]', "services.ict.required_hosts", "ikke medlem"),
        ('members = ["5620"]\n[services.tax_collection]\nenabled = true', "services.tax_collection.enabled", "Skatteetaten"),
        ('members = ["5620"]\n[travel]\nlinks = ["ferry"]', "travel.links[0]", "ukjent lenke"),
    ],
)
def test_invalid_values_name_the_key(write_scenario, text, key, words):
    error = error_for(write_scenario, text)
    assert error.key == key
    assert error.source.endswith("bad.toml")
    assert words in str(error)
    assert f"bad.toml: {key}: " in str(error)


def test_bad_toml_names_the_line(write_scenario):
    error = error_for(write_scenario, 'members = ["5620"\n')
    assert "ugyldig TOML" in str(error) and "line" in str(error)


def test_missing_extends_file_names_the_key(write_scenario):
    error = error_for(write_scenario, 'extends = "nowhere.toml"\nmembers = ["5620"]')
    assert error.key == "extends" and "nowhere.toml" in str(error)


def test_cycle_in_extends_is_an_error(write_scenario):
    write_scenario("a", 'extends = "b.toml"\nmembers = ["5620"]')
    write_scenario("b", 'extends = "a.toml"')
    error = error_for(write_scenario, 'extends = "a.toml"', name="c")
    assert error.key == "extends" and "a.toml -> b.toml -> a.toml" in str(error)


def test_error_names_the_file_where_the_key_was_set(write_scenario):
    write_scenario("parent", 'members = ["5620"]\n[fairness]\nfte_band = 7')
    child = write_scenario("child", 'extends = "parent.toml"\nname = "x"')
    with pytest.raises(UserInputError) as err:
        load_scenario(child)
    assert err.value.source.endswith("parent.toml") and err.value.key == "fairness.fte_band"


def test_errors_in_english_on_request(write_scenario):
    set_language("en")
    error = error_for(write_scenario, 'members = ["5620", "9999"]')
    assert "unknown municipality '9999'" in str(error)


def test_every_service_switched_off_is_an_error(write_scenario):
    path = write_scenario("nothing", """
        members = ["5620", "5622"]
        [services]
        child_welfare = { enabled = false }
        child_welfare_on_call = { enabled = false }
        fire_prevention = { enabled = false }
        ict = { enabled = false }
        procurement = { enabled = false }
        planning_building = { enabled = false }
        claims_collection = { enabled = false }
    """)
    with pytest.raises(UserInputError) as info:
        load_scenario(path)
    assert info.value.key == "services" and "minst én" in info.value.problem


# ---------------------------------------------------------------------------------------------
# Founding members and the rule that protects them


NO_CORE = 'members = ["5605", "5607", "5634"]\n'


def test_founding_rule_with_no_founding_member_is_refused(write_scenario):
    error = error_for(write_scenario, NO_CORE + "[fairness]\nmin_shared_units_hosted = 1")
    assert error.key == "founding"
    assert "fairness.min_shared_units_hosted" in str(error) and "founding = [...]" in str(error)
    error = error_for(write_scenario, NO_CORE + 'founding = []\n[fairness]\nmin_shared_units_hosted = 2')
    assert error.key == "founding"


def test_founding_rule_refusal_is_exit_2_in_the_cli(write_scenario, capsys):
    from optimizer.cli import main

    path = write_scenario("east", NO_CORE + "[fairness]\nmin_shared_units_hosted = 1")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "east.toml: founding:" in err and "fairness.min_shared_units_hosted" in err and "Traceback" not in err


@pytest.mark.parametrize("rules", [
    "[fairness]\nmin_shared_units_hosted = 0",
    "[fairness]\nenabled = false\nmin_shared_units_hosted = 1",
    "founding = ['Vadsø']\n[fairness]\nmin_shared_units_hosted = 1",
])
def test_founding_rule_is_fine_when_it_applies_to_someone_or_not_at_all(write_scenario, rules):
    s = load_scenario(write_scenario("east", NO_CORE + rules))
    assert s.members == ("5605", "5607", "5634")


# ---------------------------------------------------------------------------------------------
# Links of the scenario's own: [travel.links.<id>]


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('[travel.links.boat]\nfrom = "Honningsvåg"\nto = "Kjøllefjord"\nminutes = 100', "travel.links.boat.fare", "mangler"),
        ('[travel.links.boat]\nto = "Mehamn"\nminutes = 100\nfare = 0', "travel.links.boat.from", "from, to, minutes og fare"),
        ('[travel.links.boat]\nfrom = "Atlantis"\nto = "Mehamn"\nminutes = 100\nfare = 0', "travel.links.boat.from", "ukjent sted"),
        ('[travel.links.boat]\nfrom = "Mehamm"\nto = "Lakselv"\nminutes = 100\nfare = 0', "travel.links.boat.from", "mente du 'Mehamn'"),
        ('[travel.links.boat]\nfrom = "Mehamn"\nto = "Gamvik"\nminutes = 100\nfare = 0', "travel.links.boat.to", "samme sted"),
        ('[travel.links.boat]\nfrom = "Mehamn"\nto = "Lakselv"\nminutes = 0\nfare = 0', "travel.links.boat.minutes", "minst 1"),
        ('[travel.links.boat]\nfrom = "Mehamn"\nto = "Lakselv"\nminutes = 60\nfare = "gratis"', "travel.links.boat.fare", "forventet et tall"),
        ('[travel.links.boat]\nfrom = "Mehamn"\nto = "Lakselv"\nminutes = 60\nfare = 0\none_way = "ja"', "travel.links.boat.one_way", "true eller false"),
        ('[travel.links.boat]\nfrom = "Mehamn"\nto = "Lakselv"\nminutes = 60\nfare = 0\nspeed = 30', "travel.links.boat.speed", "ukjent nøkkel"),
        ('[travel.links."my boat"]\nfrom = "Mehamn"\nto = "Lakselv"\nminutes = 60\nfare = 0', "travel.links.my boat", "lenke-id"),
        ('[travel.links]\nboat = 5', "travel.links.boat", "forventet en tabell"),
        ('[travel]\nlinks = 5', "travel.links", "forventet en liste"),
        ('[travel.links.hurtigruten_hammerfest_oksfjord]\nfrom = "Alta"', "travel.links.hurtigruten_hammerfest_oksfjord.from", "ukjent nøkkel"),
        ('[travel.links.ferry_oksfjord_hasvik]\nwait_minutes = -1', "travel.links.ferry_oksfjord_hasvik.wait_minutes", "minst 0"),
    ],
)
def test_invalid_scenario_links_name_the_key(write_scenario, text, key, words):
    error = error_for(write_scenario, 'members = ["5620", "5626"]\n' + text)
    assert error.key == key and error.source.endswith("bad.toml")
    assert words in str(error)


def test_scenario_link_of_its_own_joins_the_network_one_way(write_scenario):
    s = load_scenario(write_scenario("boat", """
        members = ["Nordkapp", "Gamvik"]
        [travel.links.charter]
        from = "Nordkapp"        # a municipality stands for its centre, Honningsvåg
        to = "Mehamn"
        minutes = 80
        fare = 900
        one_way = true
    """))
    link = s.travel.params.links["charter"]
    assert (link.a, link.b, link.one_way) == ("Honningsvåg", "Mehamn", True)
    assert link.minutes.status == link.fare.status == "scenario" and s.travel.links == ("charter",)
    assert not any("charter" in e for e in s.estimates())
    m = scenario_travel(s)
    road = scenario_travel(load_scenario(write_scenario("road", 'members = ["Nordkapp", "Gamvik"]')))
    nordkapp, gamvik = m.index("5620"), m.index("5626")
    assert m.minutes[nordkapp, gamvik] == 80 and m.fare[nordkapp, gamvik] == 900
    assert m.minutes[gamvik, nordkapp] == road.minutes[gamvik, nordkapp] > 300  # no boat back


def test_registry_links_selected_and_overridden_in_table_form(write_scenario):
    s = load_scenario(write_scenario("table", """
        members = ["Loppa", "Hasvik", "Nordkapp", "Lebesby"]
        founding = ["Loppa"]
        [travel.links.hurtigruten_honningsvag_kjollefjord]
        [travel.links.ferry_oksfjord_hasvik]
        wait_minutes = 30
    """))
    assert s.travel.links == ("hurtigruten_honningsvag_kjollefjord",)  # the base ferry is always in
    ferry = s.travel.params.links["ferry_oksfjord_hasvik"]
    assert ferry.wait.value == 30 and ferry.wait.status == "scenario" and ferry.minutes.status == "sourced"
    assert "travel.links.ferry_oksfjord_hasvik.wait_minutes" not in s.estimates()
    assert "travel.links.hurtigruten_honningsvag_kjollefjord.fare" in s.estimates()
    m = scenario_travel(s)
    assert m.minutes[m.index("5616"), m.index("5614")] == pytest.approx(17 + 120 + 30)
    assert m.minutes[m.index("5620"), m.index("5624")] == 150


def test_list_and_table_of_links_across_extends(write_scenario):
    write_scenario("parent", 'members = ["5620", "5624"]\n[travel]\nlinks = ["air_honningsvag_mehamn"]')
    child = load_scenario(write_scenario("child", """
        extends = "parent.toml"
        [travel.links.hurtigruten_honningsvag_kjollefjord]
    """))
    assert child.travel.links == ("hurtigruten_honningsvag_kjollefjord",)  # arrays and values replace


def test_base_link_named_in_the_list_is_always_on_anyway(write_scenario):
    s = load_scenario(write_scenario("list", """
        members = ["5620", "5622"]
        [travel]
        links = ["ferry_oksfjord_hasvik", "bus_vadso_tana", "bus_vadso_tana"]
    """))
    assert s.travel.links == ("bus_vadso_tana",)
