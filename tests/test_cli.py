"""The command line as an analyst uses it: batch runs, outputs, exit codes, messages."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from optimizer import export, output
from optimizer.cli import main

from conftest import ROOT, SCENARIOS


def test_run_baseline_writes_the_four_files(tmp_path, capsys):
    code = main(["run", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path)])
    assert code == 0
    folder = tmp_path / "baseline"
    assert sorted(p.name for p in folder.iterdir()) == [
        ".vertskommune", "costs.csv", "hosts.csv", "settlement.csv", "summary.json"]  # the marker: a result of `run`
    assert (folder / ".vertskommune").read_text() == "vertskommune run\n"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    totals = summary["totals"]
    assert totals["price_of_fairness_nok"] == pytest.approx(
        totals["total_cost_nok"] - totals["total_without_fairness_nok"])
    assert summary["scenario"]["members"] == ["5620", "5622", "5624", "5626"]
    assert "services.child_welfare.min_fte" in summary["provenance"]["estimates"]
    assert summary["solver"]["with_fairness"]["status"] == "optimal"
    # costs.csv reconciles with the total: what members pay adds up to the plan's cost
    rows = list(csv.DictReader(io.StringIO((folder / "costs.csv").read_text(encoding="utf-8"))))
    assert sum(float(r["cooperation_nok"]) for r in rows) == pytest.approx(totals["total_cost_nok"], abs=1)
    hosts = list(csv.DictReader(io.StringIO((folder / "hosts.csv").read_text(encoding="utf-8"))))
    assert sum(float(r["total_nok"]) for r in hosts) == pytest.approx(totals["total_cost_nok"], abs=1)
    assert "ok" in capsys.readouterr().out


def test_excel_dialect_uses_semicolons_and_decimal_commas(tmp_path):
    assert main(["run", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path), "--csv-dialect", "excel-no"]) == 0
    raw = (tmp_path / "baseline" / "hosts.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM so Excel reads æøå
    header, first = raw.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("scenario;service;host")
    fte = first.split(";")[header.split(";").index("fte")]
    assert "," in fte or fte.isdigit()


def test_batch_goes_on_past_bad_and_infeasible_files(tmp_path, write_scenario, capsys):
    bad = write_scenario("bad", 'members = ["5620", "9999"]')
    infeasible = write_scenario("tight", """
        members = ["5620", "5624"]
        [services.child_welfare_on_call]
        max_travel_minutes = 30
        max_units = 1
    """)
    good = SCENARIOS / "no_fairness.toml"
    code = main(["run", str(bad), str(infeasible), str(good), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 2  # invalid beats infeasible
    assert "bad.toml: members[1]: ukjent kommune '9999'" in captured.err
    assert "services.child_welfare_on_call.max_travel_minutes" in captured.err
    assert "services.child_welfare_on_call.max_units" in captured.err
    assert (tmp_path / "out" / "no_fairness" / "summary.json").exists()
    assert not (tmp_path / "out" / "bad").exists() and not (tmp_path / "out" / "tight").exists()
    assert "2 av 3" not in captured.out and "1 av 3 lyktes" in captured.out
    assert "Traceback" not in captured.err


def test_infeasible_alone_exits_3_in_english(tmp_path, write_scenario, capsys):
    tight = write_scenario("tight", """
        members = ["5620", "5624", "5626"]
        [fairness]
        min_shared_units_hosted = 7
    """)
    assert main(["run", str(tight), "--out", str(tmp_path), "--lang", "en"]) == 3
    assert "no plan meets the rule" in capsys.readouterr().err


def test_validate_and_show(capsys):
    assert main(["validate", *map(str, sorted(SCENARIOS.glob("*.toml")))]) == 0
    assert main(["show", "services"]) == 0
    out = capsys.readouterr().out
    assert "Skatteetaten" in out and "child_welfare" in out
    assert main(["show", "travel"]) == 0


def test_failed_write_leaves_no_half_folder(tmp_path, monkeypatch):
    assert main(["run", str(SCENARIOS / "no_fairness.toml"), "--out", str(tmp_path)]) == 0
    before = (tmp_path / "no_fairness" / "summary.json").read_text(encoding="utf-8")

    def broken(rows, dialect="pandas"):
        raise OSError("disk full")

    monkeypatch.setattr(export, "csv_text", broken)
    assert main(["run", str(SCENARIOS / "no_fairness.toml"), "--out", str(tmp_path)]) == 1
    assert (tmp_path / "no_fairness" / "summary.json").read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["no_fairness"]


def test_write_folder_replaces_atomically(tmp_path):
    output.write_folder(tmp_path / "x", {"a.txt": "1"})
    output.write_folder(tmp_path / "x", {"b.txt": "2"})
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [".vertskommune", "b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["x"]


def test_module_entry_point_runs_as_a_process(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "optimizer", "run", "scenarios/baseline.toml", "--out", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Running HiGHS" not in proc.stdout  # the solver banner is kept out of the user's output


def test_validate_checks_the_uncertainty_table(write_scenario, capsys):
    path = write_scenario("bad_uncertainty", f"""
        extends = "{(SCENARIOS / 'baseline.toml').as_posix()}"
        [uncertainty]
        years = 0
    """)
    assert main(["validate", str(path)]) == 2
    assert "uncertainty.years" in capsys.readouterr().err


def test_csv_writes_a_missing_value_as_an_empty_cell_in_both_dialects():
    rows = [{"a": None, "b": 1.5, "c": True}]
    assert output.csv_text(rows) == "a,b,c\n,1.5,true\n"
    assert output.csv_text(rows, "excel-no") == "a;b;c\n;1,5;true\n"
