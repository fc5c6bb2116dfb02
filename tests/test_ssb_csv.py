"""StatBank CSV: encodings, long and wide layouts, SSB's symbols, and malformed files."""

from __future__ import annotations

import pytest

from optimizer.errors import UserInputError
from optimizer.ssb.csv_statbank import parse_statbank_csv

from conftest import ROOT

SSB = ROOT / "tests" / "data" / "ssb"


def cells(ds) -> dict[tuple[str, ...], tuple[float | None, str | None]]:
    return {cell.codes: (cell.value, cell.status) for cell in ds.cells}


def test_latin1_wide_population_table():
    path = SSB / "07459_midt_finnmark_2022_2023.csv"
    ds = parse_statbank_csv(path.read_bytes(), path.name)
    assert ds.encoding == "latin-1" and ds.table == "07459"
    assert ds.label == "07459: Befolkning, etter region, alder, statistikkvariabel og år"
    assert [d.id for d in ds.dimensions] == ["region", "alder", "statistikkvariabel", "år"]
    assert ds.dimension("region").label_of("5436") == "Porsanger (2020-2023)"
    assert ds.dimension("alder").label_of("105") == "105 år eller eldre"
    found = cells(ds)
    assert found[("5439", "105", "Personer", "2023")] == (None, "..")  # not available
    assert found[("5435", "104", "Personer", "2022")] == (0.0, "-")  # nil
    assert found[("5435", "0", "Personer", "2022")] == (32.0, None)


def test_utf8_bom_wide_table_with_a_pre_2020_number_that_looks_like_a_year():
    path = SSB / "12362_porsanger.csv"
    ds = parse_statbank_csv(path.read_bytes(), path.name)
    assert ds.encoding == "utf-8" and ds.table == "12362"
    assert ds.dimension("region").codes == ("2020", "5436", "5622")
    assert ds.dimension("år").codes == ("2019", "2023", "2024")
    found = cells(ds)
    assert found[("2020", "244", "AGD10", "Beløp (1000 kr)", "2019")] == (11600.5, None)  # decimal comma
    assert found[("2020", "244", "AGD10", "Beløp (1000 kr)", "2023")] == (None, ".")
    assert ds.dimension("funksjon").label_of("338") == "Forebygging av branner og andre ulykker"


def test_long_layout_with_contents_column():
    path = SSB / "12058_midt_finnmark_2024.csv"
    ds = parse_statbank_csv(path.read_bytes(), path.name)
    assert (ds.geo, ds.time, ds.metric) == ("region", "år", "statistikkvariabel")
    found = cells(ds)
    assert found[("5620", "Årsverk i forebyggende arbeid per 1 000 innbyggere", "2024")] == (0.34, None)
    assert found[("5624", "Årsverk i feiing per 1 000 innbyggere", "2024")] == (None, ":")


def test_k_prefixed_region_codes_and_year_only_headers():
    raw = b'"region";"2023";"2024"\n"K-5620 Nordkapp";10;11\n'
    ds = parse_statbank_csv(raw, "t.csv")
    assert cells(ds)[("K-5620", "value", "2024")] == (11.0, None)
    assert ds.dimension("region").label_of("K-5620") == "Nordkapp"


@pytest.mark.parametrize("text, key, words", [
    ('"region";"år";"verdi"\n"5620 Nordkapp";"2024";1;2\n', "linje 2", "har 4 felt, men overskriftslinjen har 3"),
    ('"region";"år";"verdi"\n"5620 Nordkapp";"2024";mange\n', "linje 2", "'mange' er verken et tall"),
    ('"kjønn";"år";"verdi"\n"Menn";"2024";1\n', "linje 1", "fant ingen regionkolonne"),
    ('"region";"kjønn";"verdi"\n"5620 Nordkapp";"Menn";1\n', "header", "fant verken en årskolonne"),
    ("region,year,value\n5620,2024,1\n", None, "semikolonseparert"),
])
def test_malformed_csv_names_the_file_line_and_problem(text, key, words):
    with pytest.raises(UserInputError) as err:
        parse_statbank_csv(text.encode("utf-8"), "nedlasting.csv")
    assert err.value.source == "nedlasting.csv"
    assert err.value.key == key
    assert words in err.value.problem
