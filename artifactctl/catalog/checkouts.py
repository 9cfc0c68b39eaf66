"""Directories made by ``checkout`` (so a later checkout may replace their contents)."""

from __future__ import annotations

from artifactctl.catalog.db import Catalog


def record(cat: Catalog, path: str, version_id: int, now: str) -> None:
    cat.exec(
        "INSERT INTO checkouts (path, version_id, at) VALUES (?, ?, ?) ON CONFLICT (path)"
        " DO UPDATE SET version_id = excluded.version_id, at = excluded.at",
        (path, version_id, now),
    )


def is_checkout(cat: Catalog, path: str) -> bool:
    return cat.one("SELECT 1 FROM checkouts WHERE path = ?", (path,)) is not None
