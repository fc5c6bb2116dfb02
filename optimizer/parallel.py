"""Independent pieces of work in a few threads, for large member sets.

Worth it where the work runs outside the GIL: the engine's compiled subset programmes (nogil) and
NumPy's reductions over the 2^n coalitions of the settlement games. Results come back in order.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

PARALLEL_FROM = 13  # members: from here a member set's independent pieces run in parallel threads

T = TypeVar("T")
R = TypeVar("R")

_POOL_LOCK = threading.Lock()
_pool: ThreadPoolExecutor | None = None


def _threads() -> ThreadPoolExecutor | None:
    """The process's one pool, made on first use (under a lock: two threads may ask at once)."""
    global _pool
    workers = min(os.cpu_count() or 1, 8)
    if workers <= 1:
        return None
    with _POOL_LOCK:
        if _pool is None:
            _pool = ThreadPoolExecutor(workers, thread_name_prefix="parallel")
        return _pool


def each(members: int, work: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[work(item) for item in items]``, in parallel threads from ``PARALLEL_FROM`` members.

    ``work`` must not itself wait on ``each`` (the pool is shared and would wait on itself)."""
    pool = _threads() if members >= PARALLEL_FROM else None
    return list(pool.map(work, items)) if pool is not None else [work(item) for item in items]
