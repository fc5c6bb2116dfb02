"""Streamlit front end (first version): the baseline scenario's plan on the embedded data.

Thin by design: every number shown comes from ``optimizer`` functions that the tests call too.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from optimizer.i18n import format_nok, set_language, tr
from optimizer.pipeline import run
from optimizer.result import ScenarioResult
from optimizer.scenario import load_scenario

SCENARIOS = Path(__file__).parent / "scenarios"


@st.cache_data(show_spinner=False)
def solve(path: str) -> ScenarioResult:
    return run(load_scenario(path))


st.set_page_config(page_title="Vertskommune", layout="wide")
language = st.sidebar.radio("Språk / Language", ("nb", "en"), format_func={"nb": "Norsk bokmål", "en": "English"}.get)
set_language(language)
files = sorted(SCENARIOS.glob("*.toml"))
chosen = st.sidebar.selectbox(tr("Scenario", "Scenario"), files, format_func=lambda p: p.stem,
                              index=[p.stem for p in files].index("baseline"))
result = solve(str(chosen))

st.title(result.scenario.title)
st.caption(result.scenario.description)
col1, col2, col3 = st.columns(3)
col1.metric(tr("Samlet kostnad per år", "Total cost per year"), format_nok(result.total_cost))
col2.metric(tr("Besparelse mot å stå alene", "Saving against going alone"),
            format_nok(result.total_stand_alone - result.total_cost))
col3.metric(tr("Rettferdighetens pris", "Price of fairness"), format_nok(result.price_of_fairness))

st.subheader(tr("Vertskommuner", "Host municipalities"))
st.dataframe(
    [{tr("Tjeneste", "Service"): result.scenario.service(r["service"]).service.name(language),
      tr("Vert", "Host"): f'{r["host"]} {r["host_name"]}',
      tr("Betjener", "Serves"): r["served_names"],
      tr("Årsverk", "FTE"): r["fte"],
      tr("Kostnad", "Cost"): format_nok(r["total_nok"])} for r in result.unit_rows()],
    hide_index=True,
)
st.subheader(tr("Kostnad per medlem", "Cost per member"))
st.dataframe(
    [{tr("Kommune", "Municipality"): f'{r["member"]} {r["member_name"]}',
      tr("Alene", "Alone"): format_nok(r["stand_alone_nok"]),
      tr("I samarbeidet", "In the cooperation"): format_nok(r["cooperation_nok"]),
      tr("Besparelse", "Saving"): f'{r["saving_percent"]:.1f} %'} for r in result.member_rows()],
    hide_index=True,
)
estimates = result.scenario.estimates()
st.info(tr(f"{len(estimates)} av inndataene er anslag, ikke kildebelagte tall (se SOURCES.md).",
           f"{len(estimates)} of the inputs are estimates, not sourced figures (see SOURCES.md)."))
