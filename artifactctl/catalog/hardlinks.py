"""Hard links into the store: which inode (device, inode) is which blob.

``get``/``checkout --link hardlink`` make the materialized file the stored blob itself. Every such
blob's (st_dev, st_ino) is recorded here with its digest, so that ``put`` can recognise a file that
is one of them and was edited in place (its bytes no longer hash to the recorded digest: the blob,
shared by every version that uses it, is damaged) and refuse it loudly instead of versioning the
edit as if nothing had happened.
"""

from __future__ import annotations

from artifactctl.catalog.db import Catalog

# an inode placed again (or reused by a new blob) takes the newer digest
UPSERT = (
    " ON CONFLICT (dev, ino) DO UPDATE SET digest = excluded.digest, placed_at = excluded.placed_at"
)


def record(cat: Catalog, rows: list[tuple[int, int, str, str]]) -> None:
    """``rows``: (device, inode, digest, placed_at); the caller holds a write transaction."""
    cat.many(
        "INSERT INTO hardlinks (dev, ino, digest, placed_at) VALUES (?, ?, ?, ?)" + UPSERT,
        rows,  # type: ignore[arg-type]
    )


def recorded(cat: Catalog, keys: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(device, inode) → digest for the keys that were placed as hard links."""
    out: dict[tuple[int, int], str] = {}
    if not keys or cat.one("SELECT 1 FROM hardlinks LIMIT 1") is None:
        return out  # nothing was ever placed as a hard link: the common case, one query
    for i in range(0, len(keys), 400):
        chunk = keys[i : i + 400]
        marks = " OR ".join("(dev = ? AND ino = ?)" for _ in chunk)
        params = tuple(v for key in chunk for v in key)
        for dev, ino, digest in cat.all(
            f"SELECT dev, ino, digest FROM hardlinks WHERE {marks}", params
        ):
            out[(int(dev), int(ino))] = str(digest)  # type: ignore[call-overload]
    return out


def recorded_digests(cat: Catalog, digests: list[str]) -> set[str]:
    """Those of ``digests`` whose blob inode is already recorded."""
    sql = "SELECT digest FROM hardlinks WHERE digest IN ({marks})"
    return {str(r[0]) for r in cat.all_in(sql, digests)}


def forget_digests(cat: Catalog, digests: list[str]) -> None:
    """Blobs that were deleted: a blob written again later gets a new inode, recorded anew."""
    cat.many("DELETE FROM hardlinks WHERE digest = ?", [(d,) for d in digests])
