"""Artifacts, versions, aliases and tags."""

from __future__ import annotations

import json
from typing import Any

from artifactctl.catalog.db import Catalog
from artifactctl.catalog.rows import VERSION_COLUMNS, ArtifactRow, VersionRow, version_from_row
from artifactctl.errors import ConflictError

COMMITTED = "COMMITTED"
PENDING = "PENDING"
DELETED = "DELETED"

_FROM = "FROM versions v JOIN artifacts a ON a.id = v.artifact_id"


def get_artifact(cat: Catalog, name: str) -> ArtifactRow | None:
    row = cat.one(
        "SELECT id, name, type, kind, description, created_at, last_version"
        " FROM artifacts WHERE name = ?",
        (name,),
    )
    return ArtifactRow(*row) if row else None  # type: ignore[arg-type]


def ensure_artifact(
    cat: Catalog, name: str, type_: str, now: str, *, kind: str = "artifact"
) -> ArtifactRow:
    """Return the artifact, creating it; a different type is a conflict."""
    existing = get_artifact(cat, name)
    if existing is None:
        cat.exec(
            "INSERT INTO artifacts (name, type, kind, created_at, last_version)"
            " VALUES (?, ?, ?, ?, -1)",
            (name, type_, kind, now),
        )
        existing = get_artifact(cat, name)
        assert existing is not None
    elif existing.kind != kind:
        raise ConflictError(
            f"{name!r} is already the name of a {existing.kind}, so it cannot name a {kind}",
            hint="choose another name (`artifactctl portfolio ls` lists the portfolios)",
        )
    elif existing.type != type_:
        raise ConflictError(
            f"artifact {name!r} has type {existing.type!r}, not {type_!r}",
            hint=f"use --type {existing.type} or choose another name",
        )
    return existing


def allocate_number(cat: Catalog, artifact_id: int) -> int:
    """The next version number: one more than the highest ever used (never reused)."""
    row = cat.one(
        "UPDATE artifacts SET last_version = last_version + 1 WHERE id = ? RETURNING last_version",
        (artifact_id,),
    )
    assert row is not None
    return int(row[0])  # type: ignore[call-overload]


def insert_version(
    cat: Catalog,
    *,
    artifact_id: int,
    number: int,
    state: str,
    digest: str,
    size: int,
    file_count: int,
    description: str | None,
    metadata: dict[str, Any],
    now: str,
    ttl_seconds: int | None = None,
    expires_at: str | None = None,
    run_id: str | None = None,
) -> int:
    cur = cat.exec(
        "INSERT INTO versions (artifact_id, number, state, digest, size, file_count, description,"
        " metadata, created_at, updated_at, ttl_seconds, expires_at, run_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            artifact_id,
            number,
            state,
            digest,
            size,
            file_count,
            description,
            json.dumps(metadata, sort_keys=True) if metadata else None,
            now,
            now,
            ttl_seconds,
            expires_at,
            run_id,
        ),
    )
    return int(cur.lastrowid or 0)


def set_state(cat: Catalog, version_id: int, state: str, now: str) -> None:
    cat.exec("UPDATE versions SET state = ?, updated_at = ? WHERE id = ?", (state, now, version_id))


def _versions(cat: Catalog, where: str, params: tuple[object, ...]) -> list[VersionRow]:
    rows = cat.all(f"SELECT {VERSION_COLUMNS} {_FROM} WHERE {where}", params)
    versions = [version_from_row(r) for r in rows]
    _attach_labels(cat, versions)
    return versions


def _attach_labels(cat: Catalog, versions: list[VersionRow]) -> None:
    if not versions:
        return
    by_id = {v.id: v for v in versions}
    ids = list(by_id)
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        for vid, alias in cat.all(
            f"SELECT al.version_id, al.alias FROM aliases al JOIN versions v2"
            f" ON v2.id = al.version_id AND v2.artifact_id = al.artifact_id"
            f" WHERE al.version_id IN ({marks}) ORDER BY al.alias",  # a portfolio's aliases: not
            tuple(chunk),  # the source's own (catalog/links.py)
        ):
            by_id[vid].aliases.append(alias)  # type: ignore[index, arg-type]
        for vid, tag in cat.all(
            f"SELECT version_id, tag FROM tags WHERE version_id IN ({marks}) ORDER BY tag",
            tuple(chunk),
        ):
            by_id[vid].tags.append(tag)  # type: ignore[index, arg-type]
    for v in versions:
        if "latest" in v.aliases:
            v.aliases.remove("latest")
            v.aliases.insert(0, "latest")


def version_by_id(cat: Catalog, version_id: int) -> VersionRow | None:
    found = _versions(cat, "v.id = ?", (version_id,))
    return found[0] if found else None


def version_by_number(cat: Catalog, name: str, number: int) -> VersionRow | None:
    found = _versions(cat, "a.name = ? AND v.number = ? AND v.state = ?", (name, number, COMMITTED))
    return found[0] if found else None


def version_by_alias(cat: Catalog, name: str, alias: str) -> VersionRow | None:
    found = _versions(
        cat,
        "v.id = (SELECT al.version_id FROM aliases al JOIN artifacts a2 ON a2.id = al.artifact_id"
        " WHERE a2.name = ? AND al.alias = ?) AND v.state = ?",
        (name, alias, COMMITTED),
    )
    return found[0] if found else None


def versions_by_digest_prefix(cat: Catalog, name: str, prefix: str) -> list[VersionRow]:
    like = prefix.replace("%", "").replace("_", "") + "%"
    return _versions(
        cat,
        "a.name = ? AND v.state = ? AND substr(v.digest, instr(v.digest, ':') + 1) LIKE ?",
        (name, COMMITTED, like),
    )


def versions_of(
    cat: Catalog, name: str, *, states: tuple[str, ...] = (COMMITTED,)
) -> list[VersionRow]:
    marks = ",".join("?" * len(states))
    return _versions(cat, f"a.name = ? AND v.state IN ({marks}) ORDER BY v.number", (name, *states))


def latest_committed(cat: Catalog, artifact_id: int) -> VersionRow | None:
    found = _versions(
        cat,
        "v.artifact_id = ? AND v.state = ? ORDER BY v.number DESC LIMIT 1",
        (artifact_id, COMMITTED),
    )
    return found[0] if found else None


def list_artifacts(cat: Catalog, *, kind: str = "artifact") -> list[dict[str, Any]]:
    rows = cat.all(
        "SELECT a.name, a.type, a.created_at,"
        " (SELECT count(*) FROM versions v WHERE v.artifact_id = a.id AND v.state = 'COMMITTED'),"
        " (SELECT v.number FROM aliases al JOIN versions v ON v.id = al.version_id"
        "   WHERE al.artifact_id = a.id AND al.alias = 'latest'),"
        " (SELECT coalesce(sum(v.size), 0) FROM versions v"
        "   WHERE v.artifact_id = a.id AND v.state = 'COMMITTED')"
        " FROM artifacts a WHERE a.kind = ? ORDER BY a.name",
        (kind,),
    )
    keys = ("name", "type", "created_at", "versions", "latest", "size")
    return [dict(zip(keys, r, strict=True)) for r in rows]


# -- aliases -------------------------------------------------------------------------------------


def alias_target(cat: Catalog, artifact_id: int, alias: str) -> int | None:
    row = cat.one(
        "SELECT version_id FROM aliases WHERE artifact_id = ? AND alias = ?", (artifact_id, alias)
    )
    return int(row[0]) if row else None  # type: ignore[call-overload]


def set_alias(
    cat: Catalog,
    artifact_id: int,
    alias: str,
    version_id: int,
    now: str,
    *,
    run_id: str | None = None,
) -> None:
    """Point ``alias`` at ``version_id`` (moving it) and append the move to the history."""
    previous = alias_target(cat, artifact_id, alias)
    if previous == version_id:
        return
    cat.exec(
        "INSERT INTO aliases (artifact_id, alias, version_id, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (artifact_id, alias) DO UPDATE SET version_id = excluded.version_id,"
        " updated_at = excluded.updated_at",
        (artifact_id, alias, version_id, now),
    )
    cat.exec(
        "INSERT INTO alias_history (artifact_id, alias, action, version_id, previous_version_id,"
        " at, run_id) VALUES (?, ?, 'set', ?, ?, ?, ?)",
        (artifact_id, alias, version_id, previous, now, run_id),
    )


def add_tags(cat: Catalog, version_id: int, tags: list[str]) -> None:
    cat.many(
        "INSERT OR IGNORE INTO tags (version_id, tag) VALUES (?, ?)",
        [(version_id, t) for t in tags],
    )
