"""optimizer.engine.allocator: glibc's thresholds are raised for large tables only, and never lowered."""

from __future__ import annotations

import sys

import pytest

from optimizer.engine import allocator


def test_small_tables_leave_the_allocator_alone(monkeypatch):
    monkeypatch.setattr(allocator, "_raised", 0)
    assert allocator.keep_tables_in_heap(17 << 17 << 3) is False  # 17 members: under glibc's own ceiling
    assert allocator._raised == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_large_tables_raise_the_threshold_once_and_never_lower_it(monkeypatch):
    calls = []

    class FakeLibc:
        @staticmethod
        def mallopt(param, value):
            calls.append((param, value))
            return 1

    monkeypatch.setattr(allocator, "_raised", 0)
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda name: FakeLibc)
    # mallopt is a plain function here: argtypes cannot be set on it, so give it the attributes
    FakeLibc.mallopt.argtypes = FakeLibc.mallopt.restype = None
    assert allocator.keep_tables_in_heap(18 << 18 << 3)  # 38 MB: threshold 64 MB, trim 128 MB
    assert calls == [(allocator.M_MMAP_THRESHOLD, 64 << 20), (allocator.M_TRIM_THRESHOLD, 128 << 20)]
    assert allocator.keep_tables_in_heap(18 << 18 << 3) and allocator.keep_tables_in_heap(40 << 20)
    assert len(calls) == 2  # already high enough: no call
    assert allocator.keep_tables_in_heap(20 << 20 << 3)  # 168 MB: raised to 256 MB
    assert calls[-2] == (allocator.M_MMAP_THRESHOLD, 256 << 20)


def test_a_refused_threshold_is_not_recorded(monkeypatch):
    class Refusing:
        @staticmethod
        def mallopt(param, value):
            return 0

    Refusing.mallopt.argtypes = Refusing.mallopt.restype = None
    monkeypatch.setattr(allocator, "_raised", 0)
    monkeypatch.setattr(allocator.ctypes, "CDLL", lambda name: Refusing)
    monkeypatch.setattr(allocator.sys, "platform", "linux")
    assert allocator.keep_tables_in_heap(18 << 18 << 3) is False
    assert allocator._raised == 0
