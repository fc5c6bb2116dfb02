"""Importing SSB downloads: figures onto members, calibration, the data folder, scenarios and results."""

from __future__ import annotations

import json
import shutil

import pytest

from optimizer import data
from optimizer.cli import main
from optimizer.errors import UserInputError
from optimizer.pipeline import run
from optimizer.result import resolved_inputs
from optimizer.scenario import load_scenario, resolve
from optimizer.ssb import import_files, load_data_folder, write_data_folder
from optimizer.ssb.importer import read_dataset
from optimizer.ssb.numbers import classify
from optimizer.ssb.tables import KNOWN, POPULATION, SPENDING

from conftest import ROOT

SSB = ROOT / "tests" / "data" / "ssb"
POP_JSON = "07459_midt_finnmark_2024_2025.jsonstat2.json"
POP_CSV = "07459_midt_finnmark_2022_2023.csv"
SPEND_JSON = "12362_midt_finnmark.jsonstat2.json"
SPEND_CSV = "12362_porsanger.csv"
FIRE_CSV = "12058_midt_finnmark_2024.csv"
CHILD_JSON = "12279_midt_finnmark_2024.jsonstat2.json"
ALL = (POP_JSON, POP_CSV, SPEND_JSON, SPEND_CSV, FIRE_CSV, CHILD_JSON)


def files(*names: str) -> list[tuple[str, bytes]]:
    return [(name, (SSB / name).read_bytes()) for name in names]


def figures(name: str) -> dict[tuple, float]:
    """Figures a known table gives, by (kind, member, year, function, measure)."""
    ds = read_dataset((SSB / name).read_bytes(), name)
    regions = {code: classify(code, name) for code in ds.dimension(ds.geo).codes}
    found, _ = KNOWN[ds.table](ds, regions)
    return {(f.kind, f.member, f.year, f.function, f.measure): f.value for f in found}


@pytest.fixture(scope="module")
def result():
    return import_files(files(*ALL), imported_at="2026-04-01T10:00:00+00:00")


@pytest.fixture
def folder(tmp_path, result):
    out = tmp_path / "data" / "midt"
    write_data_folder(result, out)
    return out


# ---------------------------------------------------------------------------------------------
# Figures land on the right municipality and year


def test_population_from_json_stat_sums_sexes_and_ages():
    found = figures(POP_JSON)
    assert found[(POPULATION, "5620", "2024", "", "")] == 2951
    assert found[("children_0_17", "5622", "2025", "", "")] == 780
    assert not any(key[1] == "56" for key in found)  # the county is not a member


def test_population_from_latin1_csv_with_old_numbers_and_a_missing_value():
    found = figures(POP_CSV)
    assert found[(POPULATION, "5622", "2023", "", "")] == 3870  # written as 5436
    assert found[("children_0_17", "5626", "2023", "", "")] == 193  # written as 5439
    assert (POPULATION, "5626", "2023", "", "") not in found  # age 105+ is ".." that year
    assert found[(POPULATION, "5626", "2022", "", "")] == 1100


def test_spending_from_json_stat_and_csv_in_nok():
    found = figures(SPEND_JSON)
    assert found[(SPENDING, "5626", "2023", "338", "gross")] == 1_450_000  # written as 5439 in 2023
    assert found[(SPENDING, "5626", "2024", "338", "gross")] == 1_500_000
    assert (SPENDING, "5624", "2024", "301", "gross") not in found  # ":" suppressed
    csv_found = figures(SPEND_CSV)
    assert csv_found[(SPENDING, "5622", "2019", "244", "gross")] == 11_600_500  # number 2020 = Porsanger
    assert csv_found[(SPENDING, "5622", "2024", "244", "net")] == found[(SPENDING, "5622", "2024", "244", "net")]


def test_number_changes_are_reported(result):
    assert f"{SPEND_CSV}: 2020 (Porsanger, before 2020) -> 5622" in result.number_changes
    assert f"{POP_CSV}: 5439 (Gamvik, 2020-2023) -> 5626" in result.number_changes
    assert any("5439 (Gamvik, 2020-2023) -> 5626" in line for line in result.report())


def test_unknown_table_warns_and_is_kept_as_raw_data():
    res = import_files(files("ssb_12134_sample.jsonstat2.json"))
    assert any("12134" in w and "ingenting ble kartlagt" in w for w in res.warnings)
    assert res.calibration.parameters == () and res.calibration.municipalities == ()
    raw = res.folder_files()["raw_12134.csv"].splitlines()
    assert raw[0].startswith("table,source_file,region,region_code,region_kind,region_label,year")
    assert "12134,ssb_12134_sample.jsonstat2.json,4601,4601,other,Bergen,2024" in raw[2]


def test_merged_away_municipality_warns_instead_of_failing():
    # Neither Kvalsund nor pre-2020 Hammerfest (without Kvalsund) is today's Hammerfest: both raw only.
    raw = '"region";"år";"Personer"\n"2017 Kvalsund (-2019)";"2019";1000\n"2004 Hammerfest (-2019)";"2019";10500\n'
    res = import_files([("07459_kvalsund.csv", raw.encode())])
    assert any("Kvalsund" in w and "2017" in w and "ikke lagt på noe medlem" in w for w in res.warnings)
    assert any("2004" in w and "ikke lagt på noe medlem" in w for w in res.warnings)
    assert res.calibration.municipalities == ()
    assert "07459,07459_kvalsund.csv,2004,2004,former,Hammerfest (-2019),2019" in res.raw["raw_07459.csv"]


def test_old_finnmark_number_missing_from_the_table_warns_instead_of_failing():
    raw = ('"07459: Befolkning"\n"region";"år";"Personer"\n"2016 Sørøysund (-1991)";"1991";1300\n'
           '"2013 Talvik (-1991)";"1991";2500\n"2019 Nordkapp (-2019)";"2019";3200\n')
    res = import_files([("07459_gamle.csv", raw.encode())])
    assert any(w.startswith("07459_gamle.csv: 2016 (før 2020)") and "ikke lagt på noe medlem" in w for w in res.warnings)
    assert any(w.startswith("07459_gamle.csv: 2013 (før 2020)") for w in res.warnings)
    assert [(m.number, m.population) for m in res.calibration.municipalities] == [("5620", 3200)]


def test_two_values_for_one_member_and_year_are_refused():
    raw = ('"07459: Befolkning"\n"region";"år";"Personer"\n'
           '"5435 Nordkapp (2020-2023)";"2023";2970\n"5620 Nordkapp";"2023";2990\n')
    with pytest.raises(UserInputError) as err:
        import_files([("dobbel.csv", raw.encode())])
    assert err.value.source == "dobbel.csv"
    assert "tvetydig" in err.value.problem and "5620 2023" in err.value.problem


# ---------------------------------------------------------------------------------------------
# Calibration


def test_parameters_say_what_they_came_from(result):
    params = {p.key: p for p in result.calibration.parameters}
    assert set(params) == {"services.fire_prevention.fte_per_1000", "services.fire_prevention.cost_per_fte",
                           "services.child_welfare.fte_per_1000"}
    fte = params["services.fire_prevention.fte_per_1000"]
    # 12058 prevention + sweeping; Lebesby's sweeping is ":" (suppressed), so Lebesby is left out
    # rather than counted with 0.82 prevention only.
    pop = {"5620": 2951, "5622": 3889, "5626": 1070}  # 07459, 2024
    per_1000 = {"5620": 0.34 + 0.34, "5622": 0.26 + 0.26, "5626": 0.93 + 0.47}
    assert (fte.status, fte.table, fte.year) == ("imported", "12058", "2024")
    assert fte.value == pytest.approx((0.68 * 2951 + 0.52 * 3889 + 1.40 * 1070) / (2951 + 3889 + 1070))  # 0.69873
    assert fte.value == pytest.approx(sum(per_1000[m] * pop[m] for m in pop) / sum(pop.values()))
    assert "municipalities used: 5620, 5622, 5626 (the founding (core) municipalities in the file)" in fte.basis
    assert any("5624 2024 (Årsverk i feiing per 1 000 innbyggere: :)" in w and "utelatt" in w for w in result.warnings)
    cost = params["services.fire_prevention.cost_per_fte"]
    # Staffed alone with 2025 populations (what a scenario uses) at 0.69873 per 1000, 0.5-FTE steps,
    # min_fte 2: Nordkapp 2930 -> 2.047 -> 2.5; Porsanger 3902 -> 2.726 -> 3.0; Gamvik 1061 -> 0.741 -> 2.0.
    # Gross 338 in 2024: 2,450,000 + 2,800,000 + 1,500,000; fixed cost 300,000 per unit.
    assert cost.status == "calibrated"
    assert cost.value == pytest.approx((6_750_000 - 3 * 300_000) / (2.5 + 3.0 + 2.0))  # 780,000
    assert "catalogue's fixed cost and min_fte" in cost.basis and "not recalibrated" in cost.basis
    assert "Municipalities used: 5620, 5622, 5626" in cost.basis
    assert any("min_fte 2" in w and "5626" in w and "5620" not in w for w in result.warnings)
    child = params["services.child_welfare.fte_per_1000"]
    kids = {"5620": 530, "5622": 790, "5624": 195, "5626": 190}  # 07459, 2024
    positions = {"5620": 7.7, "5622": 6.4, "5624": 10.5, "5626": 10.8}  # 12279 "i alt", not "med fagutdanning"
    inhabitants = 2951 + 3889 + 1215 + 1070  # 07459, 2024
    assert child.value == pytest.approx(sum(positions[m] * kids[m] for m in kids) / inhabitants)


def test_actual_spending_prefers_gross_and_the_latest_complete_year(result):
    rows = {(s.member, s.group): s for s in result.calibration.actual_spending}
    assert rows[("5620", "244")].nok == 9_400_000 and rows[("5620", "244")].measure == "gross"
    assert rows[("5620", "301+302")].nok == 1_550_000 + 850_000
    assert rows[("5624", "301+302")].year == "2023"  # 301 gross is suppressed in 2024
    assert ("5620", "120+190") not in rows  # not in the files


def test_without_fte_figures_cost_parameters_keep_their_estimates():
    res = import_files(files(SPEND_JSON))
    assert res.calibration.parameters == ()
    assert len(res.calibration.actual_spending) == 12


# ---------------------------------------------------------------------------------------------
# The data folder and the command line


def test_folder_round_trip_equals_the_in_memory_result(folder, result):
    assert sorted(p.name for p in folder.iterdir()) == [
        ".vertskommune", "actual_spending.csv", "municipalities.csv", "parameters.csv", "provenance.json",
        "raw_07459.csv", "raw_12058.csv", "raw_12279.csv", "raw_12362.csv"]
    loaded, memory = load_data_folder(folder), result.data()
    assert loaded.parameters == memory.parameters
    assert loaded.municipalities == memory.municipalities
    assert loaded.actual_spending == memory.actual_spending
    provenance = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    assert provenance["imported_at"] == "2026-04-01T10:00:00+00:00"
    assert {f["table"] for f in provenance["files"]} == {"07459", "12362", "12058", "12279"}
    assert all(len(f["sha256"]) == 64 for f in provenance["files"])


def test_cli_import_writes_the_folder_and_says_what_it_derived(tmp_path, capsys):
    out = tmp_path / "region"
    assert main(["import", str(SSB / POP_JSON), str(SSB / FIRE_CSV), "--out", str(out), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    assert "services.fire_prevention.fte_per_1000 = 0.699 (imported; SSB 12058 2024)" in printed  # without Lebesby
    assert (out / "parameters.csv").is_file()


@pytest.mark.parametrize("bad, words", [
    (b'{"class": "dataset", "id": ["R"], "size": [2], "dimension": {"R": {"category": {"index": ["5620"]}}}}',
     "1 kategorier, men size sier 2"),
    ((b'{"version": "2.0", "class": "dataset", "id": ["R", "T"], "size": [1, 1], "role": {"geo": ["R"], "time": ["T"]},'
      b' "dimension": {"R": {"category": {"index": ["5620"]}}, "T": {"category": {"index": ["2024"]}}}, "value": [1, 2]}'),
     "2 verdier, men size gir 1 celler"),
    (b'[1, 2]', "ikke et JSON-stat-datasett"),
    (b'"region";"2024"\n"5699 Ukjent";1\n', "ukjent kommunenummer i Finnmark: 5699"),
])
def test_a_bad_file_exits_2_names_it_and_writes_nothing(tmp_path, capsys, bad, words):
    (tmp_path / "bad.json").write_bytes(bad)
    out = tmp_path / "region"
    code = main(["import", str(SSB / POP_JSON), str(tmp_path / "bad.json"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.json" in err and words in err and "ingenting ble skrevet" in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.json"]  # no staging folder left either


def test_a_folder_that_is_not_a_data_folder_is_not_replaced(tmp_path, result):
    (tmp_path / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(UserInputError, match="er ikke et tidligere resultat av samme slag \\(ssb-import\\)"):
        write_data_folder(result, tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "keep me"


# ---------------------------------------------------------------------------------------------
# Scenarios and results on imported data


def leaves(tree, prefix=""):
    if isinstance(tree, dict):
        out = {}
        for key, value in tree.items():
            out.update(leaves(value, f"{prefix}{key}."))
        return out
    return {prefix.rstrip("."): tree}


def test_resolved_inputs_differ_exactly_where_imported_figures_differ(folder, write_scenario, result):
    baseline = (ROOT / "scenarios" / "baseline.toml").read_text(encoding="utf-8")
    embedded = write_scenario("embedded", baseline)
    imported = write_scenario("imported", f'data = "{folder.relative_to(embedded.parent)}"\n' + baseline)
    before = leaves(resolved_inputs(load_scenario(embedded)))
    after = leaves(resolved_inputs(load_scenario(imported)))
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    expected = {"data"}
    for m in result.calibration.municipalities:
        if m.population != data.municipalities()[m.number].population:
            expected.add(f"municipalities.{m.number}.population")
        expected.add(f"municipalities.{m.number}.children_0_17")
    for p in result.calibration.parameters:
        expected |= {f"services.{p.service}.params.{p.param}.value", f"services.{p.service}.params.{p.param}.status"}
    assert changed == expected
    assert after["municipalities.5620.population"] == 2930


def test_summary_lists_provenance_and_compares_with_actual_spending(folder, write_scenario):
    path = write_scenario("imported", f'members = ["5620", "5622", "5624", "5626"]\ndata = "{folder}"\n')
    res = run(load_scenario(path))
    summary = res.summary()
    provenance = summary["provenance"]
    assert provenance["imported"]["imported_at"] == "2026-04-01T10:00:00+00:00"
    tables = {t["name"]: t for t in provenance["imported"]["tables"]}
    assert tables[SPEND_JSON]["table"] == "12362" and tables[SPEND_JSON]["years"] == ["2023", "2024"]
    assert len(tables[SPEND_JSON]["sha256"]) == 64
    assert "5620: SSB 07459, 1 January 2025" in provenance["population"]
    assert "services.fire_prevention.fte_per_1000" not in provenance["estimates"]
    assert "services.fire_prevention.fixed_cost" in provenance["estimates"]  # still an estimate
    rows = {(r["member"], r["kostra_functions"]): r for r in summary["actual_spending"]}
    assert len(rows) == 12 and ("5620", "120+190") not in rows
    row = rows[("5622", "244")]
    assert row["services"] == "child_welfare child_welfare_on_call" and row["actual_nok"] == 12_500_000
    assert row["stand_alone_nok"] == pytest.approx(
        res.stand_alone("5622", "child_welfare") + res.stand_alone("5622", "child_welfare_on_call"))
    assert row["cooperation_nok"] == pytest.approx(
        res.plan.payment("5622", "child_welfare") + res.plan.payment("5622", "child_welfare_on_call"))


def test_embedded_run_has_no_actual_spending_section():
    res = run(resolve({"members": ["5620", "5624"]}, scenario_id="t"))
    assert res.actual_spending_rows() == [] and "actual_spending" not in res.summary()
    assert res.summary()["scenario"]["resolved"]["data"] == "embedded"


def test_upload_without_a_folder_resolves_the_same(folder, result):
    table = {"members": ["5620", "5622"]}
    from_folder = resolve({**table, "data": str(folder)}, scenario_id="t")
    in_memory = resolve(table, scenario_id="t", imported=result.data())
    assert {k: v for k, v in resolved_inputs(from_folder).items() if k != "data"} == \
        {k: v for k, v in resolved_inputs(in_memory).items() if k != "data"}


def test_missing_data_folder_names_the_scenario_key(write_scenario):
    path = write_scenario("s", 'members = ["5620"]\ndata = "finnes-ikke"\n')
    with pytest.raises(UserInputError) as err:
        load_scenario(path)
    assert err.value.source == str(path) and err.value.key == "data"
    assert "fant ikke datamappen" in err.value.problem


def test_malformed_data_folder_names_the_file(folder, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    (broken / "parameters.csv").write_text("service,param,value,status,table,year,basis\nict,speed,1,imported,x,2024,b\n",
                                           encoding="utf-8")
    with pytest.raises(UserInputError) as err:
        resolve({"members": ["5620"], "data": str(broken)}, scenario_id="t")
    assert err.value.source == str(broken / "parameters.csv") and "ukjent parameter ict.speed" in err.value.problem
    (broken / "parameters.csv").write_text("service,param,value,status,table,year,basis\nict,min_fte,9999,imported,x,2024,b\n",
                                           encoding="utf-8")
    with pytest.raises(UserInputError, match="9999 er utenfor"):
        resolve({"members": ["5620"], "data": str(broken)}, scenario_id="t")
    (broken / "provenance.json").unlink()
    with pytest.raises(UserInputError, match="er dette en importert datamappe"):
        resolve({"members": ["5620"], "data": str(broken)}, scenario_id="t")


def test_known_table_with_nothing_recognised_warns():
    raw = '"12058: Brann"\n"region";"statistikkvariabel";"år";"verdi"\n"5620 Nordkapp";"Andel piper feiet (prosent)";"2024";25\n'
    res = import_files([("12058.csv", raw.encode())])
    assert res.calibration.parameters == ()
    assert any("tabell 12058 er kjent, men ingenting ble kartlagt" in w for w in res.warnings)


def test_the_same_figures_in_two_files_count_once():
    once = import_files(files(POP_JSON, SPEND_JSON, FIRE_CSV)).calibration.parameters
    twice = import_files(files(POP_JSON, SPEND_JSON, FIRE_CSV) + [("copy.csv", (SSB / FIRE_CSV).read_bytes())])
    assert len(once) == 2 and twice.calibration.parameters == once  # values and bases alike


# ---------------------------------------------------------------------------------------------
# Review fixes: calibration reproduces spending, calibration pool, bad files, speed


def test_calibrated_fire_cost_reproduces_the_actual_spending_it_came_from(result):
    # The model's stand-alone cost of the calibration municipalities (fixed cost + staffed FTE x
    # cost per FTE, no travel when alone) must add up to their gross spending on function 338 in
    # 2024 (12362): Nordkapp 2,450,000 + Porsanger 2,800,000 + Gamvik 1,500,000. Lebesby is not
    # one of them: its sweeping FTE figure is suppressed.
    scenario = resolve({"members": ["5620", "5622", "5624", "5626"]}, scenario_id="t", imported=result.data())
    res = run(scenario)
    modelled = sum(res.stand_alone(m, "fire_prevention") for m in ("5620", "5622", "5626"))
    assert modelled == pytest.approx(2_450_000 + 2_800_000 + 1_500_000, abs=1.0)


def fire_csv(rows: dict[str, tuple[str, str]]) -> bytes:
    """A 12058 long-layout CSV with prevention and sweeping FTE per 1000 for 2024."""
    lines = ['"12058: Brann- og ulykkesvern"', '"region";"statistikkvariabel";"år";"verdi"']
    for region, (prevention, sweeping) in rows.items():
        lines.append(f'"{region}";"Årsverk i forebyggende arbeid per 1 000 innbyggere";"2024";{prevention}')
        lines.append(f'"{region}";"Årsverk i feiing per 1 000 innbyggere";"2024";{sweeping}')
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_calibration_uses_the_founding_members_in_a_county_wide_file():
    raw = fire_csv({"5601 Alta": ("0,1", "0,1"), "5603 Hammerfest": ("0,3", "0,3"), "5620 Nordkapp": ("0,34", "0,34"),
                    "5622 Porsanger": ("0,26", "0,26")})
    params = {p.key: p for p in import_files([("12058.csv", raw)]).calibration.parameters}
    fte = params["services.fire_prevention.fte_per_1000"]
    # embedded populations (no 07459): Nordkapp 2951, Porsanger 3889; Alta and Hammerfest left out
    assert fte.value == pytest.approx((0.68 * 2951 + 0.52 * 3889) / (2951 + 3889))
    assert "municipalities used: 5620, 5622 (the founding (core) municipalities in the file)" in fte.basis


def test_without_founding_members_every_toolkit_municipality_in_the_file_is_used():
    raw = fire_csv({"5601 Alta": ("0,1", "0,1"), "5603 Hammerfest": ("0,3", "0,3"), "0301 Oslo": ("0,5", "0,5")})
    fte = import_files([("12058.csv", raw)]).calibration.parameters[0]
    assert fte.value == pytest.approx((0.2 * 21708 + 0.6 * 11338) / (21708 + 11338))  # embedded populations
    assert "municipalities used: 5601, 5603 (every toolkit municipality in the file" in fte.basis


def test_docs_name_the_calibration_municipalities():
    docs = (ROOT / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    assert "founding (core) municipalities" in docs and "min_fte" in docs


TITLED_12058 = ('"12058: Brann- og ulykkesvern - nøkkeltall (K) 2015 - 2024"\n\n'
                '"region";"statistikkvariabel";"år";"12058: Brann- og ulykkesvern - nøkkeltall (K) 2015 - 2024"\n'
                '"5620 Nordkapp";"Årsverk i forebyggende arbeid per 1 000 innbyggere";"2019";0,10\n'
                '"5620 Nordkapp";"Årsverk i forebyggende arbeid per 1 000 innbyggere";"2024";0,34\n')


def test_cli_imports_a_long_table_whose_value_header_ends_in_a_year(tmp_path, capsys):
    (tmp_path / "12058.csv").write_text(TITLED_12058, encoding="utf-8")
    out = tmp_path / "region"
    assert main(["import", str(tmp_path / "12058.csv"), "--out", str(out), "--lang", "en"]) == 0
    assert "services.fire_prevention.fte_per_1000 = 0.34 (imported; SSB 12058 2024)" in capsys.readouterr().out
    raw = (out / "raw_12058.csv").read_text(encoding="utf-8").splitlines()
    assert len(raw) == 3 and raw[2].endswith(",0.34,")


def test_cli_names_the_file_without_a_traceback_whatever_goes_wrong_in_it(tmp_path, capsys, monkeypatch):
    from optimizer.ssb import importer

    def broken(*_: object):
        raise ValueError("tuple.index(x): x not in tuple")

    monkeypatch.setattr(importer, "parse_statbank_csv", broken)
    (tmp_path / "rar.csv").write_text(TITLED_12058, encoding="utf-8")
    code = main(["import", str(tmp_path / "rar.csv"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{tmp_path / 'rar.csv'}: filen kunne ikke leses (ValueError: tuple.index(x)" in err
    assert not (tmp_path / "out").exists()


def test_saving_against_actual_spending_needs_every_service_of_the_group(result):
    table = {"members": ["5620", "5622"], "services": {"child_welfare_on_call": {"enabled": False}}}
    res = run(resolve(table, scenario_id="t", imported=result.data()))
    rows = {(r["member"], r["kostra_functions"]): r for r in res.actual_spending_rows()}
    partial = rows[("5622", "244")]  # 244 pays for child welfare and its on-call service; only the first is modelled
    assert (partial["services"], partial["services_missing"]) == ("child_welfare", "child_welfare_on_call")
    assert partial["saving_vs_actual_nok"] is None and partial["comparable"] is False
    assert partial["actual_nok"] == 12_500_000 and partial["stand_alone_nok"] == pytest.approx(
        res.stand_alone("5622", "child_welfare"))
    whole = rows[("5622", "338")]
    assert whole["comparable"] is True
    assert whole["saving_vs_actual_nok"] == pytest.approx(2_800_000 - res.plan.payment("5622", "fire_prevention"))


@pytest.mark.parametrize("name, text, key, words", [
    ("municipalities.csv", "number,name\n5620,Nordkapp\n", "linje 1", "mangler kolonnene population, population_year"),
    ("parameters.csv", "service,param\n", "linje 1", "mangler kolonnene value, status"),
    ("actual_spending.csv", "", "linje 1", "mangler kolonnene member"),
    ("parameters.csv", "service,param,value,status,table,year,basis\nfire_prevention,fte_per_1000\n",
     "linje 2", "annet antall felt enn overskriftslinjen (7)"),
    ("parameters.csv", "service,param,value,status,table,year,basis\nfire_prevention,fte_per_1000,nan,imported,12058,2024,x\n",
     "linje 2, value", "forventet et tall, fikk 'nan'"),
    ("municipalities.csv", "number,name,population,population_year,children_0_17,children_year,table\n"
     "5620,N,²,2024,,,07459\n", "linje 2, population", "forventet et positivt heltall, fikk '²'"),
    ("provenance.json", '{"format": "vertskommune-data/1", "files": [1]}', "files", "en liste med objekter"),
])
def test_every_malformed_data_folder_file_is_named_with_line_and_column(folder, tmp_path, name, text, key, words):
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    (broken / name).write_text(text, encoding="utf-8")
    with pytest.raises(UserInputError) as err:
        load_data_folder(broken)
    assert (err.value.source, err.value.key) == (str(broken / name), key)
    assert words in err.value.problem


def test_a_data_folder_file_that_is_not_utf8_is_named(folder, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    (broken / "parameters.csv").write_bytes("service,param,value,status,table,year,basis\nå".encode("latin-1"))
    with pytest.raises(UserInputError) as err:
        load_data_folder(broken)
    assert err.value.source == str(broken / "parameters.csv") and "ikke UTF-8" in err.value.problem


def test_a_table_with_many_regions_keeps_every_value():
    # The speed of this case is measured in benchmarks/bench_import.py.
    regions, years = [f"R{i:05d}" for i in range(10_000)], [str(y) for y in range(2005, 2025)]
    doc = {"version": "2.0", "class": "dataset", "label": "99999: test", "id": ["Region", "Tid"],
           "size": [len(regions), len(years)], "role": {"geo": ["Region"], "time": ["Tid"]},
           "dimension": {"Region": {"category": {"index": regions}}, "Tid": {"category": {"index": years}}},
           "value": list(range(len(regions) * len(years)))}
    res = import_files([("99999.json", json.dumps(doc).encode("utf-8"))])
    raw = res.raw["raw_99999.csv"].splitlines()
    assert len(raw) == 1 + 200_000 and raw[-1] == "99999,99999.json,R09999,R09999,other,R09999,2024,2024,,,,,199999,"


def test_a_member_year_without_any_fte_figure_is_skipped_silently():
    # Gamvik under its 2020-2023 number has "." (not applicable) in 2024 for both variables: no figure,
    # and nothing to warn about, since no part of a sum is missing.
    raw = fire_csv({"5620 Nordkapp": ("0,34", "0,34"), "5439 Gamvik (2020-2023)": (".", ".")})
    res = import_files([("12058.csv", raw)])
    assert res.calibration.parameters[0].value == pytest.approx(0.68)
    assert not any("utelatt" in w for w in res.warnings)
