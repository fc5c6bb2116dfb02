"""Independent pieces of work in a few threads, for large member sets.

Worth it where the work runs outside the GIL: the engine's compiled subset programmes (nogil) and
NumPy's reductions over the 2^n coalitions of the settlement games. Results come back in order.
``each`` is for small pieces, in one shared pool; ``side_by_side`` for whole analyses that may
themselves use ``each``, in threads of their own. Each piece runs in a copy of the caller's context
(``contextvars``), so it sees the caller's language (``optimizer.i18n``).
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

PARALLEL_FROM = 13  # members: from here a member set's independent pieces run in parallel threads
SIDE_BY_SIDE = 2  # analyses at once: each may hold several 38 MB tables at 18 members

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
    if pool is None:
        return [work(item) for item in items]
    return [future.result() for future in _submitted(pool, work, items)]


def _submitted(pool: ThreadPoolExecutor, work: Callable[[T], R], items: Iterable[T]) -> list[Future]:
    """Each item's piece in ``pool``, in a copy of the caller's context (a context runs in one thread at once)."""
    return [pool.submit(contextvars.copy_context().run, work, item) for item in items]


def side_by_side(members: int, work: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    """``work(item)`` for each item, in order, as each is ready: from ``PARALLEL_FROM`` members up to
    ``SIDE_BY_SIDE`` at once in threads of their own (``work`` may use ``each``), else one by one.
    ``work`` must not change state another item reads (give each its own copy)."""
    items = list(items)
    workers = min(SIDE_BY_SIDE, os.cpu_count() or 1, len(items))
    if members < PARALLEL_FROM or workers <= 1:
        yield from (work(item) for item in items)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="side-by-side") as pool:
        futures = _submitted(pool, work, items)
        try:
            for future in futures:
                yield future.result()
        finally:  # stopped early (an error, or the caller left): the items not yet begun are dropped
            for future in futures:
                future.cancel()
