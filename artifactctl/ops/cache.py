"""``cache cleanup SIZE``: keep the store under SIZE by evicting re-fetchable bytes.

Only ``refcache/`` is evicted: downloaded copies of references, which can be fetched again from
where they live. ``blobs/`` is never touched here: a blob may be the only copy of a committed
version's bytes (``gc`` removes blobs nothing needs). Eviction is least recently used first, by
the later of a file's access and modification times (atime alone is unreliable on ``noatime`` and
``relatime`` mounts), until blobs + cache fit in SIZE or the cache is empty.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from artifactctl.catalog import blobrefs
from artifactctl.errors import StorageError
from artifactctl.store import Store

REFCACHE = "refcache"


@dataclass(slots=True)
class CleanupResult:
    target_bytes: int
    dry_run: bool
    blob_bytes: int
    cache_bytes_before: int
    evicted_files: int
    evicted_bytes: int

    @property
    def cache_bytes_after(self) -> int:
        return self.cache_bytes_before - self.evicted_bytes

    @property
    def store_bytes_after(self) -> int:
        return self.blob_bytes + self.cache_bytes_after

    @property
    def reached(self) -> bool:
        return self.store_bytes_after <= self.target_bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "target_bytes": self.target_bytes,
            "dry_run": self.dry_run,
            "blob_bytes": self.blob_bytes,
            "cache_bytes_before": self.cache_bytes_before,
            "cache_bytes_after": self.cache_bytes_after,
            "evicted_files": self.evicted_files,
            "evicted_bytes": self.evicted_bytes,
            "store_bytes_after": self.store_bytes_after,
            "reached_target": self.reached,
        }


def _cache_files(root: Path) -> list[tuple[float, int, str]]:
    """(last use, size, path) of every regular file below ``root``."""
    found = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(dirpath, name)
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                continue
            if os.path.isfile(full) and not os.path.islink(full):
                found.append((max(st.st_atime, st.st_mtime), st.st_size, full))
    return found


def cleanup(store: Store, max_bytes: int, *, dry_run: bool = False) -> CleanupResult:
    with store.catalog.read():
        _count, blob_bytes = blobrefs.totals(store.catalog)
    files = sorted(_cache_files(store.path / REFCACHE))
    result = CleanupResult(max_bytes, dry_run, blob_bytes, sum(s for _, s, _ in files), 0, 0)
    for _used, size, path in files:
        if result.reached:
            break
        if not dry_run:
            try:
                os.unlink(path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(f"cannot remove {path}: {exc.strerror}") from None
        result.evicted_files += 1
        result.evicted_bytes += size
    return result
