"""A put's scratch tables, on disk, so that a put of a million files holds no per-file state.

A put streams its files in manifest order, a chunk at a time. What the commit transaction needs
of the files it read (the blobs this command wrote and where, the stat cache rows, the inodes of
files that became blobs) is appended to tables in a private scratch database ATTACHed to the
catalog connection as ``staging``: a file under the store's ``tmp/``, without a journal and
without syncs (nothing in it outlives the command). The commit transaction then moves the rows
into the catalog with ``INSERT … SELECT``, inside SQLite, in key order. (The blobs a version uses
are read back from its manifest, and only when a new version is made: a put that changes
nothing writes no per-file row at all.)

Writing the scratch tables takes no lock on the catalog, so other commands are not held up while
a long put reads its files; the catalog's write lock is held only for the final transaction.
A put that is killed leaves the file in ``tmp/``, where ``gc`` removes it after the grace period.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterable
from pathlib import Path

from artifactctl.catalog import hardlinks, statcache
from artifactctl.catalog.db import Catalog

SCHEMA = (
    # blobs this command wrote: loose (pack NULL) or appended to a pack
    "CREATE TABLE staging.written (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, pack TEXT,"
    " pack_offset INTEGER) WITHOUT ROWID",
    # the blobs the new version uses, read back from its manifest by the commit transaction
    # (appended in manifest order; indexed once, after loading, to be read in digest order)
    "CREATE TABLE staging.used (digest TEXT NOT NULL, size INTEGER NOT NULL)",
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

    def __init__(self, cat: Catalog, tmp: Path, hold: Callable[[int], None] | None = None) -> None:
        """``hold``: marks an fd of the scratch file as in use (blobs/inuse.py), so that gc
        does not remove it while this process lives."""
        self.cat = cat
        self._seen = _Filter()  # digests written so far: most lookups need no query
        self.path = tmp / f"{PREFIX}{os.getpid()}-{secrets.token_hex(6)}{SUFFIX}"
        cat.exec("ATTACH DATABASE ? AS staging", (str(self.path),))
        self._held: int | None = None
        if hold is not None:
            with contextlib.suppress(OSError):
                self._held = os.open(self.path, os.O_RDONLY)
                hold(self._held)
        try:
            # sorts of a million rows (the index on ``used``) spill to files, not to memory
            cat.exec("PRAGMA temp_store = FILE")
            cat.exec("PRAGMA staging.journal_mode = OFF")
            cat.exec("PRAGMA staging.synchronous = OFF")
            cat.exec("PRAGMA staging.cache_size = -32768")
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
        with contextlib.suppress(Exception):
            self.cat.conn.execute("PRAGMA temp_store = MEMORY")  # as catalog/db.py sets it
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        if self._held is not None:
            os.close(self._held)
            self._held = None

    # -- appending, one chunk of files at a time (no catalog lock) ------------------------------

    def add(
        self,
        written: list[tuple[str, int, str | None, int | None]],
        stats: list[tuple[str, int, int, int, int, str]],
        linked: list[tuple[int, int, str]],
    ) -> None:
        """``written``: (digest, size, pack, offset);
        ``stats``: (path, inode, size, mtime_ns, ctime_ns, digest); ``linked``: (dev, ino,
        digest). One small transaction on the scratch file only (or part of the caller's)."""
        cat = self.cat
        for row in written:
            self._seen.add(row[0])
        own = not cat.conn.in_transaction
        if own:
            cat.exec("BEGIN")
        try:
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
        maybe = [d for d in digests if d in self._seen]
        if not maybe:
            return set()
        sql = "SELECT digest FROM staging.written WHERE digest IN ({marks})"
        return {str(r[0]) for r in self.cat.all_in(sql, maybe)}

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

    def record_written(self, now: str) -> None:
        """Catalog rows for the blobs this command wrote (a digest that has a row keeps it: the
        first copy recorded is the one readers use; a later one in a pack is dead space)."""
        self.cat.exec(
            "INSERT OR IGNORE INTO main.blobs (digest, size, created_at, pack, pack_offset)"
            " SELECT digest, size, ?, pack, pack_offset FROM staging.written ORDER BY digest",
            (now,),
        )

    def add_used(self, pairs: list[tuple[str, int]]) -> None:
        """(digest, size) of blobs the new version uses (repeats allowed)."""
        self.cat.many("INSERT INTO staging.used (digest, size) VALUES (?, ?)", pairs)  # type: ignore[arg-type]

    def unrecorded_used(self) -> list[str]:
        """The blobs the new version uses that have no catalog row: each must be a loose file
        on disk (written by a put whose commit failed, or by this one without a pack)."""
        self.cat.exec("CREATE INDEX staging.used_digest ON used (digest, size)")
        return [
            str(r[0])
            for r in self.cat.all(
                "SELECT DISTINCT digest FROM staging.used u WHERE NOT EXISTS"
                " (SELECT 1 FROM main.blobs b WHERE b.digest = u.digest)"
            )
        ]

    def record_used(self, version_id: int, now: str) -> None:
        """Rows for the used blobs that have none (loose files) and the version's references to
        every used blob, inserted in digest order."""
        self.cat.exec(
            "INSERT OR IGNORE INTO main.blobs (digest, size, created_at)"
            " SELECT digest, size, ? FROM staging.used ORDER BY digest",
            (now,),
        )
        self.cat.exec(
            "INSERT OR IGNORE INTO main.version_blobs (version_id, digest)"
            " SELECT ?, digest FROM staging.used ORDER BY digest",
            (version_id,),
        )

    def remember(self, now: str, racy_horizon_ns: int) -> None:
        """Stat cache rows (files whose inode changed before ``racy_horizon_ns`` only: see
        ops/commit.RACY_NS) and the inodes of files that became blobs."""
        cat = self.cat
        cat.exec(
            "INSERT INTO main.stat_cache (path, inode, size, mtime_ns, ctime_ns, digest)"
            " SELECT path, inode, size, mtime_ns, ctime_ns, digest FROM staging.stats"
            " WHERE ctime_ns < ? ORDER BY path" + statcache.UPSERT,
            (racy_horizon_ns,),
        )
        cat.exec(
            "INSERT INTO main.hardlinks (dev, ino, digest, placed_at)"
            " SELECT dev, ino, digest, ? FROM staging.linked WHERE true" + hardlinks.UPSERT,
            (now,),
        )


class _Filter:
    """A Bloom filter of digests (2 MiB, three probes): ``in`` is never wrong when it says no,
    and says yes wrongly for under 0.5% of digests at a million members. The probes are slices
    of the digest itself, already uniformly distributed."""

    BITS = 1 << 24

    def __init__(self) -> None:
        self._bits = bytearray(self.BITS // 8)

    @classmethod
    def _probes(cls, digest: str) -> tuple[int, int, int]:
        mask = cls.BITS - 1
        return (
            int(digest[-8:], 16) & mask,
            int(digest[-16:-8], 16) & mask,
            int(digest[-24:-16], 16) & mask,
        )

    def add(self, digest: str) -> None:
        bits = self._bits
        for p in self._probes(digest):
            bits[p >> 3] |= 1 << (p & 7)

    def __contains__(self, digest: str) -> bool:
        bits = self._bits
        return all(bits[p >> 3] & (1 << (p & 7)) for p in self._probes(digest))
