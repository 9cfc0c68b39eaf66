"""The stat cache: (path, inode, size, mtime_ns, ctime_ns) → digest, so unchanged files are
never read again. Entries are only trusted when every stat field matches exactly."""

from __future__ import annotations

from artifactctl.catalog.db import Catalog

StatKey = tuple[int, int, int, int]  # inode, size, mtime_ns, ctime_ns


def lookup(cat: Catalog, paths: list[str]) -> dict[str, tuple[StatKey, str]]:
    """The cached status and digest of those of ``paths`` (absolute) the cache knows."""
    sql = (
        "SELECT path, inode, size, mtime_ns, ctime_ns, digest FROM stat_cache"
        " WHERE path IN ({marks})"
    )
    return {str(r[0]): ((r[1], r[2], r[3], r[4]), str(r[5])) for r in cat.all_in(sql, paths)}  # type: ignore[misc]


# how a newer row for a path replaces the cached one (catalog/staging.py inserts them)
UPSERT = (
    " ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, size = excluded.size,"
    " mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, digest = excluded.digest"
)


def forget_digests(cat: Catalog, digests: list[str]) -> None:
    cat.many("DELETE FROM stat_cache WHERE digest = ?", [(d,) for d in digests])
