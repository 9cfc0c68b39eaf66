"""Which blobs the store holds and which versions refer to them."""

from __future__ import annotations

from collections.abc import Iterable

from artifactctl.catalog.db import Catalog


def known_digests(cat: Catalog, digests: Iterable[str]) -> set[str]:
    """The subset of ``digests`` that have a blob row."""
    return {
        str(r[0]) for r in cat.all_in("SELECT digest FROM blobs WHERE digest IN ({marks})", digests)
    }


def version_digests(cat: Catalog, version_id: int) -> list[str]:
    return [
        str(r[0])
        for r in cat.all("SELECT digest FROM version_blobs WHERE version_id = ?", (version_id,))
    ]


def all_blobs(cat: Catalog) -> list[tuple[str, int]]:
    return [(str(d), int(s)) for d, s in cat.all("SELECT digest, size FROM blobs")]  # type: ignore[call-overload]


def referenced_by_live_versions(cat: Catalog) -> set[str]:
    return {
        str(r[0])
        for r in cat.all(
            "SELECT DISTINCT vb.digest FROM version_blobs vb"
            " JOIN versions v ON v.id = vb.version_id"
            " WHERE v.state IN ('COMMITTED', 'PENDING')"
        )
    }


def totals(cat: Catalog) -> tuple[int, int]:
    row = cat.one("SELECT count(*), coalesce(sum(size), 0) FROM blobs")
    assert row is not None
    return int(row[0]), int(row[1])  # type: ignore[call-overload]
