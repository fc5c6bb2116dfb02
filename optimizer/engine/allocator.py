"""Keep the engine's large tables in the C heap between uses (glibc only; elsewhere nothing changes).

glibc serves every allocation above its mmap threshold (32 MB at most by default) with a fresh
``mmap`` and returns it on ``free``, so each new table is faulted in page by page again. At 18
members one service's table is 38 MB and a solve builds a few hundred of them: the page faults
took about 15 % of the process's CPU time. Raising the threshold above the largest table (and
the trim threshold with it) lets freed tables be reused from the heap instead.

The settings hold for the whole process and are not undone (``mallopt`` also ends glibc's own
dynamic threshold): a long-lived process, the app, keeps up to twice the threshold of freed memory
at the top of its heap (128 MB at 18 members, 2 GB at the 22-member ceiling) instead of returning
it at once. A C library that refuses the call (other than glibc, or a glibc that caps the
threshold) leaves everything as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

LOG = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # glibc's mallopt parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
DEFAULT_MMAP_MAX = 32 << 20  # glibc's own ceiling for its dynamic threshold
TRIM_FACTOR = 2  # freed memory kept at the top of the heap: up to this many times the threshold


_raised = 0  # the threshold set so far (bytes)


def keep_tables_in_heap(table_bytes: int) -> bool:
    """Raise glibc's mmap and trim thresholds so that tables of ``table_bytes`` are reused; whether they
    are now at least that high.

    Only ever raises them, does nothing below glibc's own ceiling, and nothing on other C libraries."""
    global _raised
    if table_bytes <= DEFAULT_MMAP_MAX or not sys.platform.startswith("linux"):
        return False
    threshold = min(1 << (int(table_bytes) - 1).bit_length(), 1 << 30)  # a power of two, at most 1 GB
    if threshold <= _raised:
        return True
    try:
        mallopt = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc: nothing to tune
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    trim = min(TRIM_FACTOR * threshold, 2**31 - 1)
    if not (mallopt(M_MMAP_THRESHOLD, threshold) and mallopt(M_TRIM_THRESHOLD, trim)):
        LOG.debug("glibc refused malloc thresholds of %d bytes", threshold)
        return False
    _raised = threshold
    return True
