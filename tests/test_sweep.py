"""Grid sweeps: parsing, validation, infeasible points, and the same table locally and on Dask."""

from __future__ import annotations

import csv
import io

import pytest

from optimizer.cli import main
from optimizer.errors import UserInputError
from optimizer.scenario import load_scenario
from optimizer.sweep import Vary, grid_scenarios, parse_vary, sweep

from conftest import SCENARIOS

GRID = [Vary("services.child_welfare.cost_per_fte", (900000, 1_200_000)), Vary("cost_key.fixed_share", (0.2, 0.5))]


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(SCENARIOS / "baseline.toml")


def test_parse_vary_reads_toml_values():
    assert parse_vary("cost_key.fixed_share=0.2, 0.3") == Vary("cost_key.fixed_share", (0.2, 0.3))
    assert parse_vary("fairness.enabled=true,false").values == (True, False)
    assert parse_vary('cost_key.method="per_capita",equal').values == ("per_capita", "equal")
    with pytest.raises(UserInputError):
        parse_vary("cost_key.fixed_share")


def test_grid_overrides_keys_and_names_bad_values(baseline):
    points = grid_scenarios(baseline, GRID)
    assert [p for p, _ in points] == [
        {"services.child_welfare.cost_per_fte": a, "cost_key.fixed_share": b}
        for a in (900000, 1_200_000) for b in (0.2, 0.5)
    ]
    _, last = points[-1]
    assert last.service("child_welfare").value("cost_per_fte") == 1_200_000 and last.cost_key.fixed_share == 0.5
    assert baseline.cost_key.fixed_share == 0.3  # the scenario itself is untouched
    with pytest.raises(UserInputError) as err:
        grid_scenarios(baseline, [Vary("cost_key.fixed_share", (0.2, 7))])
    assert err.value.source == "--vary" and err.value.key == "cost_key.fixed_share"


def test_same_table_in_process_on_local_processes_and_on_a_dask_cluster(baseline):
    from distributed import LocalCluster

    serial = sweep(baseline, GRID, workers=1)
    local = sweep(baseline, GRID, workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        on_dask = sweep(baseline, GRID, scheduler=cluster.scheduler_address)
    assert local == serial and on_dask == serial
    assert [r["status"] for r in serial] == ["ok"] * 4
    dearer = [r for r in serial if r["services.child_welfare.cost_per_fte"] == 1_200_000]
    cheaper = [r for r in serial if r["services.child_welfare.cost_per_fte"] == 900000]
    assert all(d["total_nok"] > c["total_nok"] for d, c in zip(dearer, cheaper))
    for r in serial:
        assert sum(r[f"share.{m}"] for m in baseline.members) == pytest.approx(1.0)


def test_infeasible_points_are_tabulated_with_the_rules_to_loosen(baseline):
    rows = sweep(baseline, [Vary("fairness.min_shared_units_hosted", (1, 9))], workers=1)
    assert [r["status"] for r in rows] == ["ok", "infeasible"]
    assert "fairness.min_shared_units_hosted" in rows[1]["loosen"] and rows[1]["total_nok"] == ""


def test_cli_sweep_writes_the_table(tmp_path, capsys):
    code = main(["sweep", str(SCENARIOS / "baseline.toml"), "--vary", "cost_key.fixed_share=0.2,0.4",
                 "--workers", "1", "--out", str(tmp_path)])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "baseline-sweep" / "sweep.csv").read_text(encoding="utf-8"))))
    assert [r["cost_key.fixed_share"] for r in rows] == ["0.2", "0.4"]
    assert rows[0]["host.child_welfare"] == "5622"
    assert "2 punkter, 2 mulige" in capsys.readouterr().out
    assert main(["sweep", str(SCENARIOS / "baseline.toml"), "--vary", "cost_key.fixed_shar=0.2",
                 "--out", str(tmp_path)]) == 2
    assert "--vary: cost_key.fixed_shar" in capsys.readouterr().err


def test_grid_points_keep_the_imported_ssb_data():
    import tomllib

    from optimizer.scenario import resolve
    from optimizer.ssb import import_files

    ssb = SCENARIOS.parent / "tests" / "data" / "ssb"
    names = ("07459_midt_finnmark_2024_2025.jsonstat2.json", "12362_midt_finnmark.jsonstat2.json",
             "12058_midt_finnmark_2024.csv")
    imported = import_files([(n, (ssb / n).read_bytes()) for n in names], imported_at="2026-04-01T10:00:00+00:00").data()
    table = tomllib.loads((SCENARIOS / "baseline.toml").read_text(encoding="utf-8"))
    scenario = resolve(table, scenario_id="ssb", imported=imported)
    embedded = resolve(table, scenario_id="plain")
    assert scenario.population("5620") != embedded.population("5620")  # the fixture changes what is checked
    (_, point), = grid_scenarios(scenario, [Vary("cost_key.fixed_share", (0.4,))])
    assert point.imported is imported and point.cost_key.fixed_share == 0.4
    assert [point.population(m) for m in scenario.members] == [scenario.population(m) for m in scenario.members]
    fire = ("fire_prevention", "cost_per_fte")
    assert point.service(fire[0]).value(fire[1]) == scenario.service(fire[0]).value(fire[1])
