"""The agreement as a user gets it: the CLI's files and exit codes, and the annex read back with python-docx."""

from __future__ import annotations

import csv
import io
import json

import docx
import pytest

from optimizer.cli import main
from optimizer.economics.agreement import build_agreement
from optimizer.economics.year_end import running_units
from optimizer.i18n import format_nok
from optimizer.newcomer import statement_for
from optimizer.report.annex_docx import annex_bytes
from optimizer.scenario import load_scenario

from conftest import SCENARIOS


@pytest.fixture(scope="module")
def agreement():
    return build_agreement(statement_for(load_scenario(SCENARIOS / "baseline.toml")))


def _document(agreement) -> tuple[str, list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(annex_bytes(agreement)))
    text = "\n".join(p.text for p in document.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return text, tables


def test_annex_names_every_member_and_host_and_the_library_amounts(agreement):
    text, tables = _document(agreement)
    s = agreement.scenario
    everything = text + "\n".join("|".join(r) for t in tables for r in t)
    assert "UTKAST" in text and "kommunestyrene" in text
    for m in s.members:
        assert s.name(m) in everything and m in everything
    parties = tables[0]
    assert [row[0] for row in parties[1:]] == list(s.members)
    hosts_table = tables[1]
    units = agreement.budget.shared_units
    assert [row[1] for row in hosts_table[1:]] == [f"{u.host} {s.name(u.host)}" for u in units]
    assert [row[4] for row in hosts_table[1:]] == [format_nok(u.total) for u in units]
    # each member's budget table holds the library's figures, year by year
    budget_tables = [t for t in tables if t[0][:2] == ["År", "I dag"]]
    assert len(budget_tables) == len(s.members)
    for m, table in zip(s.members, budget_tables):
        rows = [r for r in agreement.budget.rows() if r["member"] == m]
        assert [row[0] for row in table[1:]] == [str(r["year"]) for r in rows]
        assert [row[4] for row in table[1:]] == [format_nok(r["difference_nok"]) for r in rows]
        assert [row[5] for row in table[1:]] == [format_nok(r["cumulative_nok"]) for r in rows]
    summary = agreement.budget.member_summary()
    for m in s.members:
        assert f"Tilbakebetalt: {summary[m]['payback_year']}" in text
    # the § 20-4 items: filled where the toolkit can, placeholders for the delegated tasks and authority
    assert "§ 20-4" in text
    assert any("oppgaver og hvilken myndighet" in row[0] and "FYLLES UT" in row[1] for t in tables for row in t)
    assert "R-109/2021" in text


def test_agreement_command_writes_everything_or_nothing(tmp_path, capsys):
    assert main(["agreement", str(SCENARIOS / "baseline.toml"), "--out", str(tmp_path)]) == 0
    folder = tmp_path / "baseline"
    names = {p.name for p in folder.iterdir()}
    assert {"annex.docx", "budget.csv", "payments.csv", "summary.json", "actuals_template_2027.csv"} <= names
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["agreement"]["ir_reference"] == "robust_alone"
    assert summary["agreement"]["years"] == [2027, 2028, 2029, 2030]
    budget = list(csv.DictReader(io.StringIO((folder / "budget.csv").read_text(encoding="utf-8"))))
    assert len(budget) == 4 * 4 and {r["reference"] for r in budget} == {"today"}
    assert "tilbakebetalt" in capsys.readouterr().out


def test_settle_year_from_the_template(tmp_path, agreement, capsys):
    template = tmp_path / "actuals.csv"
    scenario = str(SCENARIOS / "baseline.toml")
    assert main(["settle-year", scenario, "--template", str(template), "--csv-dialect", "excel-no"]) == 0
    lines = template.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1 + len(running_units(agreement.budget, 2027))
    filled = [lines[0]] + [line.rsplit(";", 2)[0] + ";" + line.rsplit(";", 2)[1] + ";" + line.rsplit(";", 2)[1]
                           for line in lines[1:]]  # actual = budget
    template.write_text("\n".join(filled) + "\n", encoding="utf-8")
    assert main(["settle-year", scenario, str(template), "--out", str(tmp_path / "out")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "baseline-2027" / "settlement.csv").read_text(encoding="utf-8"))))
    # actual = the rounded budget: every true-up is within a krone of zero
    assert rows and all(abs(float(r["true_up_nok"])) <= 1.0 for r in rows)


def test_bad_actuals_exit_2_and_write_nothing(tmp_path, capsys):
    bad = tmp_path / "actuals.csv"
    bad.write_text("year,service,host,actual_nok\n2027,child_welfare,5622,abc\n", encoding="utf-8")
    code = main(["settle-year", str(SCENARIOS / "baseline.toml"), str(bad), "--out", str(tmp_path / "out")])
    assert code == 2
    err = capsys.readouterr().err
    assert "actuals.csv" in err and "linje 2" in err and "actual_nok" in err
    assert not (tmp_path / "out").exists()


def test_bad_agreement_table_exits_2(tmp_path, write_scenario, capsys):
    path = write_scenario("bad", f'extends = "{SCENARIOS / "baseline.toml"}"\n[agreement]\nyears = "four"\n')
    assert main(["agreement", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "agreement.years" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
    assert main(["validate", str(path)]) == 2


def test_workbook_and_deck_carry_the_budget(agreement):
    from openpyxl import load_workbook
    from pptx import Presentation

    from optimizer.economics.payments import payment_rows
    from optimizer.report.files import report_bytes

    statement = agreement.statement
    book = load_workbook(io.BytesIO(report_bytes([statement], "xlsx")))
    rows = list(book["Budsjett"].iter_rows(values_only=True))
    header = rows[0]
    got = [dict(zip(header, r)) for r in rows[1:]]
    expected = agreement.budget.rows()
    assert [r["År"] for r in got] == [r["year"] for r in expected]
    difference = next(h for h in header if h.startswith("Differanse mot i dag"))
    assert [r[difference] for r in got] == pytest.approx([r["difference_nok"] for r in expected])
    payments = list(book["À konto"].iter_rows(values_only=True))
    amount = next(i for i, h in enumerate(payments[0]) if h.startswith("Beløp"))
    assert sum(r[amount] for r in payments[1:]) == sum(r["amount_nok"] for r in payment_rows(agreement.budget))
    deck = Presentation(io.BytesIO(report_bytes([statement], "pptx")))
    slide = next(s for s in deck.slides if s.shapes.title.text.startswith("Budsjett for avtaleperioden"))
    cells = [[c.text for c in row.cells] for s in slide.shapes if s.has_table for row in s.table.rows]
    summary = agreement.budget.member_summary()
    for m in agreement.scenario.members:
        row = next(r for r in cells if r[0].startswith(m))
        assert format_nok(summary[m]["present_value_nok"]) in row and str(summary[m]["payback_year"]) in " ".join(row)


def test_annex_says_when_the_plan_is_not_proven_optimal(agreement):
    from dataclasses import replace

    from optimizer.economics.agreement import Agreement
    from optimizer.result import ScenarioResult
    from optimizer.statement import Statement

    st = agreement.statement
    plan = replace(st.result.plan, solve_info=replace(st.result.plan.solve_info, status="feasible", gap=0.02))
    result = ScenarioResult(st.result.scenario, st.result.model, plan, st.result.unconstrained)
    stopped = Agreement(Statement(result, st.game, st.outcomes, st.least_core_epsilon), agreement.budget, {})
    assert "ikke bevist optimal" in _document(stopped)[0]
    assert "ikke bevist optimal" not in _document(agreement)[0]
