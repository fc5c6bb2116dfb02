"""Issue 12, case 4 and determinism: the same answer whatever ran before in the process, and the
same bytes from two runs of the same scenario."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from optimizer.cli import main
from optimizer.newcomer import statement_for
from optimizer.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
# every shipped scenario of at most 8 members (larger ones take seconds to minutes each: the engine's
# scale work, issue 11)
SHIPPED = sorted(p for p in (ROOT / "scenarios").glob("*.toml") if len(load_scenario(p).members) <= 8)


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fresh_process(tmp_path_factory) -> dict[str, bytes]:
    """Every shipped scenario run in a process of its own: the reference."""
    out = tmp_path_factory.mktemp("fresh")
    proc = subprocess.run([sys.executable, "-m", "optimizer", "run", *map(str, SHIPPED), "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "HiGHS" not in proc.stdout  # no solver banner in the user's output
    return files_of(out)


ORDERS = {
    "reversed": SHIPPED[::-1],
    "no_fairness first": sorted(SHIPPED, key=lambda p: (p.stem != "no_fairness", p.stem)),
    "interleaved": SHIPPED[1::2] + SHIPPED[::2],
}


@pytest.mark.parametrize("order", ORDERS)
def test_every_shipped_scenario_gives_the_same_files_in_any_order_in_one_process(tmp_path, fresh_process, order):
    statement_for(load_scenario(ROOT / "scenarios" / "no_fairness.toml"))  # a nucleolus LP runs first
    assert main(["run", *map(str, ORDERS[order]), "--out", str(tmp_path)]) == 0
    assert files_of(tmp_path) == fresh_process


def test_a_scenario_with_more_solver_threads_between_two_others(tmp_path, write_scenario):
    threads = write_scenario("threads", f"""
        extends = "{(ROOT / 'scenarios' / 'baseline.toml').as_posix()}"
        [solver]
        threads = 2
    """)
    baseline = ROOT / "scenarios" / "baseline.toml"
    assert main(["run", str(baseline), str(threads), str(ROOT / "scenarios" / "no_fairness.toml"),
                 "--out", str(tmp_path)]) == 0


def test_summary_json_has_no_timings(tmp_path):
    for out in ("a", "b"):
        assert main(["run", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(tmp_path / out)]) == 0
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    assert b'"seconds"' not in (tmp_path / "a" / "baseline" / "summary.json").read_bytes()
