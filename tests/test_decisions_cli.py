"""``priorities`` and ``explain`` on the command line: files, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import json

import pytest

from optimizer.cli import main
from optimizer.decisions.priorities import priorities
from optimizer.decisions.why_host import why_host
from optimizer.pipeline import run
from optimizer.scenario import load_scenario
from tests.conftest import SCENARIOS

BASE = SCENARIOS / "baseline.toml"


def test_priorities_writes_csv_and_summary_equal_to_the_library(tmp_path, capsys):
    assert main(["priorities", str(BASE), "-n", "3", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "N = 1: IKT-drift" in out and "kan ikke regelen" in out
    folder = tmp_path / "baseline-priorities"
    rows = list(csv.DictReader((folder / "priorities.csv").open(encoding="utf-8")))
    assert [r["n"] for r in rows] == ["1", "2", "3"]
    result = run(load_scenario(BASE))
    found = priorities(result.model, result.plan, [1, 2, 3])
    for row, step in zip(rows, found.steps):
        assert float(row["saving_nok"]) == pytest.approx(step.saving, abs=0.01)
        assert row["services"].split() == list(step.services)
        assert row["all_rules_hold"] == ("true" if step.outcome.all_rules_hold else "false")
    assert rows[0]["lifted"] == "fairness.min_shared_units_hosted"
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert [s["service"] for s in summary["priorities"]["service_savings"]][:3] == ["ict", "child_welfare",
                                                                                  "planning_building"]


def test_priorities_bad_n_and_bad_file_exit_2_without_files(tmp_path, write_scenario, capsys):
    assert main(["priorities", str(BASE), "-n", "0", "--out", str(tmp_path)]) == 2
    bad = write_scenario("bad", 'members = ["5620", "9999"]')
    assert main(["priorities", str(bad), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "-n" in err and "9999" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.toml"]


def test_priorities_infeasible_exits_3(tmp_path, write_scenario):
    tight = write_scenario("tight", """
        members = ["5620", "5624", "5626"]
        [fairness]
        min_shared_units_hosted = 7
    """)
    assert main(["priorities", str(tight), "--out", str(tmp_path / "out")]) == 3
    assert not (tmp_path / "out").exists()


def test_explain_prints_the_library_sentences_and_writes_files(tmp_path, capsys):
    assert main(["explain", str(BASE), "child_welfare", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    result = run(load_scenario(BASE))
    (item,) = why_host(result.model, result.plan, ["child_welfare"])
    assert item.sentence in out
    folder = tmp_path / "baseline-explain"
    assert (folder / "why_host.txt").read_text(encoding="utf-8") == item.sentence + "\n"
    rows = list(csv.DictReader((folder / "why_host.csv").open(encoding="utf-8")))
    assert {r["alternative_host"] for r in rows} == {o.host for o in item.options}


def test_explain_unknown_service_exits_2(capsys):
    assert main(["explain", str(BASE), "astrology", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "unknown or disabled service 'astrology'" in err and "Traceback" not in err
