"""Connection, pragmas and transactions of the catalog.

Writers take SQLite's write lock up front (``BEGIN IMMEDIATE``) so that a command is one
transaction that either commits whole or not at all. While it holds the lock a writer records
who it is in ``writer.lock`` beside the database, so that another writer that times out can name
the holder. Readers use WAL snapshots and never block writers.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from artifactctl.catalog import schema
from artifactctl.errors import IntegrityError, LockTimeoutError, StorageError, UsageError

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT_LOCK_TIMEOUT = 60.0


def lock_timeout_from_env() -> float:
    raw = os.environ.get("ARTIFACTCTL_LOCK_TIMEOUT")
    try:
        return float(raw) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


class Catalog:
    """One SQLite database file with artifactctl's schema."""

    def __init__(
        self, path: Path, *, lock_timeout: float | None = None, create: bool = False
    ) -> None:
        self.path = path
        self.lock_timeout = lock_timeout_from_env() if lock_timeout is None else lock_timeout
        self._holder_file = path.with_name("writer.lock")
        if not create and not path.exists():
            raise IntegrityError(
                f"catalog {path} is missing", hint="the store is damaged; restore catalog.db"
            )
        try:
            self.conn = sqlite3.connect(
                str(path), timeout=self.lock_timeout, isolation_level=None, check_same_thread=False
            )
            self.conn.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()
            self.conn.execute("PRAGMA synchronous = NORMAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA temp_store = MEMORY")
            self.conn.execute("PRAGMA cache_size = -65536")
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None
        if mode is None:
            raise IntegrityError(f"catalog {path} could not be opened")
        self._db: sqlite_utils.Database | None = None
        try:
            schema.migrate(self)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the same connection, imported only when needed (migrations):
        it costs ~100 ms of start-up that most commands do not need."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    # -- transactions -------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self, *, durable: bool = False) -> Iterator[Catalog]:
        """One write transaction holding the write lock; commits on success."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _translate(exc, self) from None
        try:
            self._note_holder()
            if durable:
                self.conn.execute("PRAGMA synchronous = FULL")
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise _translate(exc, self) from None
        finally:
            if durable:
                self.conn.execute("PRAGMA synchronous = NORMAL")

    @contextlib.contextmanager
    def read(self) -> Iterator[Catalog]:
        """A consistent snapshot for several reads (no lock against writers)."""
        if self.conn.in_transaction:
            yield self
            return
        try:
            self.conn.execute("BEGIN")
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None
        try:
            yield self
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")

    def _note_holder(self) -> None:
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.time()}
        info["command"] = " ".join(
            os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv)
        )[:200]
        with contextlib.suppress(OSError):
            self._holder_file.write_text(json.dumps(info))

    def holder_description(self) -> str:
        try:
            info = json.loads(self._holder_file.read_text())
            return f"pid {info['pid']} on {info['host']} ({info['command']})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    # -- helpers for the query modules ---------------------------------------------------------

    def one(self, sql: str, params: tuple[object, ...] = ()) -> tuple[object, ...] | None:
        try:
            row: tuple[object, ...] | None = self.conn.execute(sql, params).fetchone()
            return row
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None
        except UnicodeEncodeError:
            raise _not_text() from None

    def all(self, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None
        except UnicodeEncodeError:
            raise _not_text() from None

    def exec(self, sql: str, params: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None
        except UnicodeEncodeError:
            raise _not_text() from None

    def all_in(
        self, sql: str, values: Iterable[object], *, chunk: int = 500
    ) -> Iterator[tuple[object, ...]]:
        """Rows of ``sql`` run over ``values`` in chunks: ``sql`` has one ``{marks}`` where the
        chunk's placeholders go (``... WHERE digest IN ({marks})``), so that any number of
        values stays under SQLite's limit on bound parameters."""
        wanted = list(values)
        for i in range(0, len(wanted), chunk):
            part = tuple(wanted[i : i + chunk])
            yield from self.all(sql.format(marks=",".join("?" * len(part))), part)

    def many(self, sql: str, rows: list[tuple[object, ...]]) -> None:
        try:
            self.conn.executemany(sql, rows)
        except sqlite3.DatabaseError as exc:
            raise _translate(exc, self) from None
        except UnicodeEncodeError:
            raise _not_text() from None


def _not_text() -> UsageError:
    # a command-line argument with bytes that are not UTF-8 (Python passes them as surrogates)
    return UsageError(
        "an argument is not valid UTF-8 text", hint="names, specs and ids must be UTF-8 text"
    )


def _translate(exc: sqlite3.DatabaseError, catalog: Catalog) -> Exception:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return LockTimeoutError(
            f"the catalog stayed locked for {catalog.lock_timeout:g} s by "
            f"{catalog.holder_description()}",
            hint="wait for it to finish, or raise ARTIFACTCTL_LOCK_TIMEOUT (seconds)",
        )
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StorageError(
            f"cannot write the catalog {catalog.path}: {text}",
            hint="check the store directory's permissions and free space",
        )
    if "disk is full" in text or "disk I/O" in text:
        return StorageError(f"storage failure on {catalog.path}: {text}")
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return IntegrityError(
            f"the catalog {catalog.path} is damaged: {text}",
            hint="restore catalog.db from a backup; the blobs are intact",
        )
    return StorageError(f"catalog error on {catalog.path}: {text}")
