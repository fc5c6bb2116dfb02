"""Independent pieces of work in a few threads, for large member sets.

Worth it where the work runs outside the GIL: the engine's compiled subset programmes (nogil) and
NumPy's reductions over the 2^n coalitions of the settlement games. Results come back in order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TypeVar

PARALLEL_FROM = 13  # members: from here a member set's independent pieces run in parallel threads

T = TypeVar("T")
R = TypeVar("R")


@cache
def _threads() -> ThreadPoolExecutor | None:
    workers = min(os.cpu_count() or 1, 8)
    return ThreadPoolExecutor(workers, thread_name_prefix="parallel") if workers > 1 else None


def each(members: int, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[work(item) for item in items]``, in parallel threads from ``PARALLEL_FROM`` members.

    ``work`` must not itself wait on ``each`` (the pool is shared and would wait on itself)."""
    pool = _threads() if members >= PARALLEL_FROM else None
    return list(pool.map(work, items)) if pool is not None else [work(item) for item in items]
