"""Plain words: every scenario key, shipped scenario and catalogue parameter has a label; glossary;
the settlement recommendation on games whose core is known by hand; titles that describe edits."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from optimizer import data, labels, settlement, titles
from optimizer.i18n import set_language
from optimizer.recommend import recommend, recommend_for
from optimizer.scenario import (
    FAIRNESS_KEYS, SERVICE_KEYS, SOLVER_KEYS, TOP_KEYS, TRAVEL_KEYS, load_scenario, read_scenario_file, resolve,
)
from optimizer.economics.spec import KEYS as AGREEMENT_KEYS, ONE_OFF_ITEMS
from optimizer.statement import MethodOutcome
from optimizer.uncertainty import TABLES as UNCERTAINTY_KEYS

from conftest import SCENARIOS
from test_views import statement_of


def every_scenario_key() -> list[str]:
    """Every dotted key the validator accepts, with a real service, member, road and link in the wildcards."""
    keys = [k for k in TOP_KEYS if k not in ("services", "fairness", "cost_key", "travel", "solver", "cost_level",
                                             "settlement", "uncertainty", "municipalities")]
    keys += [f"services.{sid}.{k}" for sid in data.catalogue().services for k in SERVICE_KEYS]
    keys += ["services.ict.capacity_fte.5620", "municipalities.5620.population"]
    keys += [f"fairness.{k}" for k in FAIRNESS_KEYS] + [f"travel.{k}" for k in TRAVEL_KEYS]
    keys += [f"solver.{k}" for k in SOLVER_KEYS] + ["cost_key.method", "cost_key.fixed_share", "settlement.method",
                                                    "cost_level.scale_stand_alone"]
    keys += [f"travel.speed_kmh.{road}" for road in ("E", "Rv", "Fv")]
    keys += [f"travel.links.hurtigruten_kjollefjord_mehamn.{k}" for k in ("minutes", "fare")]
    keys += [f"agreement.{k}" for k in AGREEMENT_KEYS if k not in ("one_off", "phase_in", "today")]
    keys += [f"agreement.one_off.ict.{item}" for item in ONE_OFF_ITEMS]
    keys += ["agreement.phase_in.ict", "agreement.today.5620.ict", "agreement.deflator.2026",
             "travel.links.hurtigruten_kjollefjord_mehamn.wait_minutes"]
    for group, names in UNCERTAINTY_KEYS.items():
        keys += [f"uncertainty.{group + '.' if group else ''}{n}" for n in names if n not in UNCERTAINTY_KEYS]
    return keys


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_scenario_key_has_a_label(lang):
    set_language(lang)
    raw = [k for k in every_scenario_key() if labels.key_label(k) == k]
    assert raw == []
    assert labels.key_label("services.child_welfare.cost_per_fte") == (
        "Barneverntjeneste: kostnad per årsverk" if lang == "nb" else "Child welfare service: cost per FTE")
    assert labels.key_label("no.such.key") == "no.such.key"


def test_every_shipped_scenario_has_a_label_in_both_languages():
    stems = {p.stem for p in SCENARIOS.glob("*.toml")}
    assert stems == set(labels.shipped_scenarios())
    nb = {s: labels.scenario_label(s) for s in stems}
    set_language("en")
    en = {s: labels.scenario_label(s) for s in stems}
    assert all(nb[s] and en[s] and "_" not in nb[s] for s in stems)
    assert nb["baseline"] == "Grunnscenario" and en["baseline"] == "Baseline"
    assert labels.scenario_label("my_upload", "Min fil") == "Min fil"


def test_every_catalogue_parameter_has_a_bokmal_basis():
    catalogue = data.catalogue()
    keys = set(labels.catalogue_keys())
    assert {f"services.{sid}.{p}" for sid, s in catalogue.services.items() for p in s.params} <= keys
    for key in keys:
        english = labels._catalogue_basis()[key]
        nb = labels.basis_text(key, english)
        assert nb != english and re.search(r"[æøå]| og | er | per | ikke | har ", nb), key
        set_language("en")
        assert labels.basis_text(key, english) == english
        set_language("nb")
    assert labels.basis_text("services.ict.min_fte", "set in the scenario (x.toml)") == "satt i scenarioet (x.toml)"
    assert labels.basis_text("services.ict.min_fte", "SSB 12058 2023") == "SSB 12058 2023"  # imported: as is


def test_inputs_table_shows_bokmal_basis():
    rows = statement_of("baseline")
    from optimizer import views
    shown = {r["Parameter"]: r["Grunnlag"] for r in views.input_rows(rows.result.scenario)}
    assert all("Caseworker" not in text and "estimate" not in text for text in shown.values())


def test_glossary_explains_the_terms_of_the_screens():
    terms = {t.id: t for t in labels.glossary()}
    for needed in ("core", "shapley", "nucleolus", "least_core", "p10_p90", "cvar", "seed", "uncertainty",
                   "cost_key", "settlement_method"):
        assert needed in terms
    for t in terms.values():
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", t.text) if s]
        assert 1 <= len(sentences) <= 2, t.id
    assert labels.term_help("I kjernen?").startswith("**I kjernen**: En fordeling er i kjernen")
    assert labels.term_help("After") is None and labels.term_help("Kommune") is None  # whole words only


# --- recommendation: games with a core known by hand -------------------------------------------

PLAYERS = ("a", "b", "c")


def game(pair: float) -> dict[frozenset, float]:
    """Symmetric 3-player cost game in thousand kroner: 10 alone, ``pair`` for two, 21 for all three.

    By hand: the core is {x : x_i <= 10, x_i + x_j <= pair, sum = 21}; it is empty iff 3 * pair < 2 * 21,
    i.e. iff pair < 14 (adding the three pair constraints gives 2 * 21 <= 3 * pair).
    """
    g = {frozenset([p]): 10_000.0 for p in PLAYERS}
    g.update({frozenset(c): 1000 * pair for c in combinations(PLAYERS, 2)})
    g[frozenset(PLAYERS)] = 21_000.0
    return g


def outcome(method: str, g: dict[frozenset, float], split: dict[str, float]) -> MethodOutcome:
    split = {p: 1000 * v for p, v in split.items()}
    check = settlement.core_check(g, split)
    return MethodOutcome(method, {p: {"s": v} for p, v in split.items()}, check.worst, (), check.count)


def outcomes(g, chosen_split):
    return {
        "per_capita": outcome("per_capita", g, chosen_split),
        "shapley": outcome("shapley", g, {p: v / 1000 for p, v in settlement.shapley(g).items()}),
        "nucleolus": outcome("nucleolus", g, {p: v / 1000 for p, v in settlement.nucleolus(g).items()}),
        "least_core": outcome("least_core", g, {p: v / 1000 for p, v in settlement.least_core(g).allocation.items()}),
    }


def test_recommend_keeps_a_chosen_split_in_the_core():
    g = game(15.0)
    found = recommend("per_capita", outcomes(g, {"a": 7, "b": 7, "c": 7}), {p: 10_000.0 for p in PLAYERS})
    assert found.method == "per_capita" and not found.switch
    assert "er i kjernen" in found.reason


def test_recommend_names_who_pays_more_than_alone():
    g = game(15.0)  # (11, 5, 5): a pays 11 > 10 alone; shapley (7, 7, 7) is in the core by hand
    found = recommend("per_capita", outcomes(g, {"a": 11, "b": 5, "c": 5}), {p: 10_000.0 for p in PLAYERS},
                      name=str.upper)
    assert found.method == "shapley" and found.switch
    assert "lar A betale mer enn alene" in found.reason and found.reason.count(".") == 1


def test_recommend_names_the_group_that_gains_by_leaving():
    g = game(15.0)  # (3, 9, 9): b and c pay 18 > 15 together, nobody above 10
    found = recommend("per_capita", outcomes(g, {"a": 3, "b": 9, "c": 9}), {p: 10_000.0 for p in PLAYERS},
                      name=str.upper)
    assert found.method == "shapley"
    assert "ville B og C betalt 3\u00a0000\u00a0kr mindre" in found.reason


def test_recommend_least_core_when_the_core_is_empty():
    g = game(13.0)  # 3 * 13 < 42: empty core, so no split is in it
    split = {"a": 7, "b": 7, "c": 7}
    found = recommend("per_capita", outcomes(g, split), {p: 10_000.0 for p in PLAYERS})
    assert found.method == "least_core"
    assert "ingen fordeling er i kjernen" in found.reason


def test_recommendation_on_the_baseline_is_in_the_core_by_brute_force():
    st = statement_of("baseline")
    from dataclasses import replace
    scenario = replace(st.result.scenario, settlement_method="per_capita")
    st = replace(st, result=replace(st.result, scenario=scenario))
    found = recommend_for(st)
    assert found.switch and found.method in ("shapley", "nucleolus", "least_core")
    split = st.outcomes[found.method]
    for coalition, cost in st.game.total.items():
        assert sum(split.total(m) for m in coalition) <= cost + settlement.CORE_TOLERANCE_NOK


# --- titles ------------------------------------------------------------------------------------

def test_edited_title_names_the_new_member_and_the_dropped_band():
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    base = resolve(table, scenario_id="baseline")
    edited = dict(table, members=[*table["members"], "5628"],
                  fairness={k: v for k, v in table["fairness"].items() if k != "fte_band"})
    after = resolve(edited, scenario_id="baseline")
    phrases = titles.change_phrases(table, edited, base, after)
    assert phrases == ["+ Tana", "uten FTE-bånd"]
    title = titles.edited_title("baseline", base.title, phrases)
    assert title == "Grunnscenario + Tana, uten FTE-bånd"
    assert titles.file_stem(title) == "grunnscenario-tana-uten-fte-band"
    assert titles.edited_title("baseline", base.title, []) == base.title
    assert titles.ab_labels("Grunnscenario", phrases) == ["A: Grunnscenario", "B: + Tana, uten FTE-bånd"]


def test_change_phrases_say_values_in_words():
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    base = resolve(table, scenario_id="baseline")
    edited = dict(table, members=["5620", "5622", "5624"], settlement={"method": "nucleolus"},
                  services={"ict": {"cost_per_fte": 700000.0, "enabled": False}})
    after = resolve(edited, scenario_id="baseline")
    phrases = titles.change_phrases(table, edited, base, after)
    assert phrases[0] == "uten Gamvik"
    assert "Oppgjørsmodell Nukleolus" in phrases
    assert "IKT: kostnad per årsverk 700\u00a0000\u00a0kr" in phrases or any("700\u00a0000" in p for p in phrases)
    assert any(p.startswith("uten ") and "IKT" in p or "ikt" in p.casefold() for p in phrases[1:])
    assert all("." not in p.split(" ")[0] for p in phrases)  # no raw dotted key


def test_file_stem_keeps_to_ascii():
    assert titles.file_stem("Porsanger - Porsáŋgu - Porsanki + Båtsfjord") == "porsanger-porsangu-porsanki-batsfjord"
    assert titles.file_stem("…") == "scenario"


def test_cli_names_shipped_scenarios_and_keys_in_words(write_scenario, capsys):
    from optimizer.cli import main

    bad = write_scenario("bad", f"""
        extends = "{(SCENARIOS / 'baseline.toml').as_posix()}"
        [services.child_welfare]
        cost_per_fte = -5
        """)
    assert main(["validate", str(SCENARIOS / "join_tana.toml"), str(bad)]) == 2
    out, err = capsys.readouterr()
    assert "join_tana (Tana blir med): ok" in out
    assert "services.child_welfare.cost_per_fte" in err and "(Barneverntjeneste: kostnad per årsverk)" in err


def test_cli_join_says_methods_in_words_and_signs_the_changes(capsys):
    from optimizer.cli import main

    assert main(["join", str(SCENARIOS / "baseline.toml"), "Tana"]) == 0
    out = capsys.readouterr().out
    assert "Som kostnadsnøkkelen" in out and "cost_key " not in out
    from optimizer.newcomer import join
    from optimizer.views import signed_nok

    change = join(load_scenario(SCENARIOS / "baseline.toml"), "5628")
    delta = change.after.chosen.total("5620") - change.before.chosen.total("5620")
    assert signed_nok(delta) in out and (signed_nok(delta).startswith("+") or delta < 0)
    assert "Når Tana blir med, sparer dagens medlemmer" in out


def test_accessibility_statement_in_both_languages_names_what_does_not_conform():
    nb = labels.accessibility_statement()
    set_language("en")
    en = labels.accessibility_statement()
    assert "WCAG 2.1" in nb and "WCAG 2.1" in en
    assert "Upload" in nb and "Upload" in en  # the known English leftover is named
    assert "delvis i samsvar" in nb and "partly conforms" in en
