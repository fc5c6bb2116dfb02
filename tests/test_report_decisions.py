"""The deck's decision slides and the workbook's jobs sheet carry the library's numbers and sentences."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from pptx import Presentation

from optimizer.decisions.jobs import job_rows, member_jobs
from optimizer.decisions.priorities import priorities
from optimizer.decisions.why_host import why_host
from optimizer.i18n import format_nok, format_number
from optimizer.newcomer import statement_for
from optimizer.report.pptx_deck import deck_bytes
from optimizer.report.xlsx_workbook import workbook_bytes
from optimizer.scenario import load_scenario

from conftest import SCENARIOS

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def baseline():
    return statement_for(load_scenario(SCENARIOS / "baseline.toml"))


@pytest.fixture(scope="module")
def slides(baseline):
    prs = Presentation(io.BytesIO(deck_bytes([baseline], "nb", TODAY)))
    return {slide.shapes.title.text: slide for slide in prs.slides}


def text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def cells(slide) -> list[list[str]]:
    return [[c.text for c in row.cells] for s in slide.shapes if s.has_table for row in s.table.rows]


def test_start_slide_lists_every_n_with_its_saving_and_the_lifted_rule(slides, baseline):
    result = baseline.result
    found = priorities(result.model, result.plan)
    rows = cells(slides["Hvor starter vi?"])
    assert rows[0][:3] == ["Høyst antall tjenester", "Tjenester", "Besparelse per år *"]
    assert [r[0] for r in rows[1:]] == [str(s.n) for s in found.steps]
    assert [r[2] for r in rows[1:]] == [format_nok(s.saving) for s in found.steps]
    assert "kan ikke regelen" in rows[1][3] and rows[2][3] == ""
    assert format_nok(found.steps[2].saving) in text(slides["Hvor starter vi?"])  # the three-service headline


def test_why_host_slide_has_every_sentence(slides, baseline):
    shown = text(slides["Hvorfor denne verten?"])
    for item in why_host(baseline.result.model, baseline.result.plan):
        assert f"• {item.sentence}" in shown


def test_jobs_slide_and_sheet_equal_the_library(slides, baseline):
    result = baseline.result
    totals = member_jobs(job_rows(result.model, result.plan))
    rows = cells(slides["Arbeidsplasser: alene og i samarbeidet"])
    assert rows[-1][:3] == ["Sum", format_number(75), format_number(43)]
    assert "32 trengs ikke lenger" in text(slides["Arbeidsplasser: alene og i samarbeidet"])
    book = load_workbook(io.BytesIO(workbook_bytes([baseline], "nb", TODAY)))
    sheet = list(book["Arbeidsplasser"].iter_rows(values_only=True))
    header, body = sheet[0], [dict(zip(sheet[0], r)) for r in sheet[1:]]
    assert header[:4] == ("Scenario", "Kommune", "Årsverk alene", "Årsverk i samarbeidet")
    for row, t in zip(body, totals):
        assert row["Årsverk alene"] == pytest.approx(t.alone_fte)
        assert row["Årsverk i samarbeidet"] == pytest.approx(result.plan.fte_hosted(t.member))
        assert row["Netto endring"] == pytest.approx(t.cooperation_fte - t.alone_fte)
    total = body[len(totals)]
    assert total["Kommune"] == "Sum"
    assert total["Overføres hit"] == pytest.approx(total["Overføres herfra"])  # what leaves one member arrives at another
    assert total["Trengs ikke lenger"] == pytest.approx(total["Årsverk alene"] - total["Årsverk i samarbeidet"])
