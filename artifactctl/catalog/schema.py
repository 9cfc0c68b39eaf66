"""Named, transactional schema migrations.

Each migration is a function with a unique name, applied once, in order, inside one write
transaction together with its row in ``migrations``. A catalog that has a migration this code does
not know was written by a newer artifactctl: opening it is a clear error, never a guess.
Add new migrations at the end of :data:`MIGRATIONS`; never edit or reorder applied ones.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import sqlite_utils

from artifactctl.errors import IntegrityError

if TYPE_CHECKING:
    from artifactctl.catalog.db import Catalog


def _m001_core(db: sqlite_utils.Database) -> None:
    db.table("artifacts").create(
        {
            "id": int,
            "name": str,
            "type": str,
            "kind": str,
            "description": str,
            "created_at": str,
            "last_version": int,
        },
        pk="id",
        not_null={"name", "type", "kind", "created_at", "last_version"},
        defaults={"kind": "artifact", "last_version": -1},
    )
    db.table("artifacts").create_index(["name"], unique=True)
    db.table("versions").create(
        {
            "id": int,
            "artifact_id": int,
            "number": int,
            "state": str,
            "digest": str,
            "size": int,
            "file_count": int,
            "description": str,
            "metadata": str,
            "created_at": str,
            "updated_at": str,
            "ttl_seconds": int,
            "expires_at": str,
            "run_id": str,
        },
        pk="id",
        not_null={"artifact_id", "number", "state", "digest", "size", "file_count", "created_at"},
        foreign_keys=[("artifact_id", "artifacts", "id")],
    )
    db.table("versions").create_index(["artifact_id", "number"], unique=True)
    db.table("versions").create_index(["digest"])
    db.table("versions").create_index(["state", "expires_at"])
    db.table("aliases").create(
        {"artifact_id": int, "alias": str, "version_id": int, "updated_at": str},
        pk=("artifact_id", "alias"),
        not_null={"version_id", "updated_at"},
        foreign_keys=[("artifact_id", "artifacts", "id"), ("version_id", "versions", "id")],
    )
    db.table("aliases").create_index(["version_id"])
    db.table("alias_history").create(
        {
            "id": int,
            "artifact_id": int,
            "alias": str,
            "action": str,
            "version_id": int,
            "previous_version_id": int,
            "at": str,
            "run_id": str,
        },
        pk="id",
        not_null={"artifact_id", "alias", "action", "at"},
    )
    db.table("alias_history").create_index(["artifact_id", "alias"])
    db.table("tags").create(
        {"version_id": int, "tag": str},
        pk=("version_id", "tag"),
        foreign_keys=[("version_id", "versions", "id")],
    )
    db.table("tags").create_index(["tag"])
    db.execute(
        "CREATE TABLE blobs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL,"
        " created_at TEXT NOT NULL) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE version_blobs (version_id INTEGER NOT NULL REFERENCES versions(id),"
        " digest TEXT NOT NULL, PRIMARY KEY (version_id, digest)) WITHOUT ROWID"
    )
    db.table("version_blobs").create_index(["digest"])
    db.execute(
        "CREATE TABLE stat_cache (path TEXT PRIMARY KEY, inode INTEGER NOT NULL,"
        " size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL,"
        " digest TEXT NOT NULL) WITHOUT ROWID"
    )
    db.table("checkouts").create(
        {"path": str, "version_id": int, "at": str}, pk="path", not_null={"version_id", "at"}
    )


Migration = Callable[[sqlite_utils.Database], None]

#: Applied in order; the schema version is the number applied.
MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_core", _m001_core),
]


def schema_version() -> int:
    return len(MIGRATIONS)


def migrate(catalog: Catalog) -> None:
    conn = catalog.conn
    conn.execute(
        "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)"
    )
    applied = {row[0] for row in conn.execute("SELECT name FROM migrations")}
    known = {name for name, _ in MIGRATIONS}
    unknown = sorted(applied - known)
    if unknown:
        raise IntegrityError(
            f"the catalog {catalog.path} was written by a newer artifactctl "
            f"(unknown schema migrations: {', '.join(unknown)})",
            hint="upgrade artifactctl: pip install -U artifactctl",
        )
    if applied >= known:
        return
    with catalog.write():
        applied = {row[0] for row in conn.execute("SELECT name FROM migrations")}
        for name, apply in MIGRATIONS:
            if name in applied:
                continue
            apply(catalog.db)
            conn.execute("INSERT INTO migrations VALUES (?, ?)", (name, time.time()))
        conn.execute(f"PRAGMA user_version = {schema_version()}")


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM migrations ORDER BY name")]
