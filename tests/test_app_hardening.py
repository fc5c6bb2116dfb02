"""Issue 12, cases 8 and 9 and determinism in the app: no traceback on any page, user errors named
like the CLI names them, cache keys that cannot collide, downloads built once and equal to the CLI's."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from streamlit.testing.v1 import AppTest

from optimizer import export, views
from optimizer.cli import main
from optimizer.downloads import as_downloaded, download_label, downloaded_table, upload_key
from optimizer.titles import change_phrases, download_stem, edited_title
from optimizer.editing import interactive, to_toml
from optimizer.export import result_files
from optimizer.newcomer import statement_for
from optimizer.scenario import read_scenario_file, resolve

from conftest import ROOT, SCENARIOS


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception and not at.error
    return at


def test_the_config_hides_error_details():
    text = (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'showErrorDetails = "none"' in text


def test_an_unexpected_error_shows_an_incident_id_and_no_traceback(app, caplog):
    with mock.patch.object(views, "host_rows", side_effect=RuntimeError("boom in /srv/app.py line 263")):
        app.run()
    assert not app.exception
    messages = [e.value for e in app.error]
    assert len(messages) == 1 and "hendelse" in messages[0]
    assert "boom" not in messages[0] and "app.py" not in messages[0]
    incident = messages[0].split("hendelse ")[1][:8]
    assert any(incident in r.getMessage() and "boom" in r.getMessage() for r in caplog.records)  # server log
    assert app.metric  # the rest of the page is still there


def test_a_bad_uncertainty_value_in_an_upload_names_the_uploaded_file(app):
    app.sidebar.radio(key="origin@nb").set_value("upload").run()
    raw = b'extends = "baseline.toml"\n[uncertainty]\nyears = 0\n'
    app.sidebar.file_uploader(key="upload").set_value(("min.toml", raw, "application/toml")).run()
    assert not app.exception
    errors = [e.value for e in app.error]
    assert any("min.toml: uncertainty.years" in e for e in errors), errors
    assert not any("innstillinger i appen" in e for e in errors)


def test_upload_keys_are_each_files_own_hash():
    p, q = b"region;year\n", b"5620;2024\n"
    a = upload_key([("p.csv", p), ("q.csv", q)])
    b = upload_key([("p.csv", p + b"q.csv" + q)])
    assert a != b
    assert a == upload_key([("p.csv", p), ("q.csv", q)])
    assert a != upload_key([("q.csv", q), ("p.csv", p)])


def test_downloads_are_not_rebuilt_on_a_rerun(app):
    with mock.patch.object(export, "result_files", wraps=export.result_files) as built:
        app.sidebar.toggle(key="projector").set_value(True).run()
        app.sidebar.toggle(key="projector").set_value(False).run()
    assert not app.exception and built.call_count == 0


def test_a_large_simulation_waits_for_a_click(app):
    app.sidebar.radio(key="origin@nb").set_value("upload").run()
    raw = b'extends = "baseline.toml"\n[uncertainty]\npaths = 20000\nyears = 4\n'
    with mock.patch("optimizer.simulate.Simulator.run", side_effect=AssertionError("simulated without a click")):
        app.sidebar.file_uploader(key="upload").set_value(("stor.toml", raw, "application/toml")).run()
    assert not app.exception and not app.error
    assert any(b.key == "sim_go" for b in app.button)


@pytest.mark.parametrize("edit", [False, True])
def test_the_downloaded_files_are_what_the_cli_writes_for_the_downloaded_scenario(tmp_path, monkeypatch, edit):
    table, origins = read_scenario_file(SCENARIOS / "baseline.toml")
    if edit:
        table = dict(table, fairness=dict(table["fairness"], min_saving_percent=1.0))
    scenario = interactive(resolve(table, scenario_id="baseline", source="innstillinger i appen", origins=origins))
    statement = statement_for(scenario)
    base_table = read_scenario_file(SCENARIOS / "baseline.toml")[0]
    phrases = change_phrases(base_table, table, resolve(base_table, scenario_id="baseline"), scenario)
    stem = download_stem("baseline", edited_title("baseline", scenario.title, phrases), bool(phrases))
    label = download_label(scenario.title, stem, "baseline")
    downloaded = downloaded_table(table, label, scenario.solver.time_limit, imported=False)
    result, settled = as_downloaded(statement.result, statement, stem, downloaded)
    app_files = {name: export.encoded(name, text, "excel-no")
                 for name, text in result_files(result, "excel-no", settled).items()}

    monkeypatch.chdir(tmp_path)
    Path(f"{stem}.toml").write_text(to_toml(downloaded, label), encoding="utf-8")
    assert main(["run", f"{stem}.toml", "--out", "out", "--csv-dialect", "excel-no"]) == 0
    cli_files = {p.name: p.read_bytes() for p in (tmp_path / "out" / stem).iterdir() if not p.name.startswith(".")}
    assert cli_files == app_files
    assert (stem != "baseline") == edit and (label != scenario.title) == edit


def test_mutated_scenario_and_ssb_uploads_never_show_a_traceback_or_an_incident():
    """A few random uploads per run (the CLI property test covers many more): the page shows the file's
    error or a result, never a traceback and never an unexpected-error incident."""
    import tomli_w
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from test_cli_properties import mutated

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    at.sidebar.radio(key="origin@nb").set_value("upload").run()
    ssb = (ROOT / "tests" / "data" / "ssb" / "12058_midt_finnmark_2024.csv").read_bytes()
    baseline = (SCENARIOS / "baseline.toml").read_bytes()

    def no_traceback() -> None:
        assert not at.exception
        assert not any("hendelse" in e.value for e in [*at.error, *at.sidebar.error])

    @settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck))
    @given(mutated(), st.integers(min_value=0, max_value=len(ssb) - 1), st.binary(min_size=1, max_size=8))
    def check(case, at_byte, noise):
        name, table = case
        try:
            text = tomli_w.dumps(table)
        except (TypeError, ValueError, OverflowError):
            return
        at.sidebar.file_uploader(key="upload").set_value(("baseline.toml", baseline, "application/toml")).run()
        at.sidebar.file_uploader(key="ssb_upload").set_value(
            [("12058.csv", ssb[:at_byte] + noise + ssb[at_byte:], "text/csv")]).run()
        no_traceback()
        at.sidebar.file_uploader(key="upload").set_value((name, text.encode(), "application/toml")).run()
        no_traceback()

    check()
