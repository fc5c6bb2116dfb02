"""The slide deck for leadership gatherings (PowerPoint, python-pptx), 16:9.

Title slide (scenario, date, version, inputs hash, solver status); per scenario: map of hosts and
assignments, hosts per service, why each host ("Hvorfor denne verten?"), where to start ("Hvor starter
vi?": the best plan with at most N services), cost per member alone vs in the cooperation (native,
editable chart), jobs alone and in the cooperation, settlement methods with core warnings, the price of fairness, the child-welfare caseload
(small counts suppressed); with several scenarios one comparison slide; last, how the result was
made. Amounts resting on estimates carry ``*`` with a footnote. The title slide's notes hold the
scenario as resolved (JSON), so the deck carries its own inputs. Several scenarios are told apart by
their labels (``distinct_labels``) in subtitles, footers and the comparison.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.dml import MSO_PATTERN
from pptx.enum.text import PP_ALIGN
from pptx.slide import Slide
from pptx.text.text import TextFrame
from pptx.util import Inches, Pt

from optimizer import __version__
from optimizer.explain import describe_rule
from optimizer.i18n import format_nok, format_percent, tr
from optimizer.geo import member_colour
from optimizer.labels import glossary
from optimizer.report.map_figure import map_description, map_png
from optimizer.report.summary import summary_sentences
from optimizer.report.provenance import HASH_SHOWN, inputs_hash, reproducibility, solver_text
from optimizer.report.tables import (
    Table, budget_table, caseload_tables, cell_text, comparison_table, distinct_labels, estimate_note, fairness_table,
    has_estimates, hosts_table, in_language, jobs_table, key_figures, members_table, priorities_table, report_date,
    settlement_summary_table, why_host_lines,
)
from optimizer.decisions.priorities import priorities
from optimizer.views_decisions import jobs_text, priority_headline
from optimizer.statement import Statement
from optimizer.views import ESTIMATE_MARK, core_warnings, method_label, millions

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.35)
BODY_BOTTOM = HEIGHT - Inches(0.55)
GREY = RGBColor(0x55, 0x55, 0x55)
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5
MAX_PT, MIN_PT = 14, 8  # table font sizes
CHAR_EM, LINE_EM, WRAP_SLACK = 0.5, 1.25, 1.15  # average glyph width and line height (em); word-wrap loss
NUMBER_SLACK = 1.3  # numbers never wrap: their columns get this much more than the estimate (wider fonts too)
PAD_X, PAD_Y = Inches(0.06), Inches(0.03)


def deck_bytes(statements: Sequence[Statement], language: str = "nb", today: date | None = None,
               labels: Sequence[str] | None = None) -> bytes:
    """The deck for one or more solved and settled scenarios, as .pptx bytes.

    ``labels``: one display label per scenario (default: the scenario ids; repeats are numbered).
    """
    if not statements:
        raise ValueError("a deck needs at least one scenario")
    return in_language(language, _deck, list(statements), today or date.today(), distinct_labels(statements, labels))


def _deck(statements: list[Statement], today: date, labels: list[str]) -> bytes:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    _title_slide(prs, statements, today, labels)
    _summary_slide(prs, statements, labels)
    for st, name, caseload in zip(statements, labels, caseload_tables(statements)):
        head = Heading(st.result.scenario.title if len(statements) == 1 else _named(name, st.result.scenario.title),
                       name, st)
        _map_slide(prs, head)
        _hosts_slide(prs, head)
        _why_host_slide(prs, head)
        _start_slide(prs, head)
        _cost_slide(prs, head)
        _jobs_slide(prs, head)
        _settlement_slide(prs, head)
        _fairness_slide(prs, head)
        _caseload_slide(prs, head, caseload)
        _budget_slide(prs, head)
    if len(statements) > 1:
        _comparison_slide(prs, statements, labels)
    _glossary_slide(prs)
    _about_slide(prs, statements, today, labels)
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --- slides ------------------------------------------------------------------------------------

def _named(label: str, title: str) -> str:
    """``label: title``, or the label alone when it already says the title (``A: Grunnscenario``) or
    what the title says (``B: + Tana`` for ``Grunnscenario + Tana``)."""
    said = label.split(": ", 1)[-1]
    return label if title in label or said in title else f"{label}: {title}"


@dataclass(frozen=True)
class Heading:
    """What a scenario's slides show of it: ``subtitle`` under the title, ``label`` in the footer."""

    subtitle: str
    label: str
    statement: Statement


def _title_slide(prs: Presentation, statements: list[Statement], today: date, labels: list[str]) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_LAYOUT])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = MARGIN, Inches(1.6), WIDTH - 2 * MARGIN, Inches(2.0)
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = MARGIN, Inches(3.8), WIDTH - 2 * MARGIN, Inches(2.6)
    if len(statements) == 1:
        title.text = statements[0].result.scenario.title
    else:
        title.text = tr(f"Vertskommune: {len(statements)} scenarioer", f"Host municipality: {len(statements)} scenarios")
    lines = [report_date(today)]
    pairs = list(zip(statements, labels))
    lines += [_named(name, st.result.scenario.title) for st, name in pairs] if len(statements) > 1 else []
    notes = [estimate_note(st.result.scenario) for st in statements if has_estimates(st.result.scenario)]
    lines += notes[:1]
    _lines(subtitle.text_frame, lines, 16 if len(lines) <= 8 else 10)
    slide.notes_slide.notes_text_frame.text = json.dumps(
        [{"label": name, **reproducibility(st)} for st, name in pairs], ensure_ascii=False, indent=1, default=str)


def _summary_slide(prs: Presentation, statements: list[Statement], labels: list[str]) -> None:
    """What the group decides and gains, in sentences (one paragraph per scenario)."""
    slide = _slide(prs, tr("Hva gruppen bestemmer og får", "What the group decides and gains"), "")
    lines: list[str] = []
    for st, name in zip(statements, labels):
        if len(statements) > 1:
            lines.append(_named(name, st.result.scenario.title))
        lines += summary_sentences(st)
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP)
    _lines(box.text_frame, lines, 20 if len(statements) == 1 and len(lines) <= 5 else 12)
    for paragraph in box.text_frame.paragraphs:
        paragraph.space_after = Pt(10)


def _glossary_slide(prs: Presentation) -> None:
    """Ordliste: the terms the slides use, one or two sentences each."""
    slide = _slide(prs, tr("Ordliste", "Glossary"), "")
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP)
    frame = box.text_frame
    frame.word_wrap = True
    for i, term in enumerate(glossary()):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        head, body = paragraph.add_run(), paragraph.add_run()
        head.text, body.text = f"{term.term}: ", term.text
        head.font.bold = True
        for run in (head, body):
            run.font.size = Pt(11)


def _map_slide(prs: Presentation, head: Heading) -> None:
    st = head.statement
    slide = _slide(prs, tr("Verter og tilknytning", "Hosts and assignments"), "", head)
    height = BODY_BOTTOM - BODY_TOP
    width = int(height * 12.0 / 5.6)
    picture = slide.shapes.add_picture(io.BytesIO(map_png(st.result)), (WIDTH - width) // 2, BODY_TOP, width, height)
    picture.name = tr("Kart over vertskommuner", "Map of host municipalities")
    picture._element.nvPicPr.cNvPr.set("descr", map_description(st.result))


def _hosts_slide(prs: Presentation, head: Heading) -> None:
    table = hosts_table(head.statement)
    slide = _slide(prs, tr("Verter per tjeneste", "Hosts per service"), table.note, head)
    _table(slide, table, BODY_TOP, BODY_BOTTOM - BODY_TOP, keep=("service", "host", "served", "fte", "total_nok"))


def _why_host_slide(prs: Presentation, head: Heading) -> None:
    """One sentence per service: why this host, and what the next best host would cost."""
    lines = why_host_lines(head.statement)
    slide = _slide(prs, tr("Hvorfor denne verten?", "Why this host?"), estimate_note(head.statement.result.scenario), head)
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP)
    words = sum(len(line) for line in lines)
    _lines(box.text_frame, [f"• {line}" for line in lines], 14 if words < 1200 else 11 if words < 2200 else 9)


def _start_slide(prs: Presentation, head: Heading) -> None:
    """Where to start: the best plan with at most N services, for every N."""
    result = head.statement.result
    found = priorities(result.model, result.plan)
    table = priorities_table(head.statement, found)
    slide = _slide(prs, tr("Hvor starter vi?", "Where do we start?"), table.note, head)
    headline = priority_headline(result, found)
    room = Inches(0.7) if headline else 0
    if headline:
        box = slide.shapes.add_textbox(MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, room)
        _lines(box.text_frame, [headline], 16)
    _table(slide, table, BODY_TOP + room, BODY_BOTTOM - BODY_TOP - room)


def _jobs_slide(prs: Presentation, head: Heading) -> None:
    """Jobs alone and in the cooperation, per member."""
    table = jobs_table(head.statement)
    slide = _slide(prs, tr("Arbeidsplasser: alene og i samarbeidet", "Jobs: alone and in the cooperation"), table.note,
                   head)
    room = Inches(1.0)
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, room)
    _lines(box.text_frame, [jobs_text(head.statement.result)], 13)
    _table(slide, table, BODY_TOP + room, BODY_BOTTOM - BODY_TOP - room)


def _cost_slide(prs: Presentation, head: Heading) -> None:
    st = head.statement
    s = st.result.scenario
    table = members_table(st)
    slide = _slide(prs, tr("Kostnad per kommune: alene og i samarbeidet", "Cost per member: alone and in the cooperation"),
                   table.note, head)
    data = CategoryChartData(number_format="0")
    data.categories = [s.name(m) for m in st.result.members]
    data.add_series(tr("Alene", "Alone"), [r["stand_alone_nok"] / 1e6 for r in table.rows])
    data.add_series(tr("I samarbeidet (kostnadsnøkkel)", "In the cooperation (cost key)"),
                    [r["cooperation_nok"] / 1e6 for r in table.rows])
    chart_width = int((WIDTH - 2 * MARGIN) * 0.55)
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, BODY_TOP, chart_width,
                                   BODY_BOTTOM - BODY_TOP, data)
    chart = frame.chart
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    chart.font.size = Pt(12)
    axis = chart.value_axis
    axis.has_title = True
    axis.axis_title.text_frame.text = tr("mill. kr per år", "NOK million per year") + (
        f" {ESTIMATE_MARK}" if has_estimates(s) else "")
    axis.tick_labels.number_format = "0"
    axis.tick_labels.number_format_is_linked = False
    colours = [member_colour(m).lstrip("#") for m in st.result.members]
    amounts = ([r["stand_alone_nok"] for r in table.rows], [r["cooperation_nok"] for r in table.rows])
    size = Pt(11 if len(st.result.members) <= 6 else 8)
    for series, values, alone in zip(chart.plots[0].series, amounts, (True, False)):
        _fill(series.format.fill, "555555", alone)  # the legend: patterned = alone, solid = in the cooperation
        for i, (colour, amount) in enumerate(zip(colours, values)):
            point = series.points[i]
            _fill(point.format.fill, colour, alone)
            point.format.line.color.rgb = RGBColor(0x33, 0x33, 0x33)
            label = point.data_label.text_frame  # Norwegian number, unit, never "18.9"
            label.text = millions(amount)
            label.paragraphs[0].runs[0].font.size = size
    axis.tick_labels.font.size = Pt(12)
    left = MARGIN + chart_width + Inches(0.3)
    _table(slide, table, BODY_TOP, BODY_BOTTOM - BODY_TOP, left=left, width=WIDTH - MARGIN - left,
           keep=("member", "stand_alone_nok", "cooperation_nok", "saving_percent"))


def _settlement_slide(prs: Presentation, head: Heading) -> None:
    st = head.statement
    s = st.result.scenario
    table = settlement_summary_table(st)
    slide = _slide(prs, tr("Fordeling av kostnadene", "Splitting the cost"), table.note, head)
    lines = _core_lines(st)
    room = Inches(0.25) * len(lines) + Inches(0.2)
    chosen = 1 + list(st.outcomes).index(s.settlement_method)  # row 0 is the stand-alone reference
    height = _table(slide, table, BODY_TOP, BODY_BOTTOM - BODY_TOP - room, bold_rows={chosen})
    top = BODY_TOP + height + Inches(0.15)
    box = slide.shapes.add_textbox(MARGIN, top, WIDTH - 2 * MARGIN, BODY_BOTTOM - top)
    _lines(box.text_frame, lines, 12 if len(lines) <= 5 else 10)


def _core_lines(st: Statement) -> list[str]:
    """Whether the chosen split is in the core, then one warning per method outside it."""
    chosen = method_label(st.result.scenario.settlement_method)
    if st.chosen.in_core:
        lines = [tr(f"Med valgt modell ({chosen}) tjener ingen gruppe på å gå ut av samarbeidet (andelene er i kjernen).",
                    f"With the chosen method ({chosen}) no group gains by leaving the cooperation (the split is in the core).")]
    else:
        lines = ["⚠ " + tr(f"Valgt modell ({chosen}) er ikke i kjernen: en gruppe ville tjent på å gå ut.",
                           f"The chosen method ({chosen}) is not in the core: some group would gain by leaving.")]
    warnings = core_warnings(st)
    if warnings:
        lines.append(tr("Modeller utenfor kjernen:", "Methods outside the core:"))
        lines += [f"⚠ {w}" for w in warnings]
    return lines


def _fairness_slide(prs: Presentation, head: Heading) -> None:
    st = head.statement
    result = st.result
    s = result.scenario
    table = fairness_table(st)
    slide = _slide(prs, tr("Rettferdighetens pris", "The price of fairness"), table.note, head)
    mark = f" {ESTIMATE_MARK}" if has_estimates(s) else ""
    share = 100.0 * result.price_of_fairness / result.total_without_fairness
    lines = [f"{name}: {format_nok(value)}{mark}" for name, value in key_figures(st).items()]
    lines.append(tr(f"Rettferdighetsreglene koster {format_percent(share)} mer enn planen uten dem.",
                    f"The fairness rules cost {format_percent(share)} more than the plan without them."))
    rules = [describe_rule(g, s, with_key=False) for g in sorted(result.plan.rules)
             if g.startswith("fairness.")]  # in words; the keys are for analysts (Om beregningen)
    lines.append(tr("Regler:", "Rules:") if rules else tr("Ingen rettferdighetsregler er brukt.",
                                                         "No fairness rules are applied."))
    lines += [f"• {r}" for r in rules]
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP, Inches(5.2), BODY_BOTTOM - BODY_TOP)
    _lines(box.text_frame, lines, 14)
    left = MARGIN + Inches(5.5)
    _table(slide, table, BODY_TOP, BODY_BOTTOM - BODY_TOP, left=left, width=WIDTH - MARGIN - left)


def _caseload_slide(prs: Presentation, head: Heading, table: Table) -> None:
    """The caseload ``table`` (suppressed alike for the whole deck)."""
    slide = _slide(prs, tr("Saksgrunnlag i barnevernet", "Child-welfare caseload"), table.note, head)
    _table(slide, table, BODY_TOP, BODY_BOTTOM - BODY_TOP)


def _budget_slide(prs: Presentation, head: Heading) -> None:
    """The agreement's budget: per member the sum over the years, the present value and the payback year."""
    table = budget_table(head.statement)
    members = list(dict.fromkeys(r["member"] for r in table.rows))
    rows = []
    for m in members:
        own = [r for r in table.rows if r["member"] == m]
        rows.append({"member": m, "one_off_nok": sum(r["one_off_nok"] for r in own),
                     "difference_nok": sum(r["difference_nok"] for r in own),
                     "present_value_nok": sum(r["present_value_nok"] for r in own), "payback_year": own[0]["payback_year"]})
    keep = ("member", "one_off_nok", "difference_nok", "present_value_nok", "payback_year")
    years = f"{table.rows[0]['year']}–{table.rows[-1]['year']}" if table.rows else ""
    summary = Table("budget_summary", table.title, tuple(c for c in table.columns if c.key in keep), rows, None, table.note)
    slide = _slide(prs, tr(f"Budsjett for avtaleperioden {years}", f"Budget over the agreement {years}"), table.note, head)
    _table(slide, summary, BODY_TOP, BODY_BOTTOM - BODY_TOP)


def _comparison_slide(prs: Presentation, statements: list[Statement], labels: list[str]) -> None:
    """Totals and hosts on the left, each member's share on the right."""
    table = comparison_table(statements, labels)
    slide = _slide(prs, tr("Sammenligning av scenarioer", "Scenarios compared"), table.note)
    split = 3 + len({sid for st in statements for sid in st.result.model.costs})
    half = (WIDTH - 2 * MARGIN - Inches(0.3)) // 2
    for i, rows in enumerate((table.rows[:split], table.rows[split:])):
        _table(slide, replace(table, rows=rows), BODY_TOP, BODY_BOTTOM - BODY_TOP,
               left=MARGIN + i * (half + Inches(0.3)), width=half)


def _about_slide(prs: Presentation, statements: list[Statement], today: date, labels: list[str]) -> None:
    slide = _slide(prs, tr("Om beregningen", "How this was computed"), "")
    lines = [tr(f"Laget {report_date(today)} med Vertskommune {__version__}.",
                f"Made {report_date(today)} with Vertskommune {__version__}.")]
    for st, name in zip(statements, labels):
        s = st.result.scenario
        lines += [
            f"{name} ({s.source or tr('uten fil', 'no file')})",
            "• " + tr("Inndata-hash (SHA-256): ", "Inputs hash (SHA-256): ") + inputs_hash(s),
            "• " + tr("Løser: ", "Solver: ") + solver_text(st),
            "• " + tr("Fordelingsmodell: ", "Settlement method: ") + method_label(s.settlement_method),
            "• " + tr(f"{len(s.estimates())} av inndataene er anslag.", f"{len(s.estimates())} of the inputs are estimates."),
        ]
    lines.append(tr("Scenarioet slik det ble brukt, dataversjoner og løserstatus ligger i notatene til første lysbilde "
                    "og i summary.json; regnearket viser det scenarioet setter (Scenarioets valg). Samme inndata gir samme hash.",
                    "The scenario as used, data versions and solver status are in the notes of the first slide and in "
                    "summary.json; the workbook shows what the scenario sets (Scenario settings). The same inputs give the same hash."))
    box = slide.shapes.add_textbox(MARGIN, BODY_TOP, WIDTH - 2 * MARGIN, BODY_BOTTOM - BODY_TOP)
    _lines(box.text_frame, lines, 14 if len(statements) < 3 else 10)


# --- building blocks ---------------------------------------------------------------------------

def _fill(fill, colour: str, patterned: bool) -> None:
    """Solid ``colour``, or a wide diagonal pattern of it on white (the member's colour, 'alone')."""
    if patterned:
        fill.patterned()
        fill.pattern = MSO_PATTERN.WIDE_UPWARD_DIAGONAL
        fill.fore_color.rgb = RGBColor.from_string(colour)
        fill.back_color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    else:
        fill.solid()
        fill.fore_color.rgb = RGBColor.from_string(colour)


def _slide(prs: Presentation, title: str, note: str, head: Heading | None = None) -> Slide:
    """A 'Title Only' slide with the title across the top, the scenario's subtitle line and a footer
    (``note``, then the scenario's label and inputs hash)."""
    slide = prs.slides.add_slide(prs.slide_layouts[TITLE_ONLY_LAYOUT])
    shape = slide.shapes.title
    shape.left, shape.top, shape.width, shape.height = MARGIN, Inches(0.25), WIDTH - 2 * MARGIN, Inches(0.8)
    shape.text = title
    paragraph = shape.text_frame.paragraphs[0]
    paragraph.alignment = PP_ALIGN.LEFT
    paragraph.runs[0].font.size = Pt(30)
    paragraph.runs[0].font.bold = True
    if head is not None:
        box = slide.shapes.add_textbox(MARGIN, Inches(0.95), WIDTH - 2 * MARGIN, Inches(0.35))
        _lines(box.text_frame, [head.subtitle], 14, GREY)
    footer = []
    if note:
        footer.append(note)
    if head is not None:
        footer.append(f"{head.label} · " + tr("inndata-hash ", "inputs hash ")
                      + inputs_hash(head.statement.result.scenario)[:HASH_SHOWN])
    if footer:
        box = slide.shapes.add_textbox(MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN, Inches(0.4))
        _lines(box.text_frame, ["   ".join(footer)], 10, GREY)
    return slide


def _lines(frame: TextFrame, lines: Sequence[str], size: int, colour: RGBColor | None = None) -> None:
    """``lines`` as paragraphs of ``frame`` (word-wrapped) in ``size`` pt and ``colour``."""
    frame.word_wrap = True
    for i, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = line
        for run in paragraph.runs:
            run.font.size = Pt(size)
            if colour is not None:
                run.font.color.rgb = colour


def _table(slide: Slide, table: Table, top: int, height: int, *, keep: Sequence[str] = (), left: int = MARGIN,
           width: int | None = None, bold_rows: frozenset[int] | set[int] = frozenset()) -> int:
    """``table`` (only the ``keep`` columns, if given) as a native table in the box, in the largest
    font that fits; bold header, ``bold_rows`` (indices into ``table.rows``) and total row.

    Returns the table's height."""
    columns = [c for c in table.columns if not keep or c.key in keep]
    body = [[cell_text(row.get(c.key), c.kind) for c in columns] for row in table.rows]
    if table.total is not None:
        body.append([cell_text(table.total.get(c.key), c.kind) if c.key in table.total else "" for c in columns])
    cells = [[c.label for c in columns], *body]
    numeric = [c.kind != "text" for c in columns]
    width = width or WIDTH - 2 * MARGIN
    size, widths, heights = _layout(cells, numeric, width, height)
    grid = slide.shapes.add_table(len(cells), len(columns), left, top, width, sum(heights)).table
    for i, w in enumerate(widths):
        grid.columns[i].width = w
    bold = {0} | {r + 1 for r in bold_rows} | ({len(cells) - 1} if table.total is not None else set())
    for r, texts in enumerate(cells):
        grid.rows[r].height = heights[r]
        for i, text in enumerate(texts):
            cell = grid.cell(r, i)
            cell.margin_top = cell.margin_bottom = PAD_Y
            cell.margin_left = cell.margin_right = PAD_X
            cell.text = text
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.alignment = PP_ALIGN.RIGHT if numeric[i] and r > 0 else PP_ALIGN.LEFT
            if numeric[i] and r > 0:
                cell.text_frame.word_wrap = False  # "18 920 000 kr" stays on one line
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = r in bold
    return sum(heights)


def _layout(cells: list[list[str]], numeric: list[bool], width: int, height: int) -> tuple[int, list[int], list[int]]:
    """The largest font size (pt) at which ``cells`` fit the box, with column widths and row heights.

    Numbers keep one line (a smaller size is tried before a number would wrap); text columns share
    what is left and wrap (estimated from the average character width). Below ``MIN_PT`` the table
    is set at ``MIN_PT`` and may run long.
    """
    for size in range(MAX_PT, MIN_PT - 1, -1):
        char = Pt(size) * CHAR_EM
        body = [max([len(row[i]) for row in cells[1:]] or [0]) for i in range(len(numeric))]
        header = [max(len(w) for w in cells[0][i].split() or [""]) for i in range(len(numeric))]  # words do not break
        natural = [max(b * (NUMBER_SLACK if num else 1.0), h) * char + 2 * PAD_X
                   for b, h, num in zip(body, header, numeric)]
        words = [max(len(w) for row in cells for w in row[i].split() or [""]) for i in range(len(numeric))]
        shortest = [max(n * WRAP_SLACK, 8) * char + 2 * PAD_X for n in words]  # a text column's narrowest
        fixed = sum(w for w, num in zip(natural, numeric) if num)
        wanted = sum(natural) - fixed
        if sum(natural) <= width:
            widths = [int(w * width / sum(natural)) for w in natural]
        elif width - fixed >= sum(w for w, num in zip(shortest, numeric) if not num):
            widths = [int(w if num else max(w * (width - fixed) / wanted, low))
                      for w, low, num in zip(natural, shortest, numeric)]
        elif size > MIN_PT:  # numbers or whole words do not fit at this size: try a smaller one
            continue
        else:  # not even at the smallest size: everything shrinks and wraps
            widths = [int(w * width / sum(natural)) for w in natural]
        heights = [
            int(max(math.ceil(len(text) * char * WRAP_SLACK / max(w - 2 * PAD_X, char)) or 1 for text, w in zip(row, widths))
                * Pt(size) * LINE_EM + 2 * PAD_Y)
            for row in cells
        ]
        if sum(heights) <= height:
            break
    return size, widths, heights
