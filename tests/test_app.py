"""The Streamlit page shows the library's numbers (AppTest, no browser)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from optimizer.i18n import format_nok
from optimizer.pipeline import run
from optimizer.scenario import load_scenario

from conftest import ROOT, SCENARIOS


def test_default_page_shows_the_baseline_totals():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not app.exception
    result = run(load_scenario(SCENARIOS / "baseline.toml"))
    values = [m.value for m in app.metric]
    assert values == [
        format_nok(result.total_cost),
        format_nok(result.total_stand_alone - result.total_cost),
        format_nok(result.price_of_fairness),
    ]
    assert app.title[0].value == result.scenario.title


def test_switching_language_to_english():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    app.sidebar.radio[0].set_value("en").run()
    assert not app.exception
    assert app.metric[0].label == "Total cost per year"
