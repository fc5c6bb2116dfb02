"""Scenario files: extends, merging, names to numbers, and errors that name file and key."""

from __future__ import annotations

import pytest

from optimizer.errors import UserInputError
from optimizer.i18n import set_language
from optimizer.scenario import load_scenario, merge_tables

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
    assert {"baseline", "no_fairness", "all_border"} <= {f.stem for f in files}
    assert sum(f.stem.startswith("join_") for f in files) == 6
    for f in files:
        s = load_scenario(f)
        assert set(s.founding) == {"5620", "5622", "5624", "5626"}


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
