"""Let a large read leave a small process behind: memory freed after a read goes back to the OS.

Measured on 102k Encounters, two allocators kept about 70 MB of freed memory beyond the frames
themselves (BENCHMARKS.md, "Data layer"):
- glibc raises its mmap threshold after the first large block is freed, so later page bodies
  (1–3 MB each) land in per-thread heap arenas that are seldom returned; a fixed threshold keeps
  them in their own mappings, unmapped on free;
- Arrow's default pool (mimalloc) caches freed pages; the system pool hands them back.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import pyarrow as pa

__all__ = ["return_freed_memory"]

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
_MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's own starting value, kept fixed


def return_freed_memory() -> None:
    """Configure both allocators once per process; harmless where glibc is absent."""
    pa.set_memory_pool(pa.system_memory_pool())
    name = ctypes.util.find_library("c")
    if name is None:
        return
    try:
        ctypes.CDLL(name).mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError):
        return  # a C library without mallopt: nothing to tune
