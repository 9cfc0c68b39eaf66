"""How put, get and verify spread per-file work over threads.

Small files go one after another in the calling thread: each is a handful of short syscalls, and
threads handing the GIL back and forth around them cost more than they overlap (measured on 2
cores: storing 20,000 small files took 2.4-3.5 s serially, 3.6-6.9 s with 2-16 threads, futex
calls dominating). Large files overlap their I/O (and the kernel's copying) in a pool.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_ABOVE = 1024 * 1024  # bytes: files larger than this are handled in the pool


def _workers() -> int:
    """Pool size: ARTIFACTCTL_WORKERS, or a default measured on 2-core machines (bench/)."""
    raw = os.environ.get("ARTIFACTCTL_WORKERS", "")
    return max(1, min(64, int(raw))) if raw.isdigit() else min(16, 4 * (os.cpu_count() or 2))


WORKERS = _workers()


def pooled(fn: Callable[[T], R], items: list[T]) -> Iterator[R]:
    """``fn`` over ``items`` in a thread pool, results in order."""
    if not items:
        return
    with ThreadPoolExecutor(min(WORKERS, len(items))) as pool:
        yield from pool.map(fn, items)


def by_size(fn: Callable[[T], R], items: Iterable[T], size: Callable[[T], int]) -> Iterator[R]:
    """``fn`` over ``items``: those of at most PARALLEL_ABOVE bytes serially, in order, then the
    larger ones in the pool, in order."""
    listed = list(items)
    yield from map(fn, [x for x in listed if size(x) <= PARALLEL_ABOVE])
    yield from pooled(fn, [x for x in listed if size(x) > PARALLEL_ABOVE])
