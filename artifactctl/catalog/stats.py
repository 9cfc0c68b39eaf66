"""Counts for ``artifactctl store``."""

from __future__ import annotations

from artifactctl.catalog.db import Catalog


def counts(cat: Catalog) -> tuple[int, int, int]:
    """(artifacts, committed versions, logical bytes of committed versions)."""
    row = cat.one(
        "SELECT (SELECT count(*) FROM artifacts WHERE kind = 'artifact'),"
        " count(*), coalesce(sum(size), 0) FROM versions WHERE state = 'COMMITTED'"
    )
    assert row is not None
    return int(row[0]), int(row[1]), int(row[2])  # type: ignore[call-overload]
