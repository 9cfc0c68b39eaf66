"""Queries behind ``fsck``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime

from artifactctl.catalog.db import Catalog
from artifactctl.core.timefmt import iso


def quick_check(cat: Catalog) -> list[str]:
    try:
        rows = cat.conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    messages = [str(r[0]) for r in rows]
    return [] if messages == ["ok"] else messages


def committed_versions(cat: Catalog) -> Iterator[tuple[str, str, list[str]]]:
    """(label, manifest digest, every blob digest it needs) for each committed version."""
    rows = cat.all(
        "SELECT v.id, a.name || ':v' || v.number, v.digest FROM versions v"
        " JOIN artifacts a ON a.id = v.artifact_id WHERE v.state = 'COMMITTED' ORDER BY v.id"
    )
    for vid, label, digest in rows:
        needed = [
            str(r[0])
            for r in cat.all("SELECT digest FROM version_blobs WHERE version_id = ?", (vid,))
        ]
        yield str(label), str(digest), needed


def dangling_aliases(cat: Catalog) -> list[tuple[str, str]]:
    rows = cat.all(
        "SELECT a.name || ':v' || v.number, al.alias FROM aliases al"
        " JOIN versions v ON v.id = al.version_id JOIN artifacts a ON a.id = v.artifact_id"
        " WHERE v.state != 'COMMITTED'"
    )
    return [(str(r[0]), str(r[1])) for r in rows]


def stale_pending(cat: Catalog, before_timestamp: float) -> list[str]:
    cutoff = iso(datetime.fromtimestamp(before_timestamp, UTC))
    rows = cat.all(
        "SELECT a.name || ':v' || v.number FROM versions v JOIN artifacts a ON a.id = v.artifact_id"
        " WHERE v.state = 'PENDING' AND v.created_at < ?",
        (cutoff,),
    )
    return [str(r[0]) for r in rows]
