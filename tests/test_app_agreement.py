"""The app's agreement tab (AppTest): the numbers shown are the library's, uploads flow into the result."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from optimizer import views_agreement
from optimizer.economics.agreement import build_agreement
from optimizer.economics.references import why_references_differ
from optimizer.economics.year_end import actuals_template
from optimizer.newcomer import statement_for
from optimizer.scenario import load_scenario

from conftest import ROOT, SCENARIOS


@pytest.fixture(scope="module")
def library():
    return build_agreement(statement_for(load_scenario(SCENARIOS / "baseline.toml")), with_leave=False)


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90).run()
    assert not at.exception and not at.error
    return at


def _frame_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_agreement_tab_shows_the_library_budget_and_both_references(app, library):
    budget = _frame_with(app, "Drift i samarbeidet")
    expected = views_agreement.budget_rows(library)
    assert list(budget["Differanse mot i dag"]) == [r["Differanse mot i dag"] for r in expected]
    references = _frame_with(app, "Besparelse mot i dag")
    assert "Besparelse mot robust alene" in references.columns
    assert any(i.value == why_references_differ() for i in app.info)  # why the two references differ
    payback = _frame_with(app, "Tilbakebetalt (år)")
    assert list(payback["Tilbakebetalt (år)"]) == [r["Tilbakebetalt (år)"] for r in views_agreement.payback_rows(library)]


def test_filled_actuals_give_the_settlement_and_bad_ones_an_error(app, library):
    template = actuals_template(library.budget, 2027).splitlines()
    filled = "\n".join([template[0]] + [line + "1000000" for line in template[1:]]) + "\n"
    app.file_uploader(key="actuals_upload").set_value(("actuals.csv", filled.encode(), "text/csv")).run()
    assert not app.exception and not app.error
    settled = _frame_with(app, "Avregning (+ betale, − tilbake)")
    assert len(settled) == sum(len(u.members) for u in library.budget.shared_units
                               if library.budget.start[u.service] <= 2027)
    bad = filled.replace("1000000", "-1", 1)
    app.file_uploader(key="actuals_upload").set_value(("actuals.csv", bad.encode(), "text/csv")).run()
    assert any("linje 2" in e.value and "actual_nok" in e.value for e in app.error)


def test_today_upload_and_reference_choice_reach_the_engine(app):
    today = "member,service,today_nok\nNordkapp,child_welfare,4000000\n"
    app.sidebar.file_uploader(key=next(w.key for w in app.sidebar.file_uploader if w.key.endswith(":today"))).set_value(
        ("today.csv", today.encode(), "text/csv")).run()
    assert not app.exception and not app.error
    rows = _frame_with(app, "Kilde")
    nordkapp = rows[(rows["Kommune"] == "5620 Nordkapp") & (rows["Tjeneste"] == "Barneverntjeneste")]
    assert list(nordkapp["Kilde"]) == ["oppgitt i scenarioet"] and list(nordkapp["I dag"]) == ["4\u00a0000\u00a0000\u00a0kr"]
    radio = next(w for w in app.sidebar.radio if w.key and ":irref@" in w.key)
    radio.set_value("today").run()
    assert not app.exception
    assert any("måles mot i dag" in c.value for c in app.caption)


def test_bad_agreement_table_in_an_upload_is_an_error_not_a_traceback(app):
    raw = (SCENARIOS / "baseline.toml").read_bytes() + b"\n[agreement]\npayments_per_year = 6\n"
    app.sidebar.radio(key="origin@nb").set_value("upload").run()
    app.sidebar.file_uploader(key="upload").set_value(("bad.toml", raw, "application/toml")).run()
    assert not app.exception
    assert any("agreement.payments_per_year" in e.value for e in app.error)
