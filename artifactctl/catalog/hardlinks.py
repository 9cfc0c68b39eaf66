"""Hard links into the store: which inode (device, inode) is which blob.

``get``/``checkout --link hardlink`` make the materialized file the stored blob itself. Every such
blob's (st_dev, st_ino) is recorded here with its digest, so that ``put`` can recognise a file that
is one of them and was edited in place (its bytes no longer hash to the recorded digest: the blob,
shared by every version that uses it, is damaged) and refuse it loudly instead of versioning the
edit as if nothing had happened.
"""

from __future__ import annotations

from artifactctl.catalog.db import Catalog


def record(cat: Catalog, rows: list[tuple[int, int, str, str]]) -> None:
    """``rows``: (device, inode, digest, placed_at); the caller holds a write transaction."""
    cat.many(
        "INSERT INTO hardlinks (dev, ino, digest, placed_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (dev, ino) DO UPDATE SET digest = excluded.digest,"
        " placed_at = excluded.placed_at",
        rows,  # type: ignore[arg-type]
    )


def recorded(cat: Catalog, keys: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(device, inode) → digest for the keys that were placed as hard links."""
    out: dict[tuple[int, int], str] = {}
    for dev, ino in keys:
        row = cat.one("SELECT digest FROM hardlinks WHERE dev = ? AND ino = ?", (dev, ino))
        if row is not None:
            out[(dev, ino)] = str(row[0])
    return out
