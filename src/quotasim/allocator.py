"""The C allocator's thresholds, set once per process before the first run (glibc only).

Why: a run at 100,000 officials or more makes arrays of a megabyte and up every month
(masks, gathers, draws). glibc's ``malloc`` serves each allocation above its mmap threshold
(128 KiB at the start, raised as large blocks are freed, at most 32 MiB) with fresh pages
from the kernel, and returns the top of its heap to the kernel once more than twice that
threshold lies free there. Fresh pages cost a page fault each on first touch, a few
microseconds inside a virtual machine; the threshold moves with the history of the
process, and a run's faults with it: the twin's rules at 100,000 officials took 126,690
faults and 1.39 s with glibc's own thresholds, 23,035 faults and 1.17 s with these
(``python -m benchmarks.probe reduced 100000 120 1``, with and without
``QUOTASIM_ALLOCATOR=default``; docs/performance.md). Fixed thresholds make it one cost:
blocks up to 32 MiB come from the heap, and up to 256 MiB of freed heap is kept for the
next month.

The price is memory: up to 256 MiB of freed heap stays with the process, and a run's peak
grows by what it holds (279 bytes per official at 1M against 251 with glibc's thresholds,
``python -m benchmarks.probe full 1000000 120 2``). A threshold the user set is kept:
nothing is changed when ``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_`` or
``GLIBC_TUNABLES`` is set, or when ``QUOTASIM_ALLOCATOR=default``. Off glibc (macOS, musl)
nothing is changed either.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

__all__ = ["tune_allocator", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

#: glibc's ``mallopt`` parameters (malloc.h).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: Blocks up to this size come from the heap: glibc's own ceiling for the threshold (on 64-bit).
MMAP_THRESHOLD = 32 * 2**20
#: Freed heap kept before any is returned to the kernel.
TRIM_THRESHOLD = 256 * 2**20
_USER_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")

_done: bool | None = None


def tune_allocator() -> bool:
    """Set the thresholds once per process; whether they are set (False when left to the
    user or the platform)."""
    global _done
    if _done is None:
        _done = _tune()
    return _done


def _tune() -> bool:
    if os.environ.get("QUOTASIM_ALLOCATOR") == "default" or any(name in os.environ for name in _USER_SETTINGS):
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mallopt returns 1 on success; the trim threshold is set first, so that a refused mmap
    # threshold still leaves the freed heap kept
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)) & bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD))
