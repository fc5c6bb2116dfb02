"""The shared thread pool and what runs in it for the first time from several threads at once."""

from __future__ import annotations

import os
import sys
import threading

import optimizer.parallel as parallel
import optimizer.solver as solver


def test_the_first_highs_in_several_threads_at_once_leaves_stdout_where_it_was(monkeypatch):
    """Found by review: from 13 members the settlement games run in pool threads, and with fairness
    off they may be the process's first HiGHS. Hiding HiGHS's banner swaps file descriptor 1; two
    threads doing it at once left stdout on the null device in 2 of 20 tries."""
    monkeypatch.setattr(solver, "_banner_swallowed", [False])
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to meet any race
    before = os.fstat(1)
    start = threading.Barrier(8)

    def first_highs(_: int) -> None:
        start.wait()
        solver.quiet_highs()

    try:
        threads = [threading.Thread(target=first_highs, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    after = os.fstat(1)
    assert (after.st_dev, after.st_ino) == (before.st_dev, before.st_ino)
    assert solver._banner_swallowed[0]


def test_the_pool_is_made_once_when_several_threads_ask_at_once(monkeypatch):
    monkeypatch.setattr(parallel, "_pool", None)
    start, pools = threading.Barrier(8), []

    def ask() -> None:
        start.wait()
        pools.append(parallel._threads())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(p) for p in pools}) == 1
    assert parallel.each(parallel.PARALLEL_FROM, lambda x: x * x, range(5)) == [0, 1, 4, 9, 16]
    if pools[0] is not None:
        pools[0].shutdown()


def test_side_by_side_gives_results_in_order_runs_pieces_at_once_and_may_use_each(monkeypatch):
    """From ``PARALLEL_FROM`` members two pieces overlap in threads of their own (each waits for the
    other to start), each may use the shared pool itself, and results come back in the items' order;
    below, the pieces run one by one in the caller's thread."""
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    both = threading.Barrier(2, timeout=10)

    def piece(i: int) -> tuple[int, list[int], str]:
        if i < 2:
            both.wait()  # would time out (BrokenBarrierError) if the first two did not overlap
        return i, parallel.each(parallel.PARALLEL_FROM, lambda x: x * i, range(3)), threading.current_thread().name

    results = list(parallel.side_by_side(parallel.PARALLEL_FROM, piece, range(5)))
    assert [(i, squares) for i, squares, _ in results] == [(i, [0, i, 2 * i]) for i in range(5)]
    assert all(name.startswith("side-by-side") for *_, name in results)
    alone = list(parallel.side_by_side(parallel.PARALLEL_FROM - 1, lambda i: threading.current_thread().name, range(3)))
    assert alone == [threading.current_thread().name] * 3


def test_side_by_side_passes_an_error_on_and_drops_the_pieces_not_begun(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    begun: list[int] = []

    def piece(i: int) -> int:
        begun.append(i)
        if i == 0:
            raise ValueError("bad piece")
        threading.Event().wait(0.05)
        return i

    try:
        list(parallel.side_by_side(parallel.PARALLEL_FROM, piece, range(20)))
    except ValueError as error:
        assert str(error) == "bad piece"
    else:
        raise AssertionError("the error was not passed on")
    assert len(begun) <= 4  # the two first, and at most one more per thread before the rest were dropped


def test_pieces_see_the_callers_language_in_threads(monkeypatch):
    """Found by review: the language lives in a context variable, which pool threads do not inherit;
    why-this-host's sentences came out in bokmål at 13+ members when English was asked for."""
    import contextvars

    from optimizer.i18n import language, set_language

    monkeypatch.setattr(os, "cpu_count", lambda: 2)

    def in_english() -> tuple[list[str], list[str]]:
        set_language("en")
        apart = list(parallel.side_by_side(parallel.PARALLEL_FROM, lambda _: language(), range(4)))
        pooled = parallel.each(parallel.PARALLEL_FROM, lambda _: language(), range(4))
        return apart, pooled

    apart, pooled = contextvars.copy_context().run(in_english)
    assert apart == ["en"] * 4 and pooled == ["en"] * 4
