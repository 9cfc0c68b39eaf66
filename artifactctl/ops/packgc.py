"""``gc`` for pack files: delete packs nothing refers to, rewrite packs that are mostly dead.

When gc forgets an unreferenced packed blob, its bytes stay in the pack as dead space. After the
blob sweep:

- a pack no blob row refers to, older than the grace period (an interrupted put's, or one whose
  blobs were all deleted), is deleted;
- a pack whose live bytes are less than :data:`REPACK_BELOW` of the blob bytes it holds, older
  than the grace period, is rewritten: its live blobs are read (and verified) and appended to a
  new pack, which is installed first; then, in one write transaction, the rows still pointing at
  the old pack are pointed at the new one; only then is the old pack deleted. A crash at any
  point leaves every row pointing at a whole pack; the leftover pack has no rows and is removed
  by a later gc.

A reader that looked a blob up before the move and opens the old pack after its deletion looks it
up again (blobs/store.py ``_read_packed``). A pack holding a blob that fails verification is left
as it is, for ``fsck`` to report.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from artifactctl.blobs.packs import PackLoc, PackWriter, file_size, list_packs, member_bytes
from artifactctl.catalog import packs
from artifactctl.errors import IntegrityError, StorageError
from artifactctl.store import Store

REPACK_BELOW = 0.5


@dataclass(slots=True)
class PackGcResult:
    packs_removed: int = 0
    packs_rewritten: int = 0
    pack_bytes_freed: int = 0
    packs_skipped: int = 0  # mostly dead, but holding a blob that fails verification


def sweep_packs(store: Store, *, grace_seconds: int, dry_run: bool) -> PackGcResult:
    result = PackGcResult()
    horizon = time.time() - grace_seconds
    cat = store.catalog
    with cat.read():
        live = packs.usage(cat)
    for pack, path in list_packs(store.blobs.packs):
        try:
            st = path.stat()
        except FileNotFoundError:
            continue
        if st.st_mtime >= horizon:
            continue  # possibly a put's, not committed yet
        count, live_bytes = live.get(pack, (0, 0))
        if count == 0:
            if dry_run or _remove_unreferenced(store, pack, path):
                result.packs_removed += 1
                result.pack_bytes_freed += st.st_size
        elif live_bytes < REPACK_BELOW * member_bytes(path):
            if dry_run:
                result.packs_rewritten += 1
                result.pack_bytes_freed += st.st_size - live_bytes
                continue
            freed = _rewrite(store, pack, path, st.st_size)
            if freed is None:
                result.packs_skipped += 1
            else:
                result.packs_rewritten += 1
                result.pack_bytes_freed += freed
    return result


def _remove_unreferenced(store: Store, pack: str, path: os.PathLike[str]) -> bool:
    """Delete a pack, re-checking under the write lock that no row refers to it."""
    with store.catalog.write():
        if packs.members(store.catalog, pack):
            return False
        _unlink(path)
    return True


def _rewrite(store: Store, pack: str, path: os.PathLike[str], size: int) -> int | None:
    """Move a pack's live blobs to a new pack; returns the bytes freed, None if skipped."""
    cat = store.catalog
    with cat.read():
        members = packs.members(cat, pack)
    writer = PackWriter(store.blobs.packs, store.blobs.tmp, durable=store.durable)
    try:
        for digest, offset, length in members:
            writer.add(digest, store.blobs.read(digest, PackLoc(pack, offset, length)))
        installed = writer.close()
    except IntegrityError:
        writer.abort()
        for new in writer.installed:  # nothing refers to them yet
            _unlink(store.blobs.packs / f"{new}.pack")
        return None
    except BaseException:
        writer.abort()
        raise
    moves = [(d, loc.pack, loc.offset) for d, loc in writer.members.items()]
    with cat.write(durable=store.durable):
        packs.move(cat, pack, moves)
        # puts only point rows at packs they wrote themselves, so none can point here any more;
        # the old pack is deleted only once that is confirmed under the write lock
        if packs.members(cat, pack):
            return 0
        _unlink(path)
    return size - sum(file_size(store.blobs.packs / f"{p}.pack") for p in installed)


def _unlink(path: os.PathLike[str]) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StorageError(f"cannot remove {path}: {exc.strerror}") from None
