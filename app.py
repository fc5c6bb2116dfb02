"""Streamlit app for the steering group: try scenarios live, compare them, add a border municipality.

Thin by design: every number shown comes from ``optimizer`` functions that the tests call too
(``optimizer.views`` lays the results out; ``optimizer.editing`` turns the widgets into a scenario).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import altair as alt
import pandas as pd
from pandas.io.formats.style import Styler
import streamlit as st

from optimizer import data
from optimizer.editing import (
    EDITABLE_PARAMS,
    Settings,
    apply,
    changed_keys,
    interactive,
    overlay,
    read_upload,
    settings_of,
    to_toml,
)
from optimizer.errors import InfeasibleError, SolverLimitError, UserInputError
from optimizer.explain import explain_infeasible
from optimizer.output import canonical_json
from optimizer.downloads import as_downloaded, download_label, downloaded_table, edit_origins, upload_key
from optimizer.export import encoded, result_files, zip_folder
from optimizer.games import model_game
from optimizer.i18n import LANGUAGES, format_nok, set_language, tr
from optimizer.incidents import incident_message, log_incident
from optimizer.newcomer import MembershipChange, join
from optimizer.pipeline import run
from optimizer.report.files import MIME, report_bytes
from optimizer.result import ScenarioResult
from optimizer.scenario import COST_KEYS, PARAM_LIMITS, SETTLEMENT_METHODS, Scenario, read_scenario_file, resolve
from optimizer.alternatives import Alternative, alternatives
from optimizer.robust import Ranking, rank_alternatives
from optimizer.simulate import SimulationResult, simulate_plan
from optimizer.bounds import bound
from optimizer.uncertainty import uncertainty_spec
from optimizer.ssb import ImportedData, ImportResult, import_files
from optimizer.statement import Statement, settlement_statement
from optimizer.labels import accessibility_statement, glossary, part_name, scenario_label, term_help
from optimizer.recommend import recommend_for
from optimizer.titles import ab_labels, change_phrases, download_stem, edited_title, file_stem
from optimizer import geo, views, views_agreement, views_decisions, views_simulation
from optimizer.economics.agreement import Agreement, build_agreement
from optimizer.economics.references import read_today_csv, reference_label, today_template, why_references_differ
from optimizer.economics.payments import payment_rows
from optimizer.economics.spec import agreement_spec
from optimizer.economics.year_end import actuals_template, read_actuals, true_up_rows
from optimizer.output import csv_text
from optimizer.report.annex_docx import annex_bytes
from optimizer.scenario import IR_REFERENCES
from optimizer.decisions.locks import HostLocks, LockCosts, lock_costs
from optimizer.decisions.priorities import Priorities, priorities
from optimizer.decisions.why_host import ServiceExplanation, why_host

SCENARIOS = Path(__file__).parent / "scenarios"
T = TypeVar("T")
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
# Projector: content text at least 24 px on a 1280x720 screen; the title on one or two lines; the tab
# row (a Streamlit control) kept small enough that every tab shows.
PROJECTOR_CSS = """<style>
html { font-size: 24px; }
h1 { font-size: 1.4rem !important; line-height: 1.25 !important; padding-top: 0 !important; }
h2, h3 { font-size: 1.25rem !important; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[data-testid="stMetricLabel"] p, [data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { font-size: 24px; }
[data-testid="stTable"] table, [data-testid="stTable"] th, [data-testid="stTable"] td { font-size: 24px; }
[data-testid="stTab"] p { font-size: 16px; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important; }
[data-testid="stMainBlockContainer"] { padding: 1rem 1rem 2rem 1rem; }
</style>"""
MILLIONS = "format(datum.value / 1e6, '.0f')"
MILLIONS_1 = "format(datum.value / 1e6, '.1f')"
METRIC_CSS = """<style>[data-testid="stMetricValue"] { font-size: 2.4rem; }</style>"""
CONTRAST_CSS = """<style>[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #3D3D3D !important; opacity: 1 !important; }</style>"""


# --- cached library calls ----------------------------------------------------------------------

@st.cache_resource(show_spinner=False, max_entries=64)
def evaluate(table_json: str, scenario_id: str, source: str, import_key: str = "",
             _imported: ImportedData | None = None, origins_json: str = "{}") -> tuple[Scenario, ScenarioResult, Statement]:
    """Resolve, solve and settle a scenario table (cached by its canonical JSON, the import and the
    file each key came from, so an error names the uploaded file)."""
    scenario = interactive(resolve(json.loads(table_json), scenario_id=scenario_id, source=source, imported=_imported,
                                   origins=json.loads(origins_json)))
    result = run(scenario)
    return scenario, result, settlement_statement(result, model_game(result.model, result.plan))


@st.cache_resource(show_spinner=False, max_entries=32)
def newcomer(table_json: str, scenario_id: str, municipality: str, import_key: str, _before: Statement,
             _imported: ImportedData | None = None) -> MembershipChange:
    """What ``municipality`` joining the scenario changes; ``_before`` is the statement already shown."""
    scenario = interactive(resolve(json.loads(table_json), scenario_id=scenario_id, imported=_imported))
    return join(scenario, municipality, before=_before)


@st.cache_resource(show_spinner=False, max_entries=16)
def simulation(table_json: str, import_key: str, _result: ScenarioResult) -> SimulationResult:
    """The adopted plan simulated under the scenario's ``[uncertainty]`` settings."""
    return simulate_plan(_result.scenario, _result.plan, model=_result.model)


@st.cache_resource(show_spinner=False, max_entries=16)
def near_optimal(table_json: str, import_key: str, k: int, _result: ScenarioResult,
                 _progress: Callable[[int, int], None] | None = None) -> tuple[list[Alternative], Ranking]:
    """The ``k`` best plans and how each fares in simulation (``_progress(done, total)`` as they are simulated)."""
    found = alternatives(_result.scenario, k, model=_result.model)
    return found, rank_alternatives(_result.scenario, found, model=_result.model, progress=_progress)


@st.cache_resource(show_spinner=False, max_entries=16)
def agreement_of(table_json: str, import_key: str, _statement: Statement) -> Agreement:
    """The agreement's budget and payments for a settled scenario (leave analysis only in the annex)."""
    return build_agreement(_statement, with_leave=False)


@st.cache_resource(show_spinner=False, max_entries=8)
def ssb_import(key: str, _files: tuple[tuple[str, bytes], ...]) -> tuple[ImportResult, ImportedData, bytes]:
    """Uploaded SSB files read into model inputs, those inputs as a scenario uses them (no disk), and
    the data folder as a zip for the download (built once per upload, never on a rerun).

    ``key`` is ``views.upload_key`` of the files: each file's own hash, in order (no two uploads share it).
    """
    result = import_files(_files)
    return result, result.data("ssb-import"), zip_folder(result.folder_files(), "ssb-import")


@st.cache_resource(show_spinner=False, max_entries=16)
def download_files(table_json: str, import_key: str, dialect: str, stem: str, downloaded_json: str,
                   _result: ScenarioResult, _statement: Statement) -> dict[str, bytes]:
    """The run's files as the CLI writes them for the downloaded scenario file (built once per result
    and language, never on a rerun); ``downloaded_json`` is the downloaded scenario table."""
    result, statement = as_downloaded(_result, _statement, stem, json.loads(downloaded_json))
    return {name: encoded(name, text, dialect) for name, text in result_files(result, dialect, statement).items()}


@contextmanager
def guard() -> Iterator[None]:
    """Show an unexpected error as a short message with an incident id (traceback in the server log),
    never a traceback; the rest of the page goes on. ``st.stop``/``st.rerun`` pass through."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - st.stop and st.rerun are BaseException, not caught
        st.error(incident_message(log_incident(exc, server=True)))


def widget_range(key: str) -> tuple[float, float]:
    """A number widget's lowest and highest value: the validator's bounds (``optimizer.bounds``)."""
    b = bound(key)
    return float(b.low), float(b.high)


def show_table(rows, **kwargs) -> None:
    """``st.dataframe`` with a glossary tooltip on every column whose heading names a term; in projector
    mode a plain table in large text that wraps instead of scrolling, turned on its side when wide."""
    frame = rows.data if isinstance(rows, Styler) else rows
    columns = list(frame.columns) if isinstance(frame, pd.DataFrame) else list(frame[0]) if frame else []
    if projector:
        records = frame.to_dict("records") if isinstance(frame, pd.DataFrame) else list(frame)
        for page in views.projector_pages(records):
            st.table(pd.DataFrame(page), hide_index=True)
        return
    helps = {c: st.column_config.Column(help=h) for c in columns if (h := term_help(str(c)))}
    st.dataframe(rows, hide_index=True, width="stretch", column_config=helps or None, **kwargs)


# --- decisions (issue 13): analyses on a click, with a progress bar ------------------------------

def remembered(name: str, key: tuple, text: str, compute: Callable[[Callable[[float, str], None]], T],
               n_members: int) -> T | None:
    """``compute(progress)`` once per ``key`` in this session, under a progress bar (not ``st.cache_*``:
    a cached function may not draw into a block made outside it). ``None``, with a warning shown,
    when a solve finds no plan within the interactive time limit."""
    store = st.session_state.setdefault(f"decisions:{name}", {})
    if key not in store:
        bar = st.progress(0.0, text=text)
        try:
            value = compute(lambda done, detail: bar.progress(min(max(done, 0.0), 1.0),
                                                              text=f"{text} {part_name(detail)}"))
        except SolverLimitError:
            st.warning(views.no_plan_in_time(n_members))
            return None
        finally:
            bar.empty()
        while len(store) >= 8:
            store.pop(next(iter(store)))
        store[key] = value
    return store[key]


def start_priorities(table_key: str, import_key: str, result: ScenarioResult) -> Priorities | None:
    """The best plan with at most N services, for every N (re-solves of the built model)."""
    return remembered("priorities", (table_key, import_key), tr("Løser for hver N …", "Solving for each N …"),
                      lambda step: priorities(result.model, result.plan, progress=step), len(result.members))


def host_reasons(table_key: str, import_key: str, result: ScenarioResult) -> list[ServiceExplanation] | None:
    """What every other host of every shared unit would cost, one sentence per service."""
    return remembered("why_host", (table_key, import_key), tr("Prøver andre verter …", "Trying other hosts …"),
                      lambda step: why_host(result.model, result.plan, progress=step), len(result.members))


def lock_price(table_key: str, import_key: str, each: bool, result: ScenarioResult) -> LockCosts | None:
    """The locks' cost against the free optimum (and each lock's own cost)."""
    return remembered("locks", (table_key, import_key, each), tr("Regner ut låsingene …", "Pricing the locks …"),
                      lambda step: lock_costs(result.model, result.plan, each=each, progress=step), len(result.members))


def asked(key: str, label: str, remembered: tuple, auto: bool = False) -> bool:
    """Whether to show an analysis: ``auto``, its button clicked, or already shown for this table."""
    if auto or st.button(label, key=key) or st.session_state.get(f"{key}_shown") == remembered:
        st.session_state[f"{key}_shown"] = remembered
        return True
    return False


def show_why_host(result: ScenarioResult, table_key: str, import_key: str) -> None:
    """ "Why this host": one sentence per service, the alternatives on request, and the locks' cost."""
    st.subheader(tr("Hvorfor denne verten?", "Why this host?"))
    small = len(result.members) < views_decisions.WHY_HOST_AUTOMATIC_BELOW
    if asked("why_go", tr("Forklar vertsvalgene", "Explain the host choices"), (table_key, import_key), auto=small):
        explained = host_reasons(table_key, import_key, result) or []
        for sentence in views_decisions.why_host_sentences(explained):
            st.markdown("- " + views.plain(sentence))
        with st.expander(tr("Alle andre verter: merkostnad og hvem som betaler", "Every other host: extra cost and who pays")):
            show_table(views_decisions.why_host_rows(result, explained))
            note = views_decisions.why_host_note(explained)
            if note:
                st.caption(note)
    costs = lock_price(table_key, import_key, False, result)
    if costs is not None and costs.groups:
        st.info(views_decisions.lock_text(result, costs))
        if asked("locks_go", tr("Vis hver låsings egen kostnad", "Show each lock's own cost"), (table_key, import_key)):
            each = lock_price(table_key, import_key, True, result)
            if each is not None:
                show_table(views_decisions.lock_rows(result, each))


def show_jobs(result: ScenarioResult) -> None:
    """Jobs before and after, per member (and per service on request)."""
    st.subheader(tr("Arbeidsplasser: alene og i samarbeidet", "Jobs: alone and in the cooperation"))
    st.markdown(views.plain(views_decisions.jobs_text(result)))
    show_table(views_decisions.jobs_rows(result))
    with st.expander(tr("Per tjeneste", "Per service")):
        show_table(views_decisions.jobs_service_rows(result))


def translated_choice(widget, label: str, options: Sequence[str], default: str, key: str,
                      format_func: Callable[[str], str]) -> str:
    """A radio or selectbox whose option labels follow the language, keeping its value across a switch.

    Streamlit remembers a choice by its label, so each language gets its own widget key and the
    new one starts from the value chosen under the other language.
    """
    own = f"{key}@{language}"
    for other in LANGUAGES:
        previous = f"{key}@{other}"
        if other != language and previous in st.session_state:
            if own not in st.session_state:
                default = st.session_state[previous]
            del st.session_state[previous]
    return widget(label, options, index=list(options).index(default), key=own, format_func=format_func)


def on_script_error(exc: Exception) -> bool:
    """An error outside every ``guard``: the same incident message instead of Streamlit's own."""
    st.error(incident_message(log_incident(exc, server=True)))
    return True  # Streamlit shows nothing more (client.showErrorDetails = "none" is the fallback)


def handle_script_errors() -> None:
    """Route this run's uncaught errors to ``on_script_error`` (Streamlit's per-session hook)."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
    except ImportError:  # another Streamlit version: the config's generic message still applies
        return
    ctx = get_script_run_ctx()
    if ctx is not None and hasattr(ctx, "on_script_error"):
        ctx.on_script_error = on_script_error


# --- page ----------------------------------------------------------------------------------------

handle_script_errors()

st.set_page_config(page_title="Vertskommune", page_icon="🏛️", layout="wide")
language = st.sidebar.radio("Språk / Language", ("nb", "en"), format_func={"nb": "Norsk bokmål", "en": "English"}.get,
                            horizontal=True)
set_language(language)
projector = st.sidebar.toggle(tr("Stor skrift (projektor)", "Large text (projector)"), key="projector")
members_box = st.sidebar.container()  # filled below, once the starting point is known: first in keyboard order
st.markdown((PROJECTOR_CSS if projector else METRIC_CSS) + CONTRAST_CSS, unsafe_allow_html=True)
st.html(f"<script>parent.document.documentElement.lang = '{language}';</script>", unsafe_allow_javascript=True)
font = 24 if projector else 13  # chart and map text, px: readable from the back of a room in projector mode

# Starting point: a shipped scenario or an uploaded file.
st.sidebar.header(tr("Utgangspunkt", "Starting point"))
origin = translated_choice(st.sidebar.radio, tr("Scenario fra", "Scenario from"), ("shipped", "upload"), "shipped",
                           "origin", lambda o: tr("medfølgende filer", "shipped files") if o == "shipped"
                           else tr("egen fil (TOML)", "own file (TOML)"))
if origin == "shipped":
    files = sorted(SCENARIOS.glob("*.toml"))
    chosen = st.sidebar.selectbox(tr("Scenario", "Scenario"), files, format_func=lambda p: scenario_label(p.stem),
                                  index=[p.stem for p in files].index("baseline"), key="shipped")
    base_id, base_source = chosen.stem, str(chosen)
    try:
        base_table, base_origins = read_scenario_file(chosen)
    except UserInputError as exc:
        st.error(str(exc))
        st.stop()
else:
    upload = st.sidebar.file_uploader(tr("Last opp scenariofil", "Upload a scenario file"), type=["toml"],
                                      key="upload", help=tr("Høyst 1 MB. Filen leses, den kjøres aldri.",
                                                            "At most 1 MB. The file is read, never executed."))
    if upload is None:
        st.info(tr("Velg en scenariofil (TOML) i sidefeltet.", "Choose a scenario file (TOML) in the sidebar."))
        st.stop()
    raw = upload.getvalue()
    base_id = Path(upload.name).stem
    base_source = upload.name
    try:
        base_table, base_origins = read_upload(upload.name, raw, SCENARIOS)
    except UserInputError as exc:
        st.error(tr("Filen kan ikke brukes: ", "The file cannot be used: ") + str(exc))
        st.stop()

st.sidebar.header(tr("Data", "Data"))
uploads = st.sidebar.file_uploader(
    tr("SSB-filer (JSON-stat eller CSV fra Statistikkbanken)", "SSB files (JSON-stat or StatBank CSV)"),
    type=["json", "csv"], accept_multiple_files=True, key="ssb_upload",
    help=tr("F.eks. tabell 12362, 12058, 07459, 12279. Uten filer brukes de innebygde dataene.",
            "E.g. tables 12362, 12058, 07459, 12279. Without files the embedded data is used."))
imported_result: ImportResult | None = None
imported: ImportedData | None = None
imported_zip = b""
import_key = ""
if uploads:
    files_in = tuple((f.name, f.getvalue()) for f in uploads)
    upload_key = upload_key(files_in)
    try:
        imported_result, imported, imported_zip = ssb_import(upload_key, files_in)
    except UserInputError as exc:
        st.sidebar.error(tr("Importen feilet: ", "Import failed: ") + str(exc))
    else:
        if st.sidebar.toggle(tr("Bruk importerte data", "Use the imported data"), value=True, key="use_ssb"):
            import_key = upload_key
        else:
            imported_result, imported, imported_zip = None, None, b""

try:
    base = resolve(base_table, scenario_id=base_id, source=base_source, imported=imported)
except UserInputError as exc:
    st.error(tr("Filen kan ikke brukes: ", "The file cannot be used: ") + str(exc))
    st.stop()

# Widget keys carry the starting point, so a new starting point starts from its own values.
ns = hashlib.sha1((canonical_json(base_table) + import_key).encode()).hexdigest()[:10]
start = settings_of(base)
municipalities = data.municipalities()
catalogue = data.catalogue()

members_box.header(tr("Medlemmer", "Members"))
members = []
for number, muni in municipalities.items():
    if muni.role == data.ROLE_FOUNDING:
        if members_box.checkbox(f"{number} {muni.name}", value=number in start.members, key=f"{ns}:m:{number}"):
            members.append(number)
members_box.caption(tr("Randkommuner – ett klikk for å bli med:", "Border municipalities – one click to join:"))
for number, muni in municipalities.items():
    if muni.role != data.ROLE_FOUNDING:
        if members_box.toggle(tr(f"{muni.name} blir med", f"{muni.name} joins"), value=number in start.members,
                              key=f"{ns}:m:{number}", help=f"{number} {muni.official_name}, "
                              f"{format_nok(muni.population, unit=False)} " + tr("innbyggere", "inhabitants")):
            members.append(number)

st.sidebar.header(tr("Tjenester", "Services"))
enabled, params = {}, {}
locked, banned = {}, {}  # per service: hosts locked / excluded ("vert låst til", "ikke vert")
for sid, service in catalogue.services.items():
    on = st.sidebar.checkbox(service.name(language), value=start.services_enabled.get(sid, False),
                             key=f"{ns}:s:{sid}", disabled=not service.enabled,
                             help=tr(service.disabled_reason_nb, service.disabled_reason_en) or None)
    enabled[sid] = on
    if not on:
        continue
    with st.sidebar.expander(tr(f"Parametere: {service.name(language)}", f"Parameters: {service.name(language)}")):
        for param in EDITABLE_PARAMS:
            current = start.params.get((sid, param))
            if current is None:
                continue
            step = 10_000.0 if param == "cost_per_fte" else 0.5 if param == "min_fte" else 10.0
            estimate = service.params[param].is_estimate if param in service.params else False
            params[(sid, param)] = st.number_input(
                views.label(views.PARAM_LABELS[param]) + (f" {views.ESTIMATE_MARK}" if estimate else ""),
                min_value=PARAM_LIMITS[param][0], max_value=PARAM_LIMITS[param][1], value=float(current), step=step,
                key=f"{ns}:p:{sid}:{param}",
                help=tr("* = anslag, ikke kildebelagt", "* = estimate, not sourced") if estimate else None)
        start_locks = start.host_locks or HostLocks()
        member_name = {m: f"{m} {municipalities[m].name}" for m in members}
        locked[sid] = tuple(st.multiselect(
            tr("Vert låst til", "Host locked to"), members, key=f"{ns}:lock:{sid}", format_func=member_name.get,
            default=[m for m in start_locks.hosts("required_hosts", sid) if m in members]))
        banned[sid] = tuple(st.multiselect(
            tr("Ikke vert", "Not host"), members, key=f"{ns}:ban:{sid}", format_func=member_name.get,
            default=[m for m in start_locks.hosts("forbidden_hosts", sid) if m in members]))

st.sidebar.header(tr("Rettferdighet", "Fairness"))
fair = dict(start.fairness)
fair["enabled"] = st.sidebar.toggle(tr("Rettferdighetsregler på", "Fairness rules on"), value=fair["enabled"],
                                    key=f"{ns}:f:enabled")
if fair["enabled"]:
    fair["individual_rationality"] = st.sidebar.checkbox(
        tr("Ingen betaler mer enn alene", "Nobody pays more than alone"),
        value=fair["individual_rationality"], key=f"{ns}:f:ir")
    fair["min_saving_percent"] = st.sidebar.number_input(
        tr("Minste besparelse per medlem (%)", "Minimum saving per member (%)"), *widget_range("fairness.min_saving_percent"),
        float(fair["min_saving_percent"]), 1.0, key=f"{ns}:f:saving")
    fair["min_shared_units_hosted"] = int(st.sidebar.number_input(
        tr("Delte enheter hver stifter skal være vert for", "Shared units each founding member hosts"),
        0, max(len(catalogue.services), int(fair["min_shared_units_hosted"])), int(fair["min_shared_units_hosted"]), 1,
        key=f"{ns}:f:units"))
    use_band = st.sidebar.checkbox(tr("Arbeidsplasser fordelt etter folketall", "Jobs spread by population"),
                                   value=fair["fte_band"] is not None, key=f"{ns}:f:useband")
    fair["fte_band"] = st.sidebar.slider(
        tr("Tillatt avvik fra folketallsandel", "Allowed deviation from population share"), *widget_range("fairness.fte_band"),
        float(fair["fte_band"] if fair["fte_band"] is not None else 0.15), 0.05, key=f"{ns}:f:band",
    ) if use_band else None
    use_loss = st.sidebar.checkbox(tr("Grense for tapte årsverk per kommune", "Limit on FTE a member may lose"),
                                   value=fair.get("max_fte_loss") is not None, key=f"{ns}:f:useloss")
    fair["max_fte_loss"] = st.sidebar.number_input(
        tr("Høyst tapte årsverk mot å drive alene", "At most FTE lost against running alone"), 0.0, 10_000.0,
        float(fair.get("max_fte_loss") or 10.0), 0.5, key=f"{ns}:f:loss",
    ) if use_loss else None

st.sidebar.header(tr("Kostnadsfordeling", "Cost sharing"))
method = translated_choice(st.sidebar.selectbox, tr("Oppgjørsmodell", "Settlement method"), SETTLEMENT_METHODS,
                           start.settlement_method, f"{ns}:settlement", views.method_label)
cost_key = translated_choice(st.sidebar.selectbox, tr("Kostnadsnøkkel for felles enheter", "Cost key for shared units"),
                             COST_KEYS, start.cost_key_method, f"{ns}:costkey", views.cost_key_label)
fixed_share = start.fixed_share
if cost_key == "fixed_plus_per_capita" or method == "fixed_plus_per_capita":
    fixed_share = st.sidebar.slider(tr("Fast del", "Fixed part"), *widget_range("cost_key.fixed_share"),
                                    float(start.fixed_share), 0.05,
                                    key=f"{ns}:fixed")

@st.dialog(tr("Tilgjengelighetserklæring", "Accessibility statement"), width="large")
def accessibility() -> None:
    """The accessibility statement as a page of its own over the app."""
    st.markdown(accessibility_statement())


if st.sidebar.button(tr("Tilgjengelighetserklæring", "Accessibility statement"), key="a11y_statement"):
    accessibility()

st.sidebar.header(tr("Avtale", "Agreement"))
ir_reference = translated_choice(
    st.sidebar.radio, tr("«Ingen betaler mer enn alene» måles mot", "“Nobody pays more than alone” is measured against"),
    IR_REFERENCES, base.fairness.ir_reference, f"{ns}:irref",
    lambda r: tr("i dag", "today") if r == "today" else tr("robust alene", "robust alone"))
today_upload = st.sidebar.file_uploader(
    tr("Kostnad i dag (utfylt mal, CSV)", "Cost today (filled-in template, CSV)"), type=["csv"], key=f"{ns}:today",
    help=tr("Malen lastes ned under «Avtale og budsjett».", "Download the template under “Agreement and budget”."))
entered_today = None
if today_upload is not None:
    try:
        entered_today = read_today_csv(today_upload.getvalue(), today_upload.name, base)
    except UserInputError as exc:
        st.sidebar.error(str(exc))

settings = Settings(tuple(members), enabled, params, fair, cost_key, fixed_share, method,
                    HostLocks({k: v for k, v in locked.items() if v}, {k: v for k, v in banned.items() if v}))
if (slow := views.size_warning(len(members))):
    st.sidebar.warning(slow)
try:
    table, scenario = apply(base_table, base, settings, scenario_id=base_id, imported=imported)
    table = views_agreement.with_agreement_inputs(table, ir_reference, entered_today)
    edits = change_phrases(base_table, table, base, scenario)
    if edits:  # the title, the reports and the file names say what is shown
        table = {**table, "name": edited_title(base_id, base.title, edits)}
    table_key = canonical_json(table)  # the cache key of everything computed from this table
    origins = edit_origins(base_origins, changed_keys(overlay(base, settings)), scenario.source)
    with st.spinner(tr("Regner ut …", "Calculating …")):
        scenario, result, statement = evaluate(table_key, base_id, scenario.source, import_key, imported,
                                               canonical_json(origins))
        agreement_spec(scenario)  # the agreement tab and the reports' budget: a bad [agreement] table is this file's error
except UserInputError as exc:
    st.error(str(exc))
    st.stop()
except InfeasibleError as exc:
    st.error(explain_infeasible(exc, scenario))
    st.stop()
except SolverLimitError:
    st.error(views.no_plan_in_time(len(settings.members)))
    st.stop()
except Exception as exc:  # noqa: BLE001 - never a traceback on the page; the server log has it
    st.error(incident_message(log_incident(exc, server=True)))
    st.stop()

# --- answer --------------------------------------------------------------------------------------

st.title(views.plain(scenario.title))
if scenario.description:
    st.caption(views.plain(scenario.description))
if edits:
    st.caption("✎ " + tr(f"Endret fra «{scenario_label(base_id, base.title)}»: ",
                         f"Changed from “{scenario_label(base_id, base.title)}”: ") + ", ".join(edits))
for column, (name, value) in zip(st.columns(3), views.key_figures(result).items()):
    column.metric(name, value, help=term_help(name))

note = views.solver_note(result)
if note:
    st.warning(note)

tab_result, tab_start, tab_settle, tab_risk, tab_compare, tab_join, tab_inputs, tab_download, tab_agree = st.tabs([
    tr("Resultat", "Result"), tr("Start", "Start") if projector else tr("Hvor starter vi?", "Where do we start?"),
    tr("Oppgjør", "Settlement"),
    tr("Usikkerhet", "Uncertainty") if projector else tr("Usikkerhet og alternativer", "Uncertainty and alternatives"),
    tr("A/B", "A/B") if projector else tr("Sammenlign A/B", "Compare A/B"), tr("Randkommuner", "Border municipalities"),
    tr("Inndata", "Inputs"), tr("Last ned", "Download"),
    tr("Avtale", "Agreement") if projector else tr("Avtale og budsjett", "Agreement and budget"),
], key=f"page@{language}@{projector}")  # stays on the tab the user was on when a setting changes; short
# labels in projector mode, so that every tab shows at 1280 px

with tab_result, guard():
    st.subheader(tr("Kart: vert og hvem som betjenes herfra", "Map: host and who is served from where"))
    roles = geo.role_names()
    role_order = [roles[r] for r in geo.ROLE_COLOURS]
    shapes = alt.Chart().mark_geoshape(strokeWidth=0.8).encode(
        color=alt.Color("role:N", title=tr("Rolle", "Role"), sort=role_order,
                        scale=alt.Scale(domain=role_order, range=list(geo.ROLE_COLOURS.values())),
                        legend=alt.Legend(orient="top", labelFontSize=font, titleFontSize=font, labelColor="#111111",
                                          titleColor="#111111", symbolType="square", symbolSize=20 * font,
                                          symbolStrokeColor="#333333", symbolStrokeWidth=1, symbolOpacity=1)),
        stroke=alt.condition("datum.member", alt.value("#333333"), alt.value("#B0B0B0")),
        tooltip=[alt.Tooltip("name:N", title=tr("Kommune", "Municipality")), alt.Tooltip("role:N", title=tr("Rolle", "Role"))],
    ).transform_lookup(lookup="number", from_=alt.LookupData(alt.NamedData(name="outlines"), "number",
                                                             ["type", "geometry"]))  # one copy: the concat's datasets
    names = alt.Chart().mark_text(fontSize=font if projector else 11, fontWeight="bold").encode(
        longitude="label_lon:Q", latitude="label_lat:Q", text="label:N",
        color=alt.condition("datum.member", alt.value("#111111"), alt.value("#595959")))
    roles_rows = pd.DataFrame(views.map_roles(result))
    services = list(roles_rows["service"].unique())
    if projector:  # one large map at a time
        services = [st.radio(tr("Tjeneste på kartet", "Service on the map"), services, horizontal=True, key="map_service")]
    panels = [
        alt.layer(shapes, names, data=roles_rows[roles_rows["service"] == service])
        .project("mercator")
        .properties(width=820 if projector else 250, height=520 if projector else 190,
                    title=alt.TitleParams(service, fontSize=font + 2, color="#111111", anchor="start"))
        for service in services
    ]
    st.altair_chart(alt.concat(*panels, columns=3).properties(  # the outlines once, not copied into every panel
        datasets={"outlines": views.outline_features()}), width="content", alt=views.map_text(result))
    st.caption(views.map_text(result))
    st.caption(tr(f"Kart: {geo.CREDIT}. Kommunegrenser uten bakgrunnskart (virker uten internett).",
                  f"Map: {geo.CREDIT}. Municipal outlines, no background tiles (works offline)."))

    st.subheader(tr("Vertskommuner", "Host municipalities"))
    show_table(views.host_rows(result))
    show_why_host(result, table_key, import_key)
    st.subheader(tr("Kostnad per medlem: alene og i samarbeidet", "Cost per member: alone and in the cooperation"))
    chart_rows = pd.DataFrame(views.cost_chart_rows(result))
    colours = views.member_colours(result)
    bars = alt.Chart(chart_rows).encode(
        x=alt.X("nok:Q", title=tr("millioner kr per år", "million NOK per year"),
                axis=alt.Axis(labelExpr=MILLIONS, labelFontSize=font, titleFontSize=font, labelColor="#111111",
                              titleColor="#111111")),
        y=alt.Y("member:N", title=None, axis=alt.Axis(labelFontSize=font, labelColor="#111111")), yOffset="case:N")
    st.altair_chart(alt.layer(
        bars.mark_bar(stroke="#333333", strokeWidth=0.8).encode(
            color=alt.Color("member:N", scale=alt.Scale(domain=list(colours), range=list(colours.values())),
                            legend=None),
            opacity=alt.Opacity("case:N", scale=alt.Scale(range=[0.35, 1.0]), title=None,
                                legend=alt.Legend(orient="top", labelFontSize=font, labelColor="#111111")),
            tooltip=["member:N", "case:N", alt.Tooltip("label:N", title=tr("Beløp", "Amount"))]),
        bars.mark_text(align="left", dx=4, fontSize=font if projector else 12, color="#111111").encode(text="label:N"),
    ).properties(height=alt.Step(30 if projector else 22)), width="stretch", alt=views.cost_chart_text(result))
    show_table(views.member_rows(result))
    show_jobs(result)

with tab_settle, guard():
    st.subheader(tr("Oppgjørsmodeller side om side", "Settlement methods side by side"))
    warnings = views.core_warnings(statement)
    chosen_ok = statement.chosen.in_core
    if chosen_ok:
        st.success(tr(f"Med valgt modell ({views.method_label(scenario.settlement_method)}) tjener ingen gruppe "
                      "på å gå ut og samarbeide alene.",
                      f"With the chosen method ({views.method_label(scenario.settlement_method)}) no group "
                      "would do better on its own."))
    advice = recommend_for(statement)
    if advice.switch:
        st.info(advice.reason)
        st.button(tr(f"Bytt til {views.method_label(advice.method).lower()}",
                     f"Switch to {views.method_label(advice.method).lower()}"), key="switch_method",
                  on_click=lambda: st.session_state.update({f"{ns}:settlement@{language}": advice.method}))
    for text in warnings:
        st.warning("⚠ " + text)
    show_table(views.settlement_rows(statement))
    st.caption(tr(f"Rettferdighetens pris: {format_nok(result.price_of_fairness)} per år "
                  "(hva reglene om arbeidsplasser og at ingen skal tape, koster samlet).",
                  f"Price of fairness: {format_nok(result.price_of_fairness)} per year "
                  "(what the rules on jobs and on nobody losing cost in total)."))
    with st.expander(tr("Ordliste", "Glossary")):
        for term in glossary():
            st.markdown(f"**{term.term}**: {term.text}")

with tab_risk, guard():
    sim = None
    try:
        spec = uncertainty_spec(scenario)
    except UserInputError as exc:
        st.error(str(exc))
    else:  # small simulations run with every change, large ones on a click (bounds: app.automatic_path_years)
        automatic = spec.paths * spec.years <= bound("app.automatic_path_years").high
        if asked("sim_go", tr(f"Simuler {spec.paths} forløp over {spec.years} år",
                              f"Simulate {spec.paths} paths over {spec.years} years"), (table_key, import_key),
                 auto=automatic):
            with st.spinner(tr("Simulerer …", "Simulating …")):
                sim = simulation(table_key, import_key, result)
    if sim is not None:
        st.caption(tr(f"{format_nok(sim.paths, unit=False)} simulerte forløp over {sim.years} år (frø {sim.seed}: samme "
                      "frø gir samme svar). Forutsetningene om usikkerhet står i scenariofilen og er antakelser.",
                      f"{format_nok(sim.paths, unit=False)} simulated paths over {sim.years} years (seed {sim.seed}: the "
                      "same seed gives the same answer). The uncertainty assumptions are in the scenario file."),
                   help=term_help("frø usikkerhet"))
        for column, (name, value) in zip(st.columns(4), views_simulation.simulation_figures(sim).items()):
            column.metric(name, value, help=term_help(name))
        spread = pd.DataFrame(views_simulation.distribution_rows(sim))
        st.altair_chart(alt.Chart(spread).mark_bar(color=OKABE_ITO[4]).encode(
            x=alt.X("nok_per_year:Q", bin=alt.Bin(maxbins=40),
                    title=tr("samlet kostnad per år, millioner kr", "total cost per year, million NOK"),
                    axis=alt.Axis(labelExpr=MILLIONS_1 if language == "en" else f"replace({MILLIONS_1}, '.', ',')",
                                  labelFontSize=font, titleFontSize=font, labelColor="#111111", titleColor="#111111")),
            y=alt.Y("count():Q", title=tr("antall forløp", "paths"),
                    axis=alt.Axis(labelFontSize=font, titleFontSize=font, labelColor="#111111", titleColor="#111111")),
        ).properties(height=220), width="stretch", alt=views_simulation.distribution_text(sim))
        show_table(views_simulation.cost_spread_rows(sim))
        st.subheader(tr("Bemanning: tid under minste fagmiljø", "Staffing: time below the minimum professional environment"))
        show_table(views_simulation.staffing_rows(sim))
        reach = views_simulation.reach_rows(sim)
        if reach:
            st.subheader(tr("Rekkevidde for tidskritiske tjenester", "Reach of time-critical services"))
            show_table(reach)

    st.subheader(tr("Nesten like gode planer", "Nearly as good plans"))
    k = int(st.number_input(tr("Antall planer", "Number of plans"), 2, 10, 5, key="alt_k"))
    if asked("alt_go", tr("Finn alternativer og rangér dem", "Find alternatives and rank them"),
             (table_key, import_key, k)):
        bar = st.progress(0.0, tr("Løser og simulerer …", "Solving and simulating …"))
        found, ranking = near_optimal(table_key, import_key, k, result,
                                      _progress=lambda done, total: bar.progress(done / max(total, 1)))
        bar.empty()
        show_table(views_simulation.alternative_rows(scenario, found, ranking))
        for sentence in views_simulation.winner_sentences(ranking):
            st.markdown(f"- {sentence}")

with tab_compare, guard():
    if st.button(tr("Behold dette resultatet som A", "Keep this result as A"), key="keep_a"):
        st.session_state["compare_a"] = (table_key, base_id, scenario.source, import_key, imported,
                                         canonical_json(origins))
    kept = st.session_state.get("compare_a")
    if kept is None:
        st.info(tr("Trykk knappen for å holde fast dette resultatet som A. Endre så innstillingene: "
                   "det nye resultatet vises som B ved siden av.",
                   "Press the button to keep this result as A. Then change the settings: the new result "
                   "is shown as B beside it."))
    else:
        _, _, statement_a = evaluate(*kept)
        comparison = views.compare(statement_a, statement)
        st.caption(tr(f"{comparison.moved} tjeneste/kommune-par har fått ny vert; "
                      f"{comparison.changed_shares} medlemmer har endret andel.",
                      f"{comparison.moved} service/member pairs have a new host; "
                      f"{comparison.changed_shares} members have a changed share."))
        st.info(comparison.saving.sentence)
        show_table(comparison.totals)
        moved_col = tr("Flyttet", "Moved")
        hosts = pd.DataFrame(comparison.hosts)
        if not st.checkbox(tr("Vis også tjenester som ikke har flyttet", "Also show services that did not move"),
                           key="compare_all"):
            hosts = hosts[hosts[moved_col] != ""]
        show_table(hosts.style.apply(
            lambda row: ["background-color: #F0E442" if row[moved_col] else "" for _ in row], axis=1))
        show_table(comparison.shares)
        st.subheader(tr("Årsverk hos hver kommune i A og B", "FTE in each member in A and B"))
        show_table(views_decisions.jobs_compare_rows(statement_a.result, result))

with tab_join, guard():
    border = [m for m in municipalities if m not in scenario.members]
    if not border:
        st.info(tr("Alle kommunene i dataene er allerede med.", "Every municipality in the data is already a member."))
    else:
        who = st.selectbox(tr("Hva om denne blir med?", "What if this one joins?"), border,
                           format_func=lambda m: f"{m} {municipalities[m].name}", key="join_who")
        if st.button(tr("Regn ut", "Calculate"), key="join_go"):
            try:
                with st.spinner(tr("Regner ut med og uten …", "Calculating with and without …")):
                    change = newcomer(table_key, base_id, who, import_key, statement, imported)
            except InfeasibleError as exc:
                st.error(explain_infeasible(exc, scenario))
            except SolverLimitError:
                st.error(views.no_plan_in_time(len(scenario.members) + 1))
            else:
                for column, (name, value) in zip(st.columns(2), views.newcomer_figures(change).items()):
                    column.metric(name, value)
                st.info(views.newcomer_text(change))
                st.caption(views.entry_price_text(change))
                show_table(views.newcomer_rows(change))

with tab_inputs, guard():
    rows = views.input_rows(scenario)
    n_estimates = len(scenario.estimates())
    st.info(tr(f"{n_estimates} av inndataene er anslag (merket {views.ESTIMATE_MARK}), ikke kildebelagte tall.",
               f"{n_estimates} of the inputs are estimates (marked {views.ESTIMATE_MARK}), not sourced figures."))
    show_table(rows)
    if imported_result is not None:
        st.subheader(tr("Importert fra SSB", "Imported from SSB"))
        st.text("\n".join(imported_result.report()))
        spending = views.actual_spending_rows(result)
        if spending:
            st.subheader(tr("Faktiske utgifter i dag mot modellen", "Actual spending today against the model"))
            show_table(spending)

with tab_download, guard():
    st.subheader(tr("Rapporter", "Reports"))
    st.caption(tr("Lages når du trykker (lysbildene tar et halvt sekund).",
                  "Made when you click (the slides take half a second)."))
    report_labels = {
        "pptx": tr("Lysbilder (PowerPoint)", "Slides (PowerPoint)"),
        "xlsx": tr("Regneark for økonomi (Excel)", "Workbook for finance staff (Excel)"),
        "html": tr("Oppgjør per kommune (HTML, skriv ut til PDF)", "Statement per member (HTML, print to PDF)"),
    }
    kept = st.session_state.get("compare_a")
    stem = download_stem(scenario.id, scenario.title, bool(edits))
    sets = [("", [statement], [scenario.title if edits else scenario_label(base_id, scenario.title)], stem)]
    if kept is not None:
        scenario_a, _, statement_a = evaluate(*kept)
        ab = ab_labels(scenario_a.title, change_phrases(json.loads(kept[0]), table, scenario_a, scenario))
        sets.append(("ab", [statement_a, statement], ab, file_stem(f"{ab[0]} {ab[1]}")))
    for suffix, statements, labels, name in sets:
        columns = [st.container() for _ in report_labels] if projector else st.columns(len(report_labels))
        for column, (fmt, text) in zip(columns, report_labels.items()):
            column.download_button(
                text + (tr(" – A mot B", " – A against B") if suffix else ""),
                lambda statements=statements, fmt=fmt, labels=labels: report_bytes(statements, fmt, language,
                                                                                   labels=labels),
                file_name=f"{name}.{fmt}", mime=MIME[fmt], key=f"dl_report_{fmt}{suffix}")
    st.subheader(tr("Scenario og tabeller", "Scenario and tables"))
    label = download_label(scenario.title, stem, scenario.id)
    scenario_file = downloaded_table(table, label, scenario.solver.time_limit, imported=imported_result is not None)
    st.download_button(tr("Scenariofil (TOML, kjøres av CLI-en)", "Scenario file (TOML, runs in the CLI)"),
                       to_toml(scenario_file, label), file_name=f"{stem}.toml", mime="application/toml",
                       key="dl_toml")
    if imported_result is not None:
        st.download_button(tr("Importerte data (zip med mappen ssb-import; pakk ut ved siden av scenariofilen)",
                              "Imported data (zip with the folder ssb-import; unpack next to the scenario file)"),
                           imported_zip, file_name="ssb-import.zip", mime="application/zip", key="dl_ssb")
    dialect = "excel-no" if language == "nb" else "pandas"
    st.caption(tr(f"Filene under er de samme som python -m optimizer run {stem}.toml skriver.",
                  f"The files below are the ones python -m optimizer run {stem}.toml writes."))
    for name, payload in download_files(table_key, import_key, dialect, stem, canonical_json(scenario_file),
                                        result, statement).items():
        st.download_button(name, payload, file_name=f"{stem}-{name}", key=f"dl_{name}")

with tab_start, guard():
    st.subheader(tr("Hvor starter vi? Beste plan med høyst N tjenester", "Where do we start? Best plan with at most N services"))
    st.caption(tr("For hvert antall tjenester: den beste planen som samarbeider om høyst så mange, med de samme "
                  "reglene; de andre tjenestene driver hver kommune selv.",
                  "For each number of services: the best plan cooperating on at most that many, under the same "
                  "rules; each member runs the other services itself."))
    small = len(result.members) < views.LARGE_GROUP
    found = start_priorities(table_key, import_key, result) \
        if asked("start_go", tr("Regn ut", "Calculate"), (table_key, import_key), auto=small) else None
    if found is not None:
        headline = views_decisions.priority_headline(result, found)
        if headline:
            st.info(headline)
        show_table(views_decisions.priority_rows(result, found))
        st.subheader(tr("Besparelse per tjeneste i valgt plan", "Saving per service in the adopted plan"))
        show_table(views_decisions.service_saving_rows(result, found))

with tab_agree, guard():
    try:
        agreement = agreement_of(table_key, import_key, statement)
    except UserInputError as exc:
        st.error(str(exc))
        st.stop()
    spec = agreement.budget.spec
    dialect = "excel-no" if language == "nb" else "pandas"
    st.info(why_references_differ())
    st.caption(tr(f"Regelen «ingen betaler mer enn alene» måles {reference_label(scenario.fairness.ir_reference)}. "
                  "Samarbeidsspillet (kjernen, Shapley, nukleolus) bruker alltid modellens kostnader.",
                  f"The rule “nobody pays more than alone” is measured {reference_label(scenario.fairness.ir_reference)}. "
                  "The cooperation game (core, Shapley, nucleolus) always uses the model's costs."))
    st.subheader(tr("Besparelse mot i dag og mot robust alene", "Saving against today and against robust alone"))
    show_table(views_agreement.reference_rows(agreement))
    with st.expander(tr("Kostnad i dag per tjeneste (* = anslag)", "Cost today per service (* = estimate)")):
        show_table(views_agreement.today_rows(agreement))
        st.download_button(tr("Mal for kostnad i dag (CSV; fyll ut today_nok og last opp i sidefeltet)",
                              "Template for today's cost (CSV; fill in today_nok and upload in the sidebar)"),
                           encoded("today.csv", today_template(scenario, agreement.budget.today, dialect), dialect),
                           file_name=f"{scenario.id}-today.csv", mime="text/csv", key="dl_today_template")
    st.subheader(tr(f"Budsjett {spec.calendar[0]}–{spec.calendar[-1]} (faste {spec.base_year}-kroner, mot i dag)",
                    f"Budget {spec.calendar[0]}–{spec.calendar[-1]} (fixed {spec.base_year} NOK, against today)"))
    show_table(views_agreement.payback_rows(agreement))
    show_table(views_agreement.budget_rows(agreement))
    st.subheader(tr("Innbetaling à konto (løpende kroner)", "Payments on account (nominal NOK)"))
    show_table(views_agreement.payment_rows(agreement))
    columns = st.columns(3)
    columns[0].download_button(
        tr("Avtalevedlegg (Word, utkast)", "Agreement annex (Word, draft)"),
        lambda: annex_bytes(build_agreement(statement)), file_name=f"{scenario.id}-vedlegg-okonomi.docx",
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document", key="dl_annex")
    columns[1].download_button("budget.csv", encoded("budget.csv", csv_text(agreement.budget.rows(), dialect), dialect),
                               file_name=f"{scenario.id}-budget.csv", mime="text/csv", key="dl_budget")
    payments_csv = csv_text(payment_rows(agreement.budget), dialect)
    columns[2].download_button("payments.csv", encoded("payments.csv", payments_csv, dialect),
                               file_name=f"{scenario.id}-payments.csv", mime="text/csv", key="dl_payments")
    st.subheader(tr("Årsavregning", "Year-end settlement"))
    year = st.selectbox(tr("År", "Year"), spec.calendar, key="settle_year")
    st.download_button(tr(f"Mal for vertskommunens regnskap {year} (CSV)", f"Template for the host's accounts {year} (CSV)"),
                       encoded("actuals.csv", actuals_template(agreement.budget, year, dialect), dialect),
                       file_name=f"{scenario.id}-actuals-{year}.csv", mime="text/csv", key="dl_actuals_template")
    actuals_upload = st.file_uploader(tr("Last opp utfylt regnskapsmal", "Upload the filled-in accounts template"),
                                      type=["csv"], key="actuals_upload")
    if actuals_upload is not None:
        try:
            actuals = read_actuals(actuals_upload.getvalue(), actuals_upload.name, agreement.budget)
        except UserInputError as exc:
            st.error(str(exc))
        else:
            settled = true_up_rows(agreement.budget, actuals)
            show_table(views_agreement.true_up_rows(settled, agreement))
            st.download_button(tr(f"Årsavregning {actuals.year} (CSV)", f"Year-end settlement {actuals.year} (CSV)"),
                               encoded("settlement.csv", csv_text(settled, dialect), dialect),
                               file_name=f"{scenario.id}-settlement-{actuals.year}.csv", mime="text/csv",
                               key="dl_settlement")
