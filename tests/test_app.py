"""The Streamlit app's main flows (AppTest, no browser): the numbers shown are the library's."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optimizer import views
from optimizer.i18n import format_nok
from optimizer.pipeline import run
from optimizer.scenario import load_scenario

from conftest import ROOT, SCENARIOS


def figures(name: str) -> list[str]:
    return list(views.key_figures(run(load_scenario(SCENARIOS / f"{name}.toml"))).values())


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception and not at.error
    return at


def widget(elements, key_suffix: str):
    return next(w for w in elements if w.key and w.key.endswith(key_suffix))


def shown_figures(at: AppTest) -> list[str]:
    return [m.value for m in at.metric[:3]]


def test_default_page_shows_the_baseline(app):
    assert shown_figures(app) == figures("baseline")
    assert app.title[0].value == views.plain(load_scenario(SCENARIOS / "baseline.toml").title)
    hosts = app.dataframe[0].value
    result = run(load_scenario(SCENARIOS / "baseline.toml"))
    assert list(hosts["Kostnad per år"]) == [format_nok(u.total) for u in result.plan.units]


def test_toggling_a_border_municipality_equals_the_join_scenario(app):
    widget(app.sidebar.toggle, ":m:5618").set_value(True).run()
    assert not app.exception and not app.error
    assert shown_figures(app) == figures("join_masoy")
    assert any("Måsøy" in served for served in app.dataframe[0].value["Betjener"])


def test_switching_fairness_off_equals_the_no_fairness_scenario(app):
    widget(app.sidebar.toggle, ":f:enabled").set_value(False).run()
    assert not app.exception and not app.error
    assert shown_figures(app) == figures("no_fairness")
    assert app.metric[2].value == format_nok(0)


def test_changing_a_parameter_marks_it_as_set_and_changes_the_cost(app, write_scenario):
    widget(app.sidebar.number_input, ":p:child_welfare:cost_per_fte").set_value(1_000_000.0).run()
    by_hand = write_scenario("by_hand", f"""
        extends = "{(SCENARIOS / 'baseline.toml').as_posix()}"
        [services.child_welfare]
        cost_per_fte = 1000000
    """)
    assert shown_figures(app) == list(views.key_figures(run(load_scenario(by_hand))).values())


def test_switching_language_to_english(app):
    app.sidebar.radio[0].set_value("en").run()
    assert not app.exception
    assert app.metric[0].label == "Total cost per year"
    assert "Host municipalities" in [h.value for h in app.subheader]


def test_invalid_upload_shows_its_error_and_no_result(app):
    app.sidebar.radio(key="origin@nb").set_value("upload").run()
    app.sidebar.file_uploader(key="upload").set_value(
        ("mitt.toml", b'members = ["5620", "9999"]\n', "application/toml")).run()
    assert not app.exception
    assert len(app.error) == 1
    message = app.error[0].value
    assert "mitt.toml" in message and "members" in message and "9999" in message
    assert not app.metric


def test_valid_upload_is_used(app):
    app.sidebar.radio(key="origin@nb").set_value("upload").run()
    raw = (SCENARIOS / "no_fairness.toml").read_bytes()
    app.sidebar.file_uploader(key="upload").set_value(("no_fairness.toml", raw, "application/toml")).run()
    assert not app.exception and not app.error
    assert shown_figures(app) == figures("no_fairness")


def test_keep_a_then_change_shows_the_difference(app):
    app.button(key="keep_a").click().run()
    widget(app.sidebar.toggle, ":m:5618").set_value(True).run()
    assert not app.exception and not app.error
    a = run(load_scenario(SCENARIOS / "baseline.toml"))
    b = run(load_scenario(SCENARIOS / "join_masoy.toml"))
    totals = next(df.value for df in app.dataframe if "Størrelse" in df.value.columns)
    assert list(totals.iloc[0]) == ["Samlet kostnad per år", format_nok(a.total_cost), format_nok(b.total_cost),
                                    views.change_cell(round(b.total_cost) - round(a.total_cost), "costs")]


def test_infeasible_settings_are_explained(app):
    widget(app.sidebar.number_input, ":f:saving").set_value(90.0).run()
    assert not app.exception
    assert len(app.error) == 1 and "fairness" in app.error[0].value


def test_ssb_upload_is_used_and_reported(app):
    from optimizer.scenario import read_scenario_file, resolve
    from optimizer.ssb import import_files

    folder = ROOT / "tests" / "data" / "ssb"
    names = ("07459_midt_finnmark_2024_2025.jsonstat2.json", "12362_midt_finnmark.jsonstat2.json",
             "12058_midt_finnmark_2024.csv")
    files = [(name, (folder / name).read_bytes()) for name in names]
    app.sidebar.file_uploader(key="ssb_upload").set_value(
        [(name, raw, "application/octet-stream") for name, raw in files]).run()
    assert not app.exception and not app.error
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    imported = import_files(files).data()
    expected = run(resolve(table, scenario_id="baseline", imported=imported))
    assert shown_figures(app) == list(views.key_figures(expected).values())
    assert shown_figures(app) != figures("baseline")
    assert any("12362" in t.value for t in app.text)
    spending = next(df.value for df in app.dataframe if "Faktisk i dag (SSB)" in df.value.columns)
    assert len(spending) == len(expected.actual_spending_rows())


def test_broken_ssb_upload_shows_the_error_and_keeps_the_embedded_data(app):
    app.sidebar.file_uploader(key="ssb_upload").set_value([("tull.json", b"{not json", "application/json")]).run()
    assert not app.exception
    assert len(app.sidebar.error) == 1 and "tull.json" in app.sidebar.error[0].value
    assert shown_figures(app) == figures("baseline")


def test_uncertainty_tab_and_alternatives(app):
    from optimizer import views_simulation
    from optimizer.alternatives import alternatives
    from optimizer.simulate import simulate_plan

    result = run(load_scenario(SCENARIOS / "baseline.toml"))
    sim = simulate_plan(result.scenario, result.plan, model=result.model)
    shown = [m.value for m in app.metric[3:7]]
    assert shown == list(views_simulation.simulation_figures(sim).values())
    app.button(key="alt_go").click().run()
    assert not app.exception and not app.error
    table = next(df.value for df in app.dataframe if "Hva er annerledes" in df.value.columns)
    found = alternatives(result.scenario, 5, model=result.model)
    assert list(table["Kostnad per år"]) == [format_nok(a.total) for a in found]


def test_report_downloads_are_offered_for_the_result_and_for_a_and_b(app):
    labels = [b.proto.label for b in app.get("download_button")]
    assert {"Lysbilder (PowerPoint)", "Regneark for økonomi (Excel)"} <= set(labels)
    app.button(key="keep_a").click().run()
    labels = [b.proto.label for b in app.get("download_button")]
    assert "Lysbilder (PowerPoint) – A mot B" in labels


def test_choices_survive_a_language_switch(app):
    widget(app.sidebar.selectbox, ":settlement@nb").set_value("shapley").run()
    widget(app.sidebar.toggle, ":m:5618").set_value(True).run()
    before = shown_figures(app)
    app.sidebar.radio[0].set_value("en").run()
    assert not app.exception and not app.error
    assert widget(app.sidebar.selectbox, ":settlement@en").value == "shapley"
    assert app.sidebar.radio(key="origin@en").value == "shipped"
    assert shown_figures(app) == before
    assert any("Shapley value" in s.value for s in app.success)


def test_upload_with_a_large_rule_value_and_a_deep_one_do_not_crash(app):
    app.sidebar.radio(key="origin@nb").set_value("upload").run()
    upload = app.sidebar.file_uploader(key="upload")
    upload.set_value(("mange.toml", b'members = ["5620", "5622"]\n[fairness]\nmin_shared_units_hosted = 9\n',
                      "application/toml")).run()
    assert not app.exception
    assert len(app.error) == 1 and "min_shared_units_hosted" in app.error[0].value  # infeasible, explained
    app.sidebar.file_uploader(key="upload").set_value(
        ("dyp.toml", b"a = " + b"[" * 5000 + b"]" * 5000, "application/toml")).run()
    assert not app.exception
    assert len(app.error) == 1 and "dyp.toml" in app.error[0].value


def test_a_newcomer_can_be_any_municipality_not_in_the_group(app):
    widget(app.sidebar.checkbox, ":m:5626").set_value(False).run()
    assert not app.exception and not app.error
    options = app.selectbox(key="join_who").options
    assert any(o.startswith("5626") for o in options) and not any(o.startswith("5620") for o in options)


def test_newcomer_tab_shows_the_membership_change(app):
    from optimizer.newcomer import join

    app.selectbox(key="join_who").set_value("5618").run()
    app.button(key="join_go").click().run()
    assert not app.exception and not app.error
    change = join(load_scenario(SCENARIOS / "baseline.toml"), "5618")
    shown = [m.value for m in app.metric if m.label in views.newcomer_figures(change)]
    assert shown == list(views.newcomer_figures(change).values())
