"""``gc``: delete expired versions, then free what nothing live needs.

Steps, in order:

1. Expired versions (``expires_at`` ≤ now) are soft-deleted, except protected ones (an alias other
   than ``latest``, a portfolio link), which are reported as kept with the reason unless
   ``include_protected``. PENDING versions older than the grace period (debris of an interrupted
   write) are marked DELETED too.
2. Blob rows no COMMITTED or PENDING version refers to are removed, rows and files together,
   **while holding the catalog write lock**, in batches. ``commit`` checks that every blob a new
   version needs exists inside its own write transaction, so a put running concurrently either
   sees the blob gone (and writes it again) or commits first (and the blob is live): a committed
   version never refers to a deleted blob.
3. Blob files with no row (left by an interrupted put) and files in ``tmp/`` are removed when
   older than the grace period (default 1 h, by the file's mtime), so a put running right now is
   never harmed. Orphan blob files are re-checked against the catalog under the write lock.

``dry_run`` does steps 1-2 in a transaction that is rolled back and removes no file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from artifactctl.blobs import inuse
from artifactctl.catalog import blobrefs, hardlinks, storage
from artifactctl.catalog import lifecycle as lc
from artifactctl.catalog import versions as q
from artifactctl.catalog.db import Catalog
from artifactctl.core.timefmt import iso
from artifactctl.errors import StorageError
from artifactctl.ops.packgc import PackGcResult, sweep_packs
from artifactctl.store import Store

DEFAULT_GRACE_SECONDS = 3600
BATCH = 500


@dataclass(slots=True)
class GcResult:
    dry_run: bool
    grace_seconds: int
    deleted_versions: list[dict[str, Any]] = field(default_factory=list)
    kept_versions: list[dict[str, Any]] = field(default_factory=list)
    pending_removed: list[str] = field(default_factory=list)
    blobs_removed: int = 0
    blob_bytes: int = 0
    orphans_removed: int = 0
    orphan_bytes: int = 0
    temp_removed: int = 0
    temp_bytes: int = 0
    packs: PackGcResult = field(default_factory=PackGcResult)
    loose_bytes: int = 0  # the part of blob_bytes that was loose files (freed at once)

    @property
    def bytes_freed(self) -> int:
        # a packed blob's bytes are given back when its pack is deleted or rewritten
        return self.loose_bytes + self.orphan_bytes + self.temp_bytes + self.packs.pack_bytes_freed

    def to_json(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "grace_seconds": self.grace_seconds,
            "deleted_versions": self.deleted_versions,
            "kept_versions": self.kept_versions,
            "pending_removed": self.pending_removed,
            "blobs_removed": self.blobs_removed,
            "blob_bytes": self.blob_bytes,
            "orphans_removed": self.orphans_removed,
            "orphan_bytes": self.orphan_bytes,
            "temp_removed": self.temp_removed,
            "temp_bytes": self.temp_bytes,
            "packs_removed": self.packs.packs_removed,
            "packs_rewritten": self.packs.packs_rewritten,
            "packs_skipped": self.packs.packs_skipped,
            "pack_bytes_freed": self.packs.pack_bytes_freed,
            "bytes_freed": self.bytes_freed,
        }


class _Rollback(Exception):
    pass


def gc(
    store: Store,
    *,
    dry_run: bool = False,
    grace_seconds: int = DEFAULT_GRACE_SECONDS,
    include_protected: bool = False,
    run_id: str | None = None,
) -> GcResult:
    result = GcResult(dry_run, grace_seconds)
    cat = store.catalog
    with contextlib.suppress(_Rollback), cat.write():
        _expire(store, result, include_protected, run_id)
        _stale_pending(store, result)
        if dry_run:
            while _sweep_batch(store, result, unlink=False):
                pass
            # what the pack step would do, seen with those blob rows gone (then rolled back)
            result.packs = sweep_packs(store, grace_seconds=grace_seconds, dry_run=True)
            raise _Rollback
    if not dry_run:
        while _sweep_batch_locked(store, result):
            pass
    file_horizon = time.time() - grace_seconds  # files' ages are measured by the file system
    _orphans(store, result, file_horizon)
    if not dry_run:
        result.packs = sweep_packs(store, grace_seconds=grace_seconds, dry_run=False)
    _temp_files(store.path / "tmp", result, file_horizon)
    _temp_files(store.path / "refcache" / "tmp", result, file_horizon)  # interrupted downloads
    return result


def _expire(store: Store, result: GcResult, include_protected: bool, run_id: str | None) -> None:
    cat = store.catalog
    now = iso(store.now())
    for vid in lc.expired_version_ids(cat, now):
        v = q.version_by_id(cat, vid)
        assert v is not None
        reasons = lc.protected_reasons(cat, vid)
        if reasons and not include_protected:
            result.kept_versions.append(
                {"version": v.label, "expires_at": v.expires_at, "reasons": reasons}
            )
            continue
        lc.mark_deleted(cat, vid, now, run_id=run_id)
        result.deleted_versions.append(
            {"version": v.label, "expires_at": v.expires_at, "overrode": reasons}
        )


def _stale_pending(store: Store, result: GcResult) -> None:
    cat = store.catalog
    now = store.now()
    cutoff = iso(now - timedelta(seconds=result.grace_seconds))
    for vid, label in storage.stale_pending_ids(cat, cutoff):
        lc.mark_deleted(cat, vid, iso(now))
        result.pending_removed.append(label)


def _sweep_batch_locked(store: Store, result: GcResult) -> bool:
    with store.catalog.write():
        return _sweep_batch(store, result, unlink=True)


def _sweep_batch(store: Store, result: GcResult, *, unlink: bool) -> bool:
    """Remove one batch of unreferenced blobs (the caller holds the write lock).

    Returns True when there may be more.
    """
    cat: Catalog = store.catalog
    batch = storage.unreferenced_blobs(cat, BATCH)
    if not batch:
        return False
    packed = store.blobs.locate(d for d, _ in batch)
    storage.forget_blobs(cat, [d for d, _ in batch])
    hardlinks.forget_digests(cat, [d for d, _ in batch])
    for digest, size in batch:
        loose = 0 if digest in packed else size
        if unlink:
            try:
                # a packed blob's bytes are freed when its pack is rewritten (ops/packgc.py);
                # one that also has a loose file (made for a hard link) frees that at once
                loose = store.blobs.remove(digest) or loose
            except OSError as exc:
                raise StorageError(
                    f"cannot remove blob {digest}: {exc.strerror}",
                    hint="check the permissions of the store's blobs/ directory",
                ) from None
        result.blobs_removed += 1
        result.blob_bytes += size
        result.loose_bytes += loose
    return len(batch) == BATCH


def _old_files(paths: list[tuple[str, Path]], horizon: float) -> list[tuple[str, Path, int]]:
    old = []
    for digest, path in paths:
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        if st.st_mtime < horizon:
            old.append((digest, path, st.st_size))
    return old


def _orphans(store: Store, result: GcResult, horizon: float) -> None:
    cat = store.catalog
    candidates = _old_files(store.blobs.iter_files(), horizon)
    for i in range(0, len(candidates), BATCH):
        chunk = candidates[i : i + BATCH]
        with cat.read() if result.dry_run else cat.write():
            known = blobrefs.known_digests(cat, [d for d, _, _ in chunk])
            for digest, path, size in chunk:
                if digest in known:
                    continue
                if not result.dry_run:
                    try:
                        if path.stat().st_mtime >= horizon:
                            continue  # rewritten meanwhile by a put
                        path.unlink()
                    except FileNotFoundError:
                        continue
                    except OSError as exc:
                        raise StorageError(f"cannot remove {path}: {exc.strerror}") from None
                result.orphans_removed += 1
                result.orphan_bytes += size


def _temp_files(tmp: Path, result: GcResult, horizon: float) -> None:
    if not tmp.is_dir():
        return
    for entry in os.scandir(tmp):
        try:
            st = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if st.st_mtime >= horizon or inuse.in_use(entry.path):
            continue  # recent, or being written by a live command (blobs/inuse.py)
        size = _tree_size(entry.path) if entry.is_dir(follow_symlinks=False) else st.st_size
        if not result.dry_run:
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(f"cannot remove {entry.path}: {exc.strerror}") from None
        result.temp_removed += 1
        result.temp_bytes += size


def _tree_size(path: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total
