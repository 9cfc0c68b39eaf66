"""A put's scratch tables, on disk, so that a put of a million files holds no per-file state.

A put streams its files in manifest order, a chunk at a time. What the commit transaction needs
of every file (the digests the version uses, the blobs this command wrote and where, the stat
cache rows, the inodes of files that became blobs) is appended to tables in a private scratch
database ATTACHed to the catalog connection as ``staging``: a file under the store's ``tmp/``,
without a journal and without syncs (nothing in it outlives the command). The commit transaction
then moves the rows into the catalog with ``INSERT … SELECT``, inside SQLite, in key order.

Writing the scratch tables takes no lock on the catalog, so other commands are not held up while
a long put reads its files; the catalog's write lock is held only for the final transaction.
A put that is killed leaves the file in ``tmp/``, where ``gc`` removes it after the grace period.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path

from artifactctl.catalog.db import Catalog

SCHEMA = (
    # every blob the version refers to; from_file: it came from a local file this put read (so
    # it can be stored again if gc removes it mid-put), not from a base version's entry
    "CREATE TABLE staging.needed (digest TEXT PRIMARY KEY, size INTEGER NOT NULL,"
    " from_file INTEGER NOT NULL) WITHOUT ROWID",
    # blobs this command wrote: loose (pack NULL) or appended to a pack
    "CREATE TABLE staging.written (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, pack TEXT,"
    " pack_offset INTEGER) WITHOUT ROWID",
    "CREATE TABLE staging.stats (path TEXT PRIMARY KEY, inode INTEGER NOT NULL,"
    " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
    " digest TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE staging.linked (dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
    " digest TEXT NOT NULL, PRIMARY KEY (dev, ino)) WITHOUT ROWID",
)
PREFIX = "put-"
SUFFIX = ".staging.db"


class Staging:
    """The scratch tables of one put; use as a context manager (detached and deleted on exit)."""

    def __init__(self, cat: Catalog, tmp: Path) -> None:
        self.cat = cat
        self.path = tmp / f"{PREFIX}{os.getpid()}-{secrets.token_hex(6)}{SUFFIX}"
        cat.exec("ATTACH DATABASE ? AS staging", (str(self.path),))
        try:
            cat.exec("PRAGMA staging.journal_mode = OFF")
            cat.exec("PRAGMA staging.synchronous = OFF")
            cat.exec("PRAGMA staging.cache_size = -16384")
            for sql in SCHEMA:
                cat.exec(sql)
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(Exception):  # (the file is removed either way)
            self.cat.conn.execute("DETACH DATABASE staging")
        with contextlib.suppress(OSError):
            os.unlink(self.path)

    # -- appending, one chunk of files at a time (no catalog lock) ------------------------------

    def add(
        self,
        needed: list[tuple[str, int, int]],
        written: list[tuple[str, int, str | None, int | None]],
        stats: list[tuple[str, int, int, int, int, str]],
        linked: list[tuple[int, int, str]],
    ) -> None:
        """``needed``: (digest, size, from_file); ``written``: (digest, size, pack, offset);
        ``stats``: (path, inode, size, mtime_ns, ctime_ns, digest); ``linked``: (dev, ino,
        digest). One small transaction on the scratch file only (or part of the caller's)."""
        cat = self.cat
        own = not cat.conn.in_transaction
        if own:
            cat.exec("BEGIN")
        try:
            if needed:
                cat.many(
                    "INSERT INTO staging.needed (digest, size, from_file) VALUES (?, ?, ?)"
                    " ON CONFLICT (digest) DO UPDATE SET from_file ="
                    " max(from_file, excluded.from_file)",
                    needed,  # type: ignore[arg-type]
                )
            if written:
                cat.many(
                    "INSERT OR IGNORE INTO staging.written (digest, size, pack, pack_offset)"
                    " VALUES (?, ?, ?, ?)",
                    written,  # type: ignore[arg-type]
                )
            if stats:
                cat.many(
                    "INSERT OR REPLACE INTO staging.stats"
                    " (path, inode, size, mtime_ns, ctime_ns, digest) VALUES (?, ?, ?, ?, ?, ?)",
                    stats,  # type: ignore[arg-type]
                )
            if linked:
                cat.many(
                    "INSERT OR REPLACE INTO staging.linked (dev, ino, digest) VALUES (?, ?, ?)",
                    linked,  # type: ignore[arg-type]
                )
        except BaseException:
            if own:
                cat.exec("ROLLBACK")
            raise
        if own:
            cat.exec("COMMIT")

    def written_of(self, digests: Iterable[str]) -> set[str]:
        """Those of ``digests`` this command has already written (so they are not written twice)."""
        sql = "SELECT digest FROM staging.written WHERE digest IN ({marks})"
        return {str(r[0]) for r in self.cat.all_in(sql, digests)}

    def written_totals(self) -> tuple[int, int]:
        row = self.cat.one("SELECT count(*), coalesce(sum(size), 0) FROM staging.written")
        assert row is not None
        return int(row[0]), int(row[1])  # type: ignore[call-overload]

    # -- the commit transaction (the caller holds the catalog's write lock) ---------------------

    def written_packs(self) -> list[str]:
        return [
            str(r[0])
            for r in self.cat.all(
                "SELECT DISTINCT pack FROM staging.written WHERE pack IS NOT NULL"
            )
        ]

    def forget_packs(self, packs: list[str]) -> None:
        """Packs this command wrote that are gone (a `gc --grace 0s` during the put): their
        blobs count as not written, so the missing-blob check looks for them elsewhere."""
        self.cat.many("DELETE FROM staging.written WHERE pack = ?", [(p,) for p in packs])

    def unrecorded(self) -> Iterator[tuple[str, bool, bool]]:
        """(digest, from_file, loose_written) of every needed blob the catalog has no row for
        and this command did not append to a pack: each must be a loose file on disk."""
        rows = self.cat.exec(
            "SELECT n.digest, n.from_file, w.digest IS NOT NULL FROM staging.needed n"
            " LEFT JOIN staging.written w ON w.digest = n.digest"
            " WHERE (w.pack IS NULL) AND NOT EXISTS"
            " (SELECT 1 FROM main.blobs b WHERE b.digest = n.digest)"
        )
        for digest, from_file, written in rows:
            yield str(digest), bool(from_file), bool(written)

    def record(self, version_id: int, now: str) -> None:
        """Blob rows, the version's blob references, stat cache rows and hard-link inodes."""
        cat = self.cat
        cat.exec(
            "INSERT OR IGNORE INTO main.blobs (digest, size, created_at, pack, pack_offset)"
            " SELECT n.digest, n.size, ?, w.pack, w.pack_offset FROM staging.needed n"
            " LEFT JOIN staging.written w ON w.digest = n.digest ORDER BY n.digest",
            (now,),
        )
        cat.exec(
            "INSERT OR IGNORE INTO main.version_blobs (version_id, digest)"
            " SELECT ?, digest FROM staging.needed ORDER BY digest",
            (version_id,),
        )

    def remember(self, now: str, racy_horizon_ns: int) -> None:
        """Stat cache rows (files whose inode changed before ``racy_horizon_ns`` only: see
        ops/commit.RACY_NS) and the inodes of files that became blobs."""
        cat = self.cat
        cat.exec(
            "INSERT INTO main.stat_cache (path, inode, size, mtime_ns, ctime_ns, digest)"
            " SELECT path, inode, size, mtime_ns, ctime_ns, digest FROM staging.stats"
            " WHERE ctime_ns < ? ORDER BY path"
            " ON CONFLICT (path) DO UPDATE SET inode = excluded.inode, size = excluded.size,"
            " mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,"
            " digest = excluded.digest",
            (racy_horizon_ns,),
        )
        cat.exec(
            "INSERT INTO main.hardlinks (dev, ino, digest, placed_at)"
            " SELECT dev, ino, digest, ? FROM staging.linked WHERE true"
            " ON CONFLICT (dev, ino) DO UPDATE SET digest = excluded.digest,"
            " placed_at = excluded.placed_at",
            (now,),
        )
