"""Making in-place edits of hard-linked files loud (see catalog/hardlinks.py).

``get``/``checkout --link hardlink`` place the stored blob itself in the target. Editing such a
file in place (root, or anyone who ``chmod``s it, can) rewrites the blob every version sharing it
returns. ``verify`` and ``fsck`` detect the damage by re-hashing; in addition, the blobs placed as
hard links are remembered by inode, and ``put`` refuses a file that is one of them and no longer
hashes to its blob's digest, naming the blob, instead of quietly versioning the edit.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable

from artifactctl.blobs import IngestResult
from artifactctl.catalog import hardlinks
from artifactctl.core.timefmt import iso
from artifactctl.errors import IntegrityError, StorageError
from artifactctl.store import Store


def remember(store: Store, digests: Iterable[str]) -> None:
    """Record the inode of every blob about to be placed as a hard link (before placing it).

    A loose blob keeps its inode for life (written once, never rewritten; gc forgets its row
    when it deletes it), so blobs already recorded are not looked at again."""
    now = iso(store.now())
    rows: list[tuple[int, int, str, str]] = []
    wanted = sorted(set(digests))
    with store.catalog.read():
        done = hardlinks.recorded_digests(store.catalog, wanted)
    for digest in wanted:
        if digest in done:
            continue
        try:
            st = os.stat(store.blobs.fspath(digest))
        except OSError:
            continue  # a missing blob fails the placement itself, with a clear message
        rows.append((st.st_dev, st.st_ino, digest, now))
    if rows:  # a read-only store cannot record them; the placement itself still works
        with contextlib.suppress(StorageError), store.catalog.write():
            hardlinks.record(store.catalog, rows)


def check_ingested(
    store: Store, ingested: dict[str, IngestResult], sources: dict[str, str]
) -> None:
    """Raise IntegrityError if an ingested file is a store blob (by inode) whose bytes changed.

    ``ingested``: entry path → what was read; ``sources``: entry path → the local file."""
    linked = {p: r for p, r in ingested.items() if r.stat.st_nlink > 1}
    if not linked:
        return
    with store.catalog.read():
        known = hardlinks.recorded(
            store.catalog, sorted({(r.stat.st_dev, r.stat.st_ino) for r in linked.values()})
        )
    for path, res in sorted(linked.items()):
        digest = known.get((res.stat.st_dev, res.stat.st_ino))
        if digest is None or digest == res.digest:
            continue
        try:
            blob = os.stat(store.blobs.path(digest))
        except OSError:
            continue  # the blob is gone (gc): the inode now belongs to an unrelated file
        if (blob.st_dev, blob.st_ino) != (res.stat.st_dev, res.stat.st_ino):
            continue
        raise IntegrityError(
            f"{sources[path]} is a hard link into the store (placed by `--link hardlink`) and was"
            f" edited in place: blob {digest} now holds bytes that hash to {res.digest}, so every"
            " version using that blob returns the edited bytes",
            hint="run `artifactctl fsck` to list the damaged versions; restore the original bytes"
            " or delete those versions. To edit materialized files, get them with --link auto or"
            " copy, or replace a file (write a new one and rename) instead of writing into it",
        )
