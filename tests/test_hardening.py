"""Issue 12, cases 3, 5, 6 and 7: answers instead of crashes, bounded work, importer range checks.

Every case is given as the issue reproduces it; each asserts the exit code, that the message names
the file and key (or line and column), that no traceback is printed, and what was (not) written.
"""

from __future__ import annotations

import json
import os
import time
import unicodedata
from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.explain import describe_rule
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"
SSB = ROOT / "tests" / "data" / "ssb"


def extends(body: str) -> str:
    return f'extends = "{BASELINE.as_posix()}"\n{body}'


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "Traceback" not in text
    return code, text


# --- case 3: infeasible with a service without a travel limit -----------------------------------

INFEASIBLE = {
    "forbidden": '[services.ict]\nforbidden_hosts = ["5620", "5622", "5624", "5626"]\n',
    "capacity": '[services.child_welfare]\ncapacity_fte = {"5620" = 0, "5622" = 0, "5624" = 0, "5626" = 0}\n',
}


@pytest.mark.parametrize("case", INFEASIBLE)
def test_infeasible_rules_of_a_service_without_travel_limit_are_explained_and_the_batch_goes_on(
        tmp_path, write_scenario, capsys, case):
    bad = write_scenario(case, extends(INFEASIBLE[case]))
    assert load_scenario(bad).service("ict").value("max_travel_minutes") is None  # the trigger
    code, text = run_cli(capsys, "run", str(bad), str(ROOT / "scenarios" / "no_fairness.toml"),
                         "--out", str(tmp_path / "out"))
    assert code == 3
    assert "ingen plan oppfyller" in text and "Løs opp" in text
    assert (tmp_path / "out" / "no_fairness" / "summary.json").is_file()  # the batch went on


def test_describe_rule_for_a_travel_limit_that_is_not_set(write_scenario):
    scenario = load_scenario(write_scenario("s", extends("")))
    assert describe_rule("services.ict.max_travel_minutes", scenario).endswith(
        "reisetid til verten (services.ict.max_travel_minutes)")
    assert describe_rule("services.nope.max_units", scenario) == "services.nope.max_units"


def test_report_of_an_infeasible_and_a_good_scenario_writes_the_good_one(tmp_path, write_scenario, capsys):
    bad = write_scenario("forbidden", extends(INFEASIBLE["forbidden"]))
    code, text = run_cli(capsys, "report", str(bad), str(BASELINE), "--format", "html", "--out", str(tmp_path))
    assert code == 3 and "UMULIG" in text
    assert (tmp_path / "baseline.html").is_file()


# --- case 5: tracebacks for user mistakes -------------------------------------------------------

def test_deep_dotted_keys_are_a_located_error(tmp_path, capsys):
    path = tmp_path / "deep.toml"
    path.write_text(BASELINE.read_text(encoding="utf-8") + "\n" + "x." * 5000 + "y = 1\n", encoding="utf-8")
    code, text = run_cli(capsys, "validate", str(path))
    assert code == 2 and "deep.toml" in text and "nestet dypere enn" in text


def test_a_table_in_travel_links_is_a_located_error(write_scenario, capsys):
    path = write_scenario("links", extends("[travel]\nlinks = [{a = 1}]\n"))
    code, text = run_cli(capsys, "validate", str(path))
    assert code == 2 and "travel.links[0]" in text


def test_leave_on_a_one_member_scenario(write_scenario, capsys):
    path = write_scenario("one", 'members = ["5620"]\n')
    code, text = run_cli(capsys, "leave", str(path), "5620")
    assert code == 2 and "one.toml: members" in text and "eneste medlem" in text


def test_a_date_in_uncertainty_is_kept_as_text_by_run_and_named_by_validate(tmp_path, write_scenario, capsys):
    path = write_scenario("dated", extends("[uncertainty.closures]\nmonths = [2027-01-01]\n"))
    code, text = run_cli(capsys, "validate", str(path))
    assert code == 2 and "dated.toml: uncertainty.closures.months[0]" in text
    code, _ = run_cli(capsys, "run", str(path), "--out", str(tmp_path))  # run does not read [uncertainty]
    assert code == 0
    summary = json.loads((tmp_path / "dated" / "summary.json").read_text(encoding="utf-8"))
    assert summary["scenario"]["as_written"]["uncertainty"]["closures"]["months"] == ["2027-01-01"]


def test_a_statbank_value_of_310_digits(tmp_path, capsys):
    path = tmp_path / "big.csv"
    path.write_text('"region";"år";"Personer"\n"5620 Nordkapp";"2024";' + "9" * 310 + "\n", encoding="utf-8")
    code, text = run_cli(capsys, "import", str(path), "--out", str(tmp_path / "region"))
    assert code == 2 and "big.csv: linje 2" in text and "'Personer'" in text
    assert not (tmp_path / "region").exists()


def test_import_into_a_folder_that_cannot_be_written(tmp_path, capsys, monkeypatch):
    import errno

    def full(path, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(os, "mkdir", full)
    code, text = run_cli(capsys, "import", str(SSB / "12058_midt_finnmark_2024.csv"), "--out", str(tmp_path / "r"))
    monkeypatch.undo()
    assert code == 2 and str(tmp_path / "r") in text and os.strerror(errno.ENOSPC) in text


def test_a_decomposed_name_is_normalised_and_accepted(write_scenario, capsys):
    name = unicodedata.normalize("NFD", "Måsøy")
    assert name != "Måsøy"
    path = write_scenario("nfd", f'members = ["5620", "5622", "5624", "5626", "{name}"]\n')
    assert "5618" in load_scenario(path).members
    assert run_cli(capsys, "validate", str(path))[0] == 0


def test_a_byte_order_mark_is_skipped(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASELINE.read_bytes())
    assert run_cli(capsys, "validate", str(path))[0] == 0


@pytest.mark.parametrize("payload, kind", [
    (b"PK\x03\x04" + b"\x00" * 40, "zip-arkiv"),
    (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "gzip-arkiv"),
    ('"region";"år";"Personer"\n'.encode("utf-16"), "UTF-16-tekst"),
])
def test_archives_and_utf16_say_what_the_file_is(tmp_path, capsys, payload, kind):
    path = tmp_path / "download.csv"
    path.write_bytes(payload)
    code, text = run_cli(capsys, "import", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and "download.csv" in text and kind in text
    scenario = tmp_path / "s.toml"
    scenario.write_bytes(payload)
    code, text = run_cli(capsys, "validate", str(scenario))
    assert code == 2 and "s.toml" in text and kind in text


# --- case 6: unbounded work ---------------------------------------------------------------------

@pytest.mark.parametrize("body, key", [
    ("[municipalities.5620]\npopulation = 9223372036854775807\n", "municipalities.5620.population"),
    ("[municipalities.5620]\npopulation = 1_000_000_000_000_000\n", "municipalities.5620.population"),
    ("[services.ict]\nmax_units = 1000000000\n", "services.ict.max_units"),
    ("[uncertainty]\nyears = 30\npaths = 1000000\n", "uncertainty.paths"),
    ("[solver]\nthreads = 100000\n", "solver.threads"),
    ("[solver]\ntime_limit = 1e9\n", "solver.time_limit"),
])
def test_numbers_beyond_their_plausible_range_are_refused_fast(write_scenario, capsys, body, key):
    path = write_scenario("big", extends(body))
    start = time.perf_counter()
    code, text = run_cli(capsys, "validate", str(path))
    assert code == 2 and f"big.toml: {key}" in text
    assert time.perf_counter() - start < 3


def test_max_units_above_the_members_is_no_limit(write_scenario):
    path = write_scenario("five", extends("[services.ict]\nmax_units = 5\n"))
    assert load_scenario(path).service("ict").max_units == 4  # one unit per member at most


def test_sweep_and_alternatives_are_bounded(tmp_path, capsys):
    code, text = run_cli(capsys, "sweep", str(BASELINE), "--vary", "services.ict.max_units=1000000000",
                         "--out", str(tmp_path))
    assert code == 2 and "services.ict.max_units" in text
    values = ",".join(str(0.0001 * i) for i in range(1001))
    code, text = run_cli(capsys, "sweep", str(BASELINE), "--vary", f"cost_key.fixed_share={values}", "--out", str(tmp_path))
    assert code == 2 and "--vary" in text and "1001 punkter" in text
    code, text = run_cli(capsys, "alternatives", str(BASELINE), "-k", "100000", "--out", str(tmp_path))
    assert code == 2 and "-k" in text
    code, text = run_cli(capsys, "simulate", str(BASELINE), "--paths", "1000000", "--years", "30", "--out", str(tmp_path))
    assert code == 2 and "--paths" in text
    assert list(tmp_path.iterdir()) == []


def test_a_small_jsonstat_file_declaring_millions_of_cells_is_refused_fast(tmp_path, capsys):
    n = 2236
    doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [n, n],
           "role": {"geo": ["Region"], "time": ["Tid"]},
           "dimension": {"Region": {"category": {"index": [str(i) for i in range(n)]}},
                         "Tid": {"category": {"index": [str(1000 + i) for i in range(n)]}}},
           "value": {}, "status": ":"}
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    start = time.perf_counter()
    code, text = run_cli(capsys, "import", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and "big.json: size" in text
    assert time.perf_counter() - start < 5
    assert not (tmp_path / "r").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_devices_and_pipes_are_not_read(tmp_path, capsys):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    for argv in (["validate", str(fifo)], ["import", str(fifo), "--out", str(tmp_path / "r")],
                 ["validate", "/dev/zero"], ["import", "/dev/zero", "--out", str(tmp_path / "r")]):
        code, text = run_cli(capsys, *argv)
        assert code == 2 and "ikke en vanlig fil" in text


# --- case 7: impossible values at import --------------------------------------------------------

def _population_csv(value: str) -> str:
    rows = "".join(f'"{m}";"Alle aldre";{value}\n' for m in ("5620 Nordkapp", "5622 Porsanger", "5624 Lebesby"))
    return '"07459: Befolkning, etter region, alder, statistikkvariabel og år"\n\n"region";"alder";"Personer 2024"\n' + rows


@pytest.mark.parametrize("value, where", [
    ("1000000000000000", "linje 4"),  # 1e15: above any SSB figure, found while parsing
    ("1" + "0" * 300, "linje 4"),
    ("9" * 400, "linje 4"),  # would read as inf
    ("-1", "linje 4, kolonne 3, region 5620, 2024"),  # impossible population, found per figure
    ("0", "linje 4, kolonne 3, region 5620, 2024"),
    ("6000000", "linje 4, kolonne 3, region 5620, 2024"),  # more people than Norway
])
def test_impossible_populations_are_refused_at_import(tmp_path, capsys, value, where):
    path = tmp_path / "07459.csv"
    path.write_text(_population_csv(value), encoding="utf-8")
    code, text = run_cli(capsys, "import", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and f"07459.csv: {where}" in text
    assert not (tmp_path / "r").exists()


def test_an_impossible_fte_per_1000_is_refused_at_import(tmp_path, capsys):
    text = (SSB / "12058_midt_finnmark_2024.csv").read_bytes().decode("utf-8-sig")
    path = tmp_path / "12058.csv"
    assert ";0,34\r\n" in text
    path.write_text(text.replace(";0,34\r\n", ";1000000\r\n", 1), encoding="utf-8")
    code, out = run_cli(capsys, "import", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and "12058.csv: linje 4–6, kolonne 4, region 5620, 2024" in out and "FTE per 1000" in out


def test_an_impossible_jsonstat_population_names_its_place_in_value(tmp_path, capsys):
    doc = json.loads((SSB / "07459_midt_finnmark_2024_2025.jsonstat2.json").read_text(encoding="utf-8"))
    doc["value"] = [None if v is None else -5 for v in doc["value"]]
    path = tmp_path / "07459.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, text = run_cli(capsys, "import", str(path), "--out", str(tmp_path / "r"))
    assert code == 2 and "07459.json: value[0]" in text and "region 5620" in text and "population = " in text


def test_an_internal_error_is_one_line_with_an_incident_id_in_the_log(tmp_path, capsys, monkeypatch):
    from optimizer import batch, incidents

    log = tmp_path / "incidents.log"
    monkeypatch.setattr(incidents, "INCIDENT_LOG", log)
    monkeypatch.setattr(batch, "INCIDENT_LOG", log)

    def broken(scenario):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr("optimizer.cli.run", broken)
    code, text = run_cli(capsys, "run", str(BASELINE), "--out", str(tmp_path / "out"))
    assert code == 1 and "intern feil ZeroDivisionError (hendelse " in text
    incident = text.split("hendelse ")[1][:8]
    assert f"--- incident {incident}" in log.read_text(encoding="utf-8") and "a bug" in log.read_text(encoding="utf-8")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_in_a_data_folder_is_not_read(tmp_path, write_scenario, capsys):
    from optimizer.ssb.folder import READ_BACK

    folder = tmp_path / "region"
    folder.mkdir()
    os.mkfifo(folder / READ_BACK[0])
    path = write_scenario("with_data", extends('data = "region"\n'))
    code, text = run_cli(capsys, "validate", str(path))
    assert code == 2 and READ_BACK[0] in text and "ikke en vanlig fil" in text
