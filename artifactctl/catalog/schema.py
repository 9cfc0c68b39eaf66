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

from artifactctl.errors import IntegrityError

if TYPE_CHECKING:
    import sqlite_utils

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


def _m004_links(db: sqlite_utils.Database) -> None:
    """Portfolio members: links to source versions (see catalog/links.py)."""
    db.execute(
        "CREATE TABLE links (id INTEGER PRIMARY KEY,"
        " portfolio_id INTEGER NOT NULL REFERENCES artifacts(id), number INTEGER NOT NULL,"
        " source_version_id INTEGER NOT NULL REFERENCES versions(id), linked_at TEXT NOT NULL,"
        " run_id TEXT, unlinked_at TEXT, unlinked_run_id TEXT)"
    )
    db.execute("CREATE UNIQUE INDEX idx_links_portfolio_number ON links (portfolio_id, number)")
    db.execute(
        "CREATE UNIQUE INDEX idx_links_active_source ON links (portfolio_id, source_version_id)"
        " WHERE unlinked_at IS NULL"
    )
    db.execute("CREATE INDEX idx_links_source ON links (source_version_id)")
    db.execute("CREATE INDEX idx_links_run ON links (run_id)")


def _m003_runs(db: sqlite_utils.Database) -> None:
    """Runs, their tags, inputs (lineage) and metrics history (see catalog/runs.py)."""
    db.execute(
        "CREATE TABLE runs (id TEXT PRIMARY KEY, name TEXT NOT NULL, project TEXT NOT NULL,"
        " group_name TEXT, job_type TEXT, notes TEXT, state TEXT NOT NULL, exit_code INTEGER,"
        " created_at TEXT NOT NULL, updated_at TEXT NOT NULL, finished_at TEXT,"
        " heartbeat_at TEXT, config TEXT, summary TEXT, summary_state TEXT, metric_defs TEXT,"
        " meta TEXT, next_step INTEGER NOT NULL DEFAULT 0)"
    )
    db.execute("CREATE INDEX idx_runs_project_created ON runs (project, created_at)")
    db.execute("CREATE INDEX idx_runs_name ON runs (name)")
    db.execute(
        "CREATE TABLE run_tags (run_id TEXT NOT NULL REFERENCES runs(id), tag TEXT NOT NULL,"
        " PRIMARY KEY (run_id, tag)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_run_tags_tag ON run_tags (tag)")
    db.execute(
        "CREATE TABLE run_inputs (run_id TEXT NOT NULL REFERENCES runs(id),"
        " version_id INTEGER NOT NULL REFERENCES versions(id), at TEXT NOT NULL,"
        " PRIMARY KEY (run_id, version_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX idx_run_inputs_version ON run_inputs (version_id)")
    db.execute(
        "CREATE TABLE run_history (run_id TEXT NOT NULL REFERENCES runs(id),"
        " stream TEXT NOT NULL, step INTEGER NOT NULL, ts REAL NOT NULL, data TEXT NOT NULL,"
        " PRIMARY KEY (run_id, stream, step)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_versions_run ON versions (run_id)")


def _m005_hardlinks(db: sqlite_utils.Database) -> None:
    """Blobs placed as hard links by get/checkout, by inode (see catalog/hardlinks.py)."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS hardlinks (dev INTEGER NOT NULL, ino INTEGER NOT NULL,"
        " digest TEXT NOT NULL, placed_at TEXT NOT NULL, PRIMARY KEY (dev, ino)) WITHOUT ROWID"
    )


def _m006_packs(db: sqlite_utils.Database) -> None:
    """Where a packed blob lives: pack id and byte offset (NULL for a loose blob file)."""
    db.execute("ALTER TABLE blobs ADD COLUMN pack TEXT")
    db.execute("ALTER TABLE blobs ADD COLUMN pack_offset INTEGER")
    db.execute("CREATE INDEX idx_blobs_pack ON blobs (pack) WHERE pack IS NOT NULL")
    # `get --link hardlink` records a blob's inode once, not on every get (ops/hardlinks.py)
    db.execute("CREATE INDEX IF NOT EXISTS idx_hardlinks_digest ON hardlinks (digest)")


Migration = Callable[["sqlite_utils.Database"], None]

#: Applied in order; the schema version is the number applied.
MIGRATIONS: list[tuple[str, Migration]] = [
    ("001_core", _m001_core),
    ("004_links", _m004_links),
    ("003_runs", _m003_runs),
    ("005_hardlinks", _m005_hardlinks),
    ("006_packs", _m006_packs),
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
