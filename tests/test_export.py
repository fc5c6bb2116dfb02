"""The app's take-away files: an imported data folder as a zip that a downloaded scenario can name."""

from __future__ import annotations

import zipfile
import io

import pytest

from optimizer.editing import to_toml
from optimizer.export import zip_folder
from optimizer.pipeline import run
from optimizer.scenario import load_scenario, read_scenario_file, resolve
from optimizer.ssb import import_files

from conftest import ROOT, SCENARIOS


def test_zip_holds_one_folder_with_every_file():
    archive = zipfile.ZipFile(io.BytesIO(zip_folder({"a.csv": "x\n1\n", "b.json": "{}"}, "mappe")))
    assert sorted(archive.namelist()) == ["mappe/a.csv", "mappe/b.json"]
    assert archive.read("mappe/a.csv") == b"x\n1\n"


def test_downloaded_scenario_and_data_zip_run_as_in_the_app(tmp_path):
    folder = ROOT / "tests" / "data" / "ssb"
    files = [(n, (folder / n).read_bytes()) for n in ("07459_midt_finnmark_2024_2025.jsonstat2.json",
                                                      "12362_midt_finnmark.jsonstat2.json")]
    imported = import_files(files)
    table, _ = read_scenario_file(SCENARIOS / "baseline.toml")
    in_app = run(resolve(table, scenario_id="baseline", imported=imported.data("ssb-import")))

    zipfile.ZipFile(io.BytesIO(zip_folder(imported.folder_files(), "ssb-import"))).extractall(tmp_path)
    (tmp_path / "scenario.toml").write_text(to_toml(dict(table, data="ssb-import"), "x"), encoding="utf-8")
    from_files = run(load_scenario(tmp_path / "scenario.toml"))
    assert from_files.total_cost == pytest.approx(in_app.total_cost, abs=0.01)
    assert from_files.actual_spending_rows() == [dict(r, scenario="scenario") for r in in_app.actual_spending_rows()]


def test_encoded_adds_a_bom_only_for_norwegian_excel_csv():
    from optimizer.export import encoded

    assert encoded("a.csv", "x", "excel-no") == b"\xef\xbb\xbfx"
    assert encoded("a.csv", "x", "pandas") == b"x"
    assert encoded("summary.json", "x", "excel-no") == b"x"
