"""Municipality numbers across the 2020 and 2024 reforms: mapped, kept raw, or refused."""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from optimizer import data
from optimizer.errors import UserInputError
from optimizer.ssb import numbers
from optimizer.ssb.numbers import classify


@pytest.mark.parametrize("code, number", [
    ("5620", "5620"), ("5435", "5620"), ("2019", "5620"),
    ("5622", "5622"), ("5436", "5622"), ("2020", "5622"),  # 2020 is Porsanger, not a year
    ("5626", "5626"), ("5439", "5626"), ("2023", "5626"),
    ("K-5624", "5624"), ("5438", "5624"),
])
def test_finnmark_numbers_map_to_current_ones(code, number):
    region = classify(code, "f.csv")
    assert (region.kind, region.number) == ("municipality", number)
    assert (region.note == "") == (code.removeprefix("K-") == number)


def test_every_toolkit_municipality_in_finnmark_is_in_the_table():
    current = numbers.current_numbers()
    assert {n for n in data.municipalities()} <= set(current)


@pytest.mark.parametrize("code, kind", [
    ("0301", "other"), ("5001", "other"), ("5401", "other"),  # Oslo, Trondheim, Tromsø 2020-2023
    ("0", "aggregate"), ("56", "aggregate"), ("EAK", "aggregate"), ("EKA56", "aggregate"), ("EKG13", "aggregate"),
])
def test_other_regions_are_kept_but_not_mapped(code, kind):
    region = classify(code, "f.csv")
    assert (region.kind, region.number) == (kind, None)


def test_merged_away_municipality_is_kept_raw_with_an_explanation():
    region = classify("2017", "f.csv")
    assert region.kind == "former" and region.number is None
    assert "Kvalsund" in region.note and "Hammerfest" in region.note


@pytest.mark.parametrize("code", ["5699", "K-5699", "5600"])
def test_unknown_finnmark_number_is_refused(code):
    with pytest.raises(UserInputError) as err:
        classify(code, "f.csv")
    assert err.value.source == "f.csv" and err.value.key == f"region {code}"
    assert "ukjent kommunenummer" in err.value.problem


def test_a_split_number_is_ambiguous(monkeypatch):
    split = (
        numbers._Row("Nord", "5690", (("5490", "2020-2023"),), ""),
        numbers._Row("Sør", "5691", (("5490", "2020-2023"),), ""),
    )
    monkeypatch.setattr(numbers, "_rows", lambda: split)
    with pytest.raises(UserInputError, match="tvetydig kommunenummer: 5490 ble delt mellom 5690, 5691"):
        classify("5490", "f.csv")


@pytest.mark.parametrize("code", ["2016", "2013", "2099", "K-2016"])
def test_old_finnmark_number_not_in_the_table_is_a_former_municipality(code):
    # e.g. 2016 Sørøysund (merged into Hammerfest in 1992): kept as raw data with a warning, not an error
    region = classify(code, "f.csv")
    assert (region.kind, region.number) == ("former", None)
    assert code.removeprefix("K-") in region.note and "ikke står i tabellen" in region.note


def test_hammerfest_before_2020_is_not_put_onto_todays_hammerfest():
    # 2004 Hammerfest excluded Kvalsund, which 5406/5603 include: its figures cover part of today's municipality
    region = classify("2004", "f.csv")
    assert (region.kind, region.number) == ("former", None)
    assert "Kvalsund" in region.note
    assert (classify("5406", "f.csv").kind, classify("5406", "f.csv").number) == ("municipality", "5603")


def test_every_row_of_the_number_table_has_six_fields():
    text = resources.files("optimizer").joinpath("data", "finnmark_number_changes.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["name", "number_from_2024", "number_2020_2023", "number_before_2020", "confidence", "note"]
    assert [len(r) for r in rows] == [6] * len(rows)
    kvalsund = next(r for r in numbers._rows() if r.name == "Kvalsund")
    assert kvalsund.note == "merged into Hammerfest in 2020 (5406, now 5603)"
