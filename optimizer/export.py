"""A solved scenario as the files ``run`` writes: ``summary.json`` and the CSV tables, as text."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from optimizer.games import MAX_GAME_MEMBERS, model_game
from optimizer.output import csv_text, json_text
from optimizer.result import ScenarioResult
from optimizer.statement import Statement, settlement_statement


def result_files(result: ScenarioResult, dialect: str = "pandas", statement: Statement | None = None) -> dict[str, str]:
    """``hosts.csv``, ``costs.csv``, ``settlement.csv`` and ``summary.json`` (name -> text).

    The settlement is computed here unless given; above ``MAX_GAME_MEMBERS`` it is skipped and
    ``summary.json`` says so.
    """
    summary = result.summary()
    files = {
        "hosts.csv": csv_text(result.unit_rows(), dialect),
        "costs.csv": csv_text(result.cost_rows(), dialect),
    }
    if statement is None and len(result.members) <= MAX_GAME_MEMBERS:
        statement = settlement_statement(result, model_game(result.model, result.plan))
    if statement is not None:
        summary["settlement"] = statement.summary()
        files["settlement.csv"] = csv_text(statement.rows(), dialect)
    else:
        summary["settlement"] = {"skipped": f"more than {MAX_GAME_MEMBERS} members"}
    files["summary.json"] = json_text(summary)
    return files


def encoded(name: str, text: str, dialect: str) -> bytes:
    """A file's bytes as ``write_folder`` would write them: CSV for Norwegian Excel gets a BOM."""
    bom = dialect == "excel-no" and name.endswith(".csv")
    return text.encode("utf-8-sig" if bom else "utf-8")


def zip_folder(files: Mapping[str, str], folder: str) -> bytes:
    """``files`` (name -> text) as a zip archive holding one folder ``folder/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(f"{folder}/{name}", text)
    return buffer.getvalue()
