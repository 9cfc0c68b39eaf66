"""The stat cache: (path, inode, size, mtime_ns, ctime_ns) → digest, so unchanged files are
never read again. Entries are only trusted when every stat field matches exactly."""

from __future__ import annotations

from artifactctl.catalog.db import Catalog

StatKey = tuple[int, int, int, int]  # inode, size, mtime_ns, ctime_ns


def lookup_under(cat: Catalog, root: str) -> dict[str, tuple[StatKey, str]]:
    """Every cached file below directory ``root`` (an absolute path), or ``root`` itself."""
    prefix = root.rstrip("/") + "/"
    rows = cat.all(
        "SELECT path, inode, size, mtime_ns, ctime_ns, digest FROM stat_cache"
        " WHERE (path >= ? AND path < ?) OR path = ?",
        (prefix, prefix[:-1] + "0", root),
    )
    return {str(r[0]): ((r[1], r[2], r[3], r[4]), str(r[5])) for r in rows}  # type: ignore[misc]


def remember(cat: Catalog, rows: list[tuple[str, int, int, int, int, str]]) -> None:
    cat.many(
        "INSERT INTO stat_cache (path, inode, size, mtime_ns, ctime_ns, digest)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET inode = excluded.inode,"
        " size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
        " digest = excluded.digest",
        sorted(rows),  # in key order: B-tree appends, not random inserts
    )


def forget_digests(cat: Catalog, digests: list[str]) -> None:
    cat.many("DELETE FROM stat_cache WHERE digest = ?", [(d,) for d in digests])
