"""JSON-stat 2.0 decoding: a real SSB response, hand-made KOSTRA shapes, and malformed files."""

from __future__ import annotations

import copy
import json

import pytest

from optimizer.errors import UserInputError
from optimizer.i18n import set_language
from optimizer.ssb.jsonstat import parse_jsonstat

from conftest import ROOT

SSB = ROOT / "tests" / "data" / "ssb"
SAMPLE = SSB / "ssb_12134_sample.jsonstat2.json"


def sample() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


def decode(doc: dict, name: str = "x.json"):
    return parse_jsonstat(json.dumps(doc).encode("utf-8"), name)


def by_region_year(ds) -> dict[tuple[str, str], float | None]:
    return {(codes[ds.geo], codes[ds.time]): cell.value for codes, cell in ds.values()}


def test_real_ssb_response_lands_on_the_right_municipality_and_year():
    ds = parse_jsonstat(SAMPLE.read_bytes(), SAMPLE.name)
    assert ds.table == "12134"
    assert (ds.geo, ds.time, ds.metric) == ("KOKkommuneregion0000", "Tid", "ContentsCode")
    assert by_region_year(ds) == {("0301", "2024"): 81240, ("4601", "2024"): 66605, ("5001", "2024"): 62853}
    assert ds.dimension(ds.geo).label_of("4601") == "Bergen"
    assert ds.dimension("ContentsCode").label_of("KOSAG110000") == "Frie inntekter per innbygger (kr)"


def test_geography_is_found_through_role_geo_not_by_name():
    doc = sample()
    # rename the geography dimension to something no name heuristic would find, and give another
    # dimension the id "Region": the decoder must follow role.geo
    doc["dimension"]["Omraade"] = doc["dimension"].pop("KOKkommuneregion0000")
    doc["dimension"]["Region"] = doc["dimension"].pop("ContentsCode")
    doc["id"] = ["Omraade", "Region", "Tid"]
    doc["role"] = {"geo": ["Omraade"], "time": ["Tid"], "metric": ["Region"]}
    ds = decode(doc)
    assert ds.geo == "Omraade"
    assert by_region_year(ds)[("5001", "2024")] == 62853


def test_row_major_order_last_dimension_fastest():
    doc = {
        "version": "2.0", "class": "dataset", "id": ["R", "T"], "size": [2, 3],
        "role": {"geo": ["R"], "time": ["T"]},
        "dimension": {
            "R": {"category": {"index": ["5620", "5622"]}},
            "T": {"category": {"index": {"2022": 0, "2023": 1, "2024": 2}}},
        },
        "value": [1, 2, 3, 4, 5, 6],
    }
    values = by_region_year(decode(doc))
    assert values[("5620", "2024")] == 3 and values[("5622", "2022")] == 4


def test_index_object_order_follows_positions_not_key_order():
    doc = {
        "version": "2.0", "class": "dataset", "id": ["R", "T"], "size": [2, 1],
        "role": {"geo": ["R"], "time": ["T"]},
        "dimension": {"R": {"category": {"index": {"5622": 1, "5620": 0}}}, "T": {"category": {"label": {"2024": "2024"}}}},
        "value": [10, 20],
    }
    assert by_region_year(decode(doc)) == {("5620", "2024"): 10, ("5622", "2024"): 20}


def test_sparse_values_and_status_symbols():
    doc = {
        "version": "2.0", "class": "dataset", "id": ["R", "T"], "size": [3, 1],
        "role": {"geo": ["R"], "time": ["T"]},
        "dimension": {"R": {"category": {"index": ["5620", "5622", "5624"]}}, "T": {"category": {"index": ["2024"]}}},
        "value": {"0": 7.5, "2": None},
        "status": {"2": ":"},
    }
    ds = decode(doc)
    cells = {codes["R"]: (cell.value, cell.status) for codes, cell in ds.values()}
    assert cells == {"5620": (7.5, None), "5624": (None, ":")}  # 5622: no value and no symbol


def test_status_as_array_and_as_string():
    doc = sample()
    doc["value"] = [None, 1, 2]
    doc["status"] = ["..", None, None]
    ds = decode(doc)
    assert (ds.cells[0].value, ds.cells[0].status) == (None, "..")
    doc["status"] = "."
    assert {c.status for c in decode(doc).cells} == {"."}


@pytest.mark.parametrize("mutate, key, words", [
    (lambda d: d.update({"value": [1, 2]}), "value", "2 verdier, men size gir 3 celler"),
    (lambda d: d.update({"size": [2, 1, 1]}), "dimension.KOKkommuneregion0000.category", "3 kategorier, men size sier 2"),
    (lambda d: d.update({"size": [3, 1]}), "size", "har 2 tall, men id har 3 dimensjoner"),
    (lambda d: d.update({"class": "collection"}), "class", "ikke et JSON-stat 2.0-datasett"),
    (lambda d: d["role"].pop("geo"), "role.geo", "hvilken dimensjon som er region"),
    (lambda d: d["dimension"].pop("Tid"), "dimension.Tid", "mangler"),
    (lambda d: d.update({"value": [1, "x", 3]}), "value[1]", "forventet et tall"),
    (lambda d: d.update({"value": {"7": 1}}), "value.7", "ugyldig celleposisjon"),
    (lambda d: d["dimension"]["Tid"]["category"].update({"index": {"2024": 1}}), "dimension.Tid.category.index", "posisjonene"),
])
def test_malformed_datasets_name_the_file_key_and_problem(mutate, key, words):
    doc = sample()
    mutate(doc)
    with pytest.raises(UserInputError) as err:
        decode(doc, "nedlasting.json")
    assert err.value.source == "nedlasting.json"
    assert err.value.key == key
    assert words in err.value.problem


def test_not_json_stat_at_all():
    with pytest.raises(UserInputError, match="ugyldig JSON"):
        parse_jsonstat(b"{not json", "a.json")
    with pytest.raises(UserInputError, match="forventet et JSON-objekt"):
        parse_jsonstat(b"[1, 2, 3]", "a.json")
    v1 = {"dataset": copy.deepcopy(sample())}
    with pytest.raises(UserInputError, match="JSON-stat 1.x"):
        decode(v1)


def test_errors_in_english_on_request():
    set_language("en")
    doc = sample()
    doc["value"] = [1, 2]
    with pytest.raises(UserInputError, match="has 2 values but size gives 3 cells"):
        decode(doc)


def test_a_one_element_status_array_applies_to_every_value():
    # As the JSON-stat toolkit reads it: status ["e"] marks all values, not a length error.
    doc = sample()
    doc["status"] = [":"]
    doc["value"] = [None, 1, None]
    ds = decode(doc)
    assert [(c.value, c.status) for c in ds.cells] == [(None, ":"), (1.0, ":"), (None, ":")]


@pytest.mark.parametrize("keys", [{"01": 1}, {"1": 9, "01": 1}, {"+1": 1}, {" 1": 1}, {"\u0661": 1}, {"1.0": 1}])
def test_sparse_value_keys_must_be_canonical_ascii_positions(keys):
    doc = sample()
    doc["value"] = keys
    with pytest.raises(UserInputError) as err:
        decode(doc, "glissen.json")
    bad = next(k for k in keys if k != "1")
    assert (err.value.source, err.value.key) == ("glissen.json", f"value.{bad}")
    assert "uten innledende null" in err.value.problem


def test_canonical_sparse_keys_are_read():
    doc = sample()
    doc["value"] = {"0": 5, "2": 7}
    assert by_region_year(decode(doc)) == {("0301", "2024"): 5, ("5001", "2024"): 7}


@pytest.mark.parametrize("role", [
    {"geo": ["Tid"], "time": ["Tid"]},
    {"geo": ["KOKkommuneregion0000"], "time": ["Tid"], "metric": ["Tid"]},
    {"geo": ["KOKkommuneregion0000"], "time": ["Tid"], "metric": ["KOKkommuneregion0000"]},
])
def test_geo_time_and_metric_roles_name_different_dimensions(role):
    doc = sample()
    doc["role"] = role
    with pytest.raises(UserInputError) as err:
        decode(doc, "roller.json")
    assert (err.value.source, err.value.key) == ("roller.json", "role")
    assert "ulike dimensjoner" in err.value.problem


def test_too_many_cells_are_refused_before_reading_the_values():
    doc = {
        "version": "2.0", "class": "dataset", "id": ["R", "T"], "size": [2500, 2500],
        "role": {"geo": ["R"], "time": ["T"]},
        "dimension": {"R": {"category": {"index": [f"{i:04d}" for i in range(2500)]}},
                      "T": {"category": {"index": [str(1000 + i) for i in range(2500)]}}},
        "value": {},
    }
    with pytest.raises(UserInputError) as err:
        decode(doc, "stor.json")
    assert (err.value.source, err.value.key) == ("stor.json", "size")
    assert "6,250,000 celler; høyst 5,000,000" in err.value.problem


def test_non_finite_and_overflowing_values_are_refused():
    doc = sample()
    for bad, key in (("NaN", "value[1]"), ("1e999", "value[1]"), ("1" + "0" * 400, "value[1]")):
        raw = json.dumps(doc).replace('"value": [81240, 66605, 62853]', f'"value": [1, {bad}, 3]')
        assert bad in raw
        with pytest.raises(UserInputError) as err:
            parse_jsonstat(raw.encode("utf-8"), "x.json")
        assert err.value.key == key and "forventet et tall" in err.value.problem
