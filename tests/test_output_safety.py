"""Issue 12, cases 1 and 2: no write replaces what is not an earlier result, loses the old one or
leaves leftovers; concurrent writers never fail and a reader never sees the folder missing."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from optimizer import output
from optimizer.cli import main
from optimizer.output import OutputError, write_file, write_folder

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.toml"


def visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- case 1: a scenario id that names a folder of the user's ------------------------------------

@pytest.mark.parametrize("stem", [".", "..", "con", "a:b", "trailing."])
def test_unsafe_scenario_ids_are_refused_with_exit_2(tmp_path, capsys, stem):
    path = tmp_path / f"{stem}.toml"
    path.write_bytes(BASELINE.read_bytes())
    results = tmp_path / "results"
    (results / "keep").mkdir(parents=True)
    (results / "keep" / "a.txt").write_text("mine")
    assert main(["run", str(path), "--out", str(results)]) == 2
    err = capsys.readouterr().err
    assert "scenario-id" in err and "mappenavn" in err and "Traceback" not in err
    assert visible(results) == ["keep"] and (results / "keep" / "a.txt").read_text() == "mine"


def test_a_scenario_named_like_a_foreign_folder_does_not_replace_it(tmp_path, capsys):
    docs = tmp_path / "proj" / "docs"
    docs.mkdir(parents=True)
    (docs / "README.md").write_text("my notes")
    scenario = tmp_path / "docs.toml"
    scenario.write_bytes(BASELINE.read_bytes())
    assert main(["run", str(scenario), "--out", str(tmp_path / "proj")]) == 2
    assert "er ikke et tidligere resultat av samme slag (run)" in capsys.readouterr().err
    assert visible(docs) == ["README.md"] and (docs / "README.md").read_text() == "my notes"
    assert visible(tmp_path / "proj") == ["docs"]  # no staging folder left beside it


def test_a_result_of_another_kind_is_not_replaced(tmp_path):
    write_folder(tmp_path / "x", {"a.csv": "1"}, kind="simulation")
    with pytest.raises(OutputError, match=r"\(run\)"):
        write_folder(tmp_path / "x", {"a.csv": "2"}, kind="run")
    assert (tmp_path / "x" / "a.csv").read_text() == "1"


def test_a_result_folder_of_an_earlier_version_without_marker_is_replaced(tmp_path):
    old = tmp_path / "baseline"
    old.mkdir()
    (old / "summary.json").write_text("{}")
    write_folder(old, {"summary.json": "{\"new\": 1}", "hosts.csv": "a\n"}, kind="run")
    assert json.loads((old / "summary.json").read_text()) == {"new": 1}


def test_a_symlink_at_the_target_is_not_followed(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    write_folder(elsewhere, {"a.csv": "1"}, kind="run")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x").symlink_to(elsewhere)
    with pytest.raises(OutputError):
        write_folder(tmp_path / "out" / "x", {"a.csv": "2"}, kind="run")
    assert (elsewhere / "a.csv").read_text() == "1"


# --- case 2: leftovers, lost results, concurrent writers -----------------------------------------

def _dead_pid() -> int:
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(proc.stdout)


def _result(folder: Path, summary: str) -> None:
    folder.mkdir()
    (folder / "summary.json").write_text(summary)
    (folder / output.MARKER).write_text("vertskommune run\n")


def test_leftovers_of_a_killed_run_are_removed_and_a_moved_away_result_restored(tmp_path):
    pid = _dead_pid()
    staging = tmp_path / f".b1.tmp-{pid}-{'a' * 12}"
    staging.mkdir()
    (staging / "hosts.csv").write_text("half")
    temp_file = tmp_path / f".baseline.pptx.tmp-{pid}-{'b' * 12}"
    temp_file.write_bytes(b"half")
    backup = tmp_path / f".b1.backup-{pid}-{'c' * 12}"  # killed between the two renames
    _result(backup, "old")
    live = tmp_path / f".b1.tmp-{os.getpid()}-{'d' * 12}"  # a writer still at work: left alone
    live.mkdir()

    write_folder(tmp_path / "b2", {"summary.json": "other"}, kind="run")  # another target: b1's left alone
    assert backup.exists() and staging.exists()
    write_file(tmp_path / "baseline.pptx", b"deck")
    assert not temp_file.exists()

    write_folder(tmp_path / "b1", {"summary.json": "new"}, kind="run")
    assert (tmp_path / "b1" / "summary.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        live.name, ".vertskommune-files.json", "b1", "b2", "baseline.pptx"]


def test_a_restored_backup_is_the_previous_result(tmp_path):
    backup = tmp_path / f".b1.backup-{_dead_pid()}-{'c' * 12}"
    _result(backup, "old")
    output._clean_leftovers(tmp_path / "b1")
    assert (tmp_path / "b1" / "summary.json").read_text() == "old"


def test_a_kill_during_the_swap_never_leaves_the_result_missing(tmp_path):
    """A child process writes in a loop and is killed at random moments; after each kill the result
    folder is complete (old or new), and the next write cleans up what the kill left."""
    target = tmp_path / "out" / "b1"
    write_folder(target, {"a.csv": "0", "b.csv": "0"}, kind="run")
    code = ("import sys, itertools; from pathlib import Path; from optimizer.output import write_folder\n"
            "for i in itertools.count(): write_folder(Path(sys.argv[1]), {'a.csv': str(i), 'b.csv': str(i)}, kind='run')")
    for delay in (0.05, 0.11, 0.17, 0.23, 0.31):
        proc = subprocess.Popen([sys.executable, "-c", code, str(target)], cwd=ROOT)
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        assert (target / "a.csv").read_text() == (target / "b.csv").read_text()
    write_folder(target, {"a.csv": "x", "b.csv": "x"}, kind="run")
    assert visible(tmp_path / "out") == ["b1"]


def test_concurrent_writers_and_a_reader(tmp_path):
    """Eight threads write the same result 25 times each while a reader checks it is always there."""
    target = tmp_path / "b1"
    write_folder(target, {"a.csv": "start", "b.csv": "start"}, kind="run")
    errors: list[BaseException] = []
    missing = []
    stop = threading.Event()

    def writer(n: int) -> None:
        try:
            for i in range(25):
                write_folder(target, {"a.csv": f"{n}-{i}", "b.csv": f"{n}-{i}"}, kind="run")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    def reader() -> None:
        while not stop.is_set():
            if not target.is_dir():
                missing.append(1)

    watcher = threading.Thread(target=reader)
    watcher.start()
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    watcher.join()
    assert errors == [] and missing == []
    assert (target / "a.csv").read_text() == (target / "b.csv").read_text()
    assert visible(tmp_path) == ["b1"]


def test_without_an_atomic_exchange_the_backup_route_keeps_the_result(tmp_path, monkeypatch):
    monkeypatch.setattr(output, "_RENAMEAT2_WORKS", False)
    write_folder(tmp_path / "b1", {"a.csv": "1"}, kind="run")
    write_folder(tmp_path / "b1", {"a.csv": "2"}, kind="run")
    assert (tmp_path / "b1" / "a.csv").read_text() == "2"
    assert visible(tmp_path) == ["b1"]


def test_single_files_replace_only_what_the_toolkit_wrote_unchanged(tmp_path):
    target = tmp_path / "baseline.html"
    write_file(target, b"one")
    write_file(target, b"two")
    assert target.read_bytes() == b"two"
    target.write_bytes(b"edited by hand")
    with pytest.raises(OutputError, match="uendret fil"):
        write_file(target, b"three")
    assert target.read_bytes() == b"edited by hand"
    foreign = tmp_path / "notes.html"
    foreign.write_text("mine")
    with pytest.raises(OutputError):
        write_file(foreign, b"x")
    assert foreign.read_text() == "mine"


def test_a_read_only_or_full_out_folder_is_exit_2_naming_it(tmp_path, capsys, monkeypatch):
    out = tmp_path / "ro"
    out.mkdir()

    def read_only(path, *args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(os, "mkdir", read_only)  # as on a read-only mount (tests may run as root)
    assert main(["run", str(BASELINE), "--out", str(out)]) == 2
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert str(out) in err and "kunne ikke skrive" in err and "Traceback" not in err


def test_report_replaces_its_own_file_but_not_an_edited_one(tmp_path, capsys):
    out = tmp_path / "reports"
    assert main(["report", str(BASELINE), "--format", "html", "--out", str(out)]) == 0
    assert main(["report", str(BASELINE), "--format", "html", "--out", str(out)]) == 0
    (out / "baseline.html").write_text("edited by the finance office", encoding="utf-8")
    capsys.readouterr()
    assert main(["report", str(BASELINE), "--format", "html", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "baseline.html" in err and "uendret fil" in err and "Traceback" not in err
    assert (out / "baseline.html").read_text(encoding="utf-8") == "edited by the finance office"
