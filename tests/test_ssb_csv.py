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
    assert ds.encoding == "cp1252" and ds.table == "07459"  # Latin-1 bytes decode alike as Windows-1252
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


def test_long_layout_whose_value_column_is_headed_by_a_title_ending_in_years():
    # StatBank heads a long table's value column with the table title, which may end in a year.
    raw = ('"12058: Brann- og ulykkesvern - nøkkeltall (K) 2015 - 2024"\n\n'
           '"region";"statistikkvariabel";"år";"12058: Brann- og ulykkesvern - nøkkeltall (K) 2015 - 2024"\n'
           '"5620 Nordkapp";"Årsverk i forebyggende arbeid per 1 000 innbyggere";"2019";0,10\n'
           '"5620 Nordkapp";"Årsverk i forebyggende arbeid per 1 000 innbyggere";"2024";0,34\n')
    ds = parse_statbank_csv(raw.encode("utf-8"), "12058.csv")
    assert [d.id for d in ds.dimensions] == ["region", "statistikkvariabel", "år"]
    assert ds.dimension("år").codes == ("2019", "2024")
    assert cells(ds)[("5620", "Årsverk i forebyggende arbeid per 1 000 innbyggere", "2024")] == (0.34, None)


@pytest.mark.parametrize("header, words", [
    ('"region";"statistikkvariabel";"Beløp 2023";"Beløp 2024"', "statistikkvariabel forekommer to ganger"),
    ('"region";"år";"år";"verdi"', "år forekommer to ganger"),
    ('"region";"år";"Beløp 2023";"Beløp 2024"', "både en årskolonne og flere kolonner med årstall"),
])
def test_a_header_that_fits_neither_layout_is_refused_naming_the_file(header, words):
    raw = header + '\n"5620 Nordkapp";"x";1;2\n'
    with pytest.raises(UserInputError) as err:
        parse_statbank_csv(raw.encode("utf-8"), "dobbel.csv")
    assert err.value.source == "dobbel.csv" and err.value.key == "linje 1"
    assert words in err.value.problem


HEADER = '"region";"statistikkvariabel";"år";"verdi"\n'


@pytest.mark.parametrize("text, value", [
    ("1 234", 1234.0), ("1\u00a0234", 1234.0), ("1\u202f234,5", 1234.5), ("\u22121,5", -1.5), ("-7", -7.0), ("0,25", 0.25),
])
def test_numbers_with_decimal_comma_space_grouping_and_unicode_minus(text, value):
    ds = parse_statbank_csv((HEADER + f'"5620 Nordkapp";"x";"2024";{text}\n').encode("utf-8"), "t.csv")
    assert cells(ds)[("5620", "x", "2024")] == (value, None)


@pytest.mark.parametrize("text", ["1.234", "1.234.567", "NaN", "inf", "1_000", "+5", "1e3", "١٢"])
def test_anything_else_is_not_a_number(text):
    with pytest.raises(UserInputError) as err:
        parse_statbank_csv((HEADER + f'"5620 Nordkapp";"x";"2024";{text}\n').encode("utf-8"), "t.csv")
    assert (err.value.source, err.value.key) == ("t.csv", "linje 2")
    assert f"{text!r} er verken et tall" in err.value.problem


def test_windows_1252_ellipsis_is_a_symbol_not_a_line_break():
    # Byte 0x85 is "…" in Windows-1252; read as Latin-1 it is U+0085, which str.splitlines() breaks on.
    raw = '"region";"kjønn";"år";"verdi"\n"5620 Nordkapp";"Menn";"2024";…\n"5620 Nordkapp";"Kvinner";"2024";7\n'.encode("cp1252")
    assert b";\x85\n" in raw
    ds = parse_statbank_csv(raw, "t.csv")
    assert ds.encoding == "cp1252"
    assert cells(ds) == {("5620", "Menn", "2024"): (None, "…"), ("5620", "Kvinner", "2024"): (7.0, None)}


def test_bytes_undefined_in_windows_1252_fall_back_to_latin1():
    raw = '"region";"år";"verdi"\n"5620 Nordkapp \x81";"2024";1\n'.encode("latin-1")
    ds = parse_statbank_csv(raw, "t.csv")
    assert ds.encoding == "latin-1" and ds.dimension("region").label_of("5620") == "Nordkapp \x81"


def test_table_id_from_the_file_name_when_the_file_is_given_with_its_folder():
    ds = parse_statbank_csv(b'"region";"\xc3\xa5r";"verdi"\n"5620 Nordkapp";"2024";1\n', "/home/analyst/nedlastinger/12058_brann.csv")
    assert ds.table == "12058"
