"""Queries behind ``gc`` and ``du``: which blobs are live, and who holds which bytes.

A blob is *live* while a COMMITTED or PENDING version refers to it (``version_blobs``). A
version's own manifest blob is bookkeeping, not content: ``du`` reports it apart, so that a
version's content bytes are exactly the sizes of its files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from artifactctl.catalog.db import Catalog

LIVE = "('COMMITTED', 'PENDING')"
_CHUNK = 500


def unreferenced_blobs(cat: Catalog, limit: int) -> list[tuple[str, int]]:
    """Up to ``limit`` blob rows that no live version refers to, as (digest, size)."""
    rows = cat.all(
        "SELECT b.digest, b.size FROM blobs b WHERE NOT EXISTS (SELECT 1 FROM version_blobs vb"
        " JOIN versions v ON v.id = vb.version_id"
        f" WHERE vb.digest = b.digest AND v.state IN {LIVE})"
        " ORDER BY b.digest LIMIT ?",
        (limit,),
    )
    return [(str(d), int(s)) for d, s in rows]  # type: ignore[call-overload]


def forget_blobs(cat: Catalog, digests: list[str]) -> None:
    cat.many("DELETE FROM blobs WHERE digest = ?", [(d,) for d in digests])


def is_live(cat: Catalog, digest: str) -> bool:
    row = cat.one(
        "SELECT 1 FROM version_blobs vb JOIN versions v ON v.id = vb.version_id"
        f" WHERE vb.digest = ? AND v.state IN {LIVE} LIMIT 1",
        (digest,),
    )
    return row is not None


def stale_pending_ids(cat: Catalog, before: str) -> list[tuple[int, str]]:
    """PENDING versions created before ``before`` (ISO text), as (id, label)."""
    rows = cat.all(
        "SELECT v.id, a.name || ':v' || v.number FROM versions v"
        " JOIN artifacts a ON a.id = v.artifact_id WHERE v.state = 'PENDING' AND v.created_at < ?"
        " ORDER BY v.id",
        (before,),
    )
    return [(int(i), str(label)) for i, label in rows]  # type: ignore[call-overload]


# -- du ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class VersionUsage:
    version_id: int
    artifact_id: int
    name: str
    number: int
    logical: int  # the sum of its entries' sizes (duplicates and references included)
    unique: int  # content bytes no other live version refers to: freed if only it were deleted
    shared: int  # content bytes other live versions refer to as well
    manifest: int  # the size of its manifest blob


def version_usage(cat: Catalog, version_ids: Iterable[int]) -> list[VersionUsage]:
    """Storage accounting for the given committed versions, against every live version."""
    ids = list(version_ids)
    out: list[VersionUsage] = []
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows = cat.all(
            "SELECT v.id, v.artifact_id, a.name, v.number, v.size,"
            " coalesce(sum(CASE WHEN vb.digest != v.digest AND rc.n = 1 THEN b.size END), 0),"
            " coalesce(sum(CASE WHEN vb.digest != v.digest AND rc.n > 1 THEN b.size END), 0),"
            " coalesce(max(CASE WHEN vb.digest = v.digest THEN b.size END), 0)"
            " FROM versions v JOIN artifacts a ON a.id = v.artifact_id"
            " LEFT JOIN version_blobs vb ON vb.version_id = v.id"
            " LEFT JOIN blobs b ON b.digest = vb.digest"
            " LEFT JOIN (SELECT vb2.digest AS digest, count(*) AS n FROM version_blobs vb2"
            f"   JOIN versions v2 ON v2.id = vb2.version_id WHERE v2.state IN {LIVE}"
            f"   AND vb2.digest IN (SELECT digest FROM version_blobs WHERE version_id IN ({marks}))"
            "   GROUP BY vb2.digest) rc ON rc.digest = vb.digest"
            f" WHERE v.id IN ({marks}) GROUP BY v.id ORDER BY a.name, v.number",
            (*chunk, *chunk),
        )
        out.extend(VersionUsage(*r) for r in rows)  # type: ignore[arg-type]
    return out


def artifact_content_bytes(cat: Catalog, artifact_id: int) -> tuple[int, int]:
    """(distinct content bytes of the artifact's committed versions, bytes only it holds)."""
    row = cat.one(
        "WITH mine AS (SELECT DISTINCT vb.digest FROM version_blobs vb"
        " JOIN versions v ON v.id = vb.version_id"
        " WHERE v.artifact_id = ? AND v.state = 'COMMITTED' AND vb.digest != v.digest)"
        " SELECT coalesce(sum(b.size), 0), coalesce(sum(CASE WHEN NOT EXISTS ("
        "   SELECT 1 FROM version_blobs vb3 JOIN versions v3 ON v3.id = vb3.version_id"
        f"   WHERE vb3.digest = mine.digest AND v3.state IN {LIVE} AND v3.artifact_id != ?)"
        " THEN b.size END), 0)"
        " FROM mine JOIN blobs b ON b.digest = mine.digest",
        (artifact_id, artifact_id),
    )
    assert row is not None
    return int(row[0]), int(row[1])  # type: ignore[call-overload]


def store_totals(cat: Catalog) -> tuple[int, int, int, int]:
    """(logical bytes of committed versions, distinct content bytes they use, manifest bytes,
    bytes of every blob row)."""
    row = cat.one(
        "SELECT (SELECT coalesce(sum(size), 0) FROM versions WHERE state = 'COMMITTED'),"
        " (SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE b.digest IN ("
        "   SELECT vb.digest FROM version_blobs vb JOIN versions v ON v.id = vb.version_id"
        "   WHERE v.state = 'COMMITTED' AND vb.digest != v.digest)),"
        " (SELECT coalesce(sum(b.size), 0) FROM blobs b WHERE b.digest IN ("
        "   SELECT v.digest FROM versions v WHERE v.state = 'COMMITTED')),"
        " (SELECT coalesce(sum(size), 0) FROM blobs)"
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2]), int(row[3])  # type: ignore[call-overload]


def committed_ids(cat: Catalog, artifact_id: int | None = None) -> list[int]:
    if artifact_id is None:
        rows = cat.all(
            "SELECT v.id FROM versions v JOIN artifacts a ON a.id = v.artifact_id"
            " WHERE v.state = 'COMMITTED' AND a.kind = 'artifact' ORDER BY a.name, v.number"
        )
    else:
        rows = cat.all(
            "SELECT id FROM versions WHERE state = 'COMMITTED' AND artifact_id = ? ORDER BY number",
            (artifact_id,),
        )
    return [int(r[0]) for r in rows]  # type: ignore[call-overload]
