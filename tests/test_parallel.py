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
