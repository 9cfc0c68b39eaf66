"""A version's life after commit: aliases (with history), tags, description, metadata, TTL,
deletion, and what protects a version from deletion.

Every function here runs inside the caller's transaction (``with cat.write():``); they never open
one themselves, so an ops function can make several changes atomically.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from artifactctl.catalog import versions as q
from artifactctl.catalog.db import Catalog

LATEST = "latest"


# -- aliases -------------------------------------------------------------------------------------


@dataclass(slots=True)
class AliasRow:
    name: str
    alias: str
    version_id: int
    number: int
    updated_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "alias": self.alias,
            "version": f"{self.name}:v{self.number}",
            "number": self.number,
            "updated_at": self.updated_at,
        }


@dataclass(slots=True)
class AliasEvent:
    action: str  # 'set' or 'remove'
    version: str | None
    previous: str | None
    at: str
    run_id: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "version": self.version,
            "previous": self.previous,
            "at": self.at,
            "run_id": self.run_id,
        }


def remove_alias(
    cat: Catalog, artifact_id: int, alias: str, now: str, *, run_id: str | None = None
) -> int | None:
    """Drop ``alias`` of the artifact and append a 'remove' row; returns where it pointed."""
    previous = q.alias_target(cat, artifact_id, alias)
    if previous is None:
        return None
    cat.exec("DELETE FROM aliases WHERE artifact_id = ? AND alias = ?", (artifact_id, alias))
    cat.exec(
        "INSERT INTO alias_history (artifact_id, alias, action, version_id, previous_version_id,"
        " at, run_id) VALUES (?, ?, 'remove', NULL, ?, ?, ?)",
        (artifact_id, alias, previous, now, run_id),
    )
    return previous


def list_aliases(cat: Catalog, artifact_id: int | None = None) -> list[AliasRow]:
    """Aliases of one artifact, or of every artifact (kind 'artifact'), by name then alias."""
    sql = (
        "SELECT a.name, al.alias, al.version_id, v.number, al.updated_at FROM aliases al"
        " JOIN artifacts a ON a.id = al.artifact_id JOIN versions v ON v.id = al.version_id"
    )
    if artifact_id is None:
        rows = cat.all(sql + " WHERE a.kind = 'artifact' ORDER BY a.name, al.alias")
    else:
        rows = cat.all(sql + " WHERE al.artifact_id = ? ORDER BY al.alias", (artifact_id,))
    return [AliasRow(*r) for r in rows]  # type: ignore[arg-type]


def alias_history(cat: Catalog, artifact_id: int, alias: str) -> list[AliasEvent]:
    rows = cat.all(
        "SELECT h.action, a.name, vn.number, vp.number, h.at, h.run_id FROM alias_history h"
        " JOIN artifacts a ON a.id = h.artifact_id"
        " LEFT JOIN versions vn ON vn.id = h.version_id"
        " LEFT JOIN versions vp ON vp.id = h.previous_version_id"
        " WHERE h.artifact_id = ? AND h.alias = ? ORDER BY h.id",
        (artifact_id, alias),
    )
    return [
        AliasEvent(
            str(action),
            f"{name}:v{new}" if new is not None else None,
            f"{name}:v{old}" if old is not None else None,
            str(at),
            str(run) if run is not None else None,
        )
        for action, name, new, old, at, run in rows
    ]


def own_aliases(cat: Catalog, version_id: int) -> list[str]:
    """The aliases the version's own artifact gives it (not portfolios'), ``latest`` first."""
    rows = cat.all(
        "SELECT al.alias FROM aliases al JOIN versions v ON v.id = al.version_id"
        " WHERE al.version_id = ? AND al.artifact_id = v.artifact_id ORDER BY al.alias",
        (version_id,),
    )
    names = [str(r[0]) for r in rows]
    return sorted(names, key=lambda a: (a != LATEST, a))


def reset_latest(cat: Catalog, artifact_id: int, now: str, *, run_id: str | None = None) -> None:
    """Point ``latest`` at the newest committed version, or remove it when none is left."""
    newest = q.latest_committed(cat, artifact_id)
    if newest is None:
        remove_alias(cat, artifact_id, LATEST, now, run_id=run_id)
    else:
        q.set_alias(cat, artifact_id, LATEST, newest.id, now, run_id=run_id)


# -- tags, description, metadata, TTL ------------------------------------------------------------


def remove_tags(cat: Catalog, version_id: int, tags: list[str]) -> None:
    cat.many("DELETE FROM tags WHERE version_id = ? AND tag = ?", [(version_id, t) for t in tags])


def set_description(cat: Catalog, version_id: int, description: str | None, now: str) -> None:
    cat.exec(
        "UPDATE versions SET description = ?, updated_at = ? WHERE id = ?",
        (description, now, version_id),
    )


def set_metadata(cat: Catalog, version_id: int, metadata: dict[str, Any], now: str) -> None:
    cat.exec(
        "UPDATE versions SET metadata = ?, updated_at = ? WHERE id = ?",
        (json.dumps(metadata, sort_keys=True) if metadata else None, now, version_id),
    )


def set_ttl(
    cat: Catalog, version_id: int, ttl_seconds: int | None, expires_at: str | None, now: str
) -> None:
    cat.exec(
        "UPDATE versions SET ttl_seconds = ?, expires_at = ?, updated_at = ? WHERE id = ?",
        (ttl_seconds, expires_at, now, version_id),
    )


def expired_version_ids(cat: Catalog, now: str) -> list[int]:
    """Committed versions whose ``expires_at`` is at or before ``now``, oldest expiry first."""
    rows = cat.all(
        "SELECT id FROM versions WHERE state = 'COMMITTED' AND expires_at IS NOT NULL"
        " AND expires_at <= ? ORDER BY expires_at, id",
        (now,),
    )
    return [int(r[0]) for r in rows]  # type: ignore[call-overload]


# -- protection and deletion ---------------------------------------------------------------------


def _protecting_aliases(cat: Catalog, version_id: int) -> list[str]:
    return [f"alias {a!r}" for a in own_aliases(cat, version_id) if a != LATEST]


def _portfolio_links(cat: Catalog, version_id: int) -> list[str]:
    if cat.one("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'links'") is None:
        return []
    rows = cat.all(
        "SELECT p.name, l.number FROM links l JOIN artifacts p ON p.id = l.portfolio_id"
        " WHERE l.source_version_id = ? AND l.unlinked_at IS NULL ORDER BY p.name, l.number",
        (version_id,),
    )
    return [f"linked as {name}:v{number}" for name, number in rows]


#: Each check returns the reasons (human text) a version must not be deleted automatically.
#: Features that pin versions add a check here (catalog-level, no I/O beyond the catalog).
PROTECTORS: list[Callable[[Catalog, int], list[str]]] = [_protecting_aliases, _portfolio_links]


def protected_reasons(cat: Catalog, version_id: int) -> list[str]:
    """Why ``gc`` and ``keep`` must leave this version alone (empty: it is not protected).

    Today: an alias other than ``latest``, and an active portfolio link.
    """
    return [reason for check in PROTECTORS for reason in check(cat, version_id)]


def mark_deleted(
    cat: Catalog, version_id: int, now: str, *, run_id: str | None = None
) -> list[str]:
    """Soft-delete a version: state DELETED, every alias pointing at it removed (with history),
    and ``latest`` moved back to the newest committed version. Blobs stay until ``gc``.

    Returns the aliases of its own artifact that were removed (``latest`` included).
    """
    row = cat.one("SELECT artifact_id FROM versions WHERE id = ?", (version_id,))
    assert row is not None
    artifact_id = int(row[0])  # type: ignore[call-overload]
    removed = own_aliases(cat, version_id)
    from artifactctl.catalog.links import unlink_everywhere  # a deleted source is no member

    unlink_everywhere(cat, version_id, now, run_id=run_id)
    q.set_state(cat, version_id, q.DELETED, now)
    for owner, alias in cat.all(
        "SELECT artifact_id, alias FROM aliases WHERE version_id = ? ORDER BY artifact_id, alias",
        (version_id,),
    ):
        remove_alias(cat, int(owner), str(alias), now, run_id=run_id)  # type: ignore[call-overload]
    if LATEST in removed:
        reset_latest(cat, artifact_id, now, run_id=run_id)
    return removed


# -- filtering -----------------------------------------------------------------------------------


def find_version_ids(
    cat: Catalog,
    *,
    name: str | None = None,
    type_: str | None = None,
    tag: str | None = None,
    alias: str | None = None,
) -> list[int]:
    """Committed versions of artifacts (kind 'artifact') matching every given filter."""
    where = ["v.state = 'COMMITTED'", "a.kind = 'artifact'"]
    params: list[object] = []
    if name is not None:
        where.append("a.name = ?")
        params.append(name)
    if type_ is not None:
        where.append("a.type = ?")
        params.append(type_)
    if tag is not None:
        where.append("EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.tag = ?)")
        params.append(tag)
    if alias is not None:
        where.append(
            "EXISTS (SELECT 1 FROM aliases al WHERE al.version_id = v.id"
            " AND al.artifact_id = v.artifact_id AND al.alias = ?)"
        )
        params.append(alias)
    rows = cat.all(
        "SELECT v.id FROM versions v JOIN artifacts a ON a.id = v.artifact_id"
        f" WHERE {' AND '.join(where)} ORDER BY a.name, v.number",
        tuple(params),
    )
    return [int(r[0]) for r in rows]  # type: ignore[call-overload]
