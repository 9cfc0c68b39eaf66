"""Metrics history rows: one row per (run, stream, step) holding a JSON object of values."""

from __future__ import annotations

import json
from typing import Any

from artifactctl.catalog.db import Catalog

DEFAULT_STREAM = "default"
SYSTEM_STREAM = "system"


def insert_rows(
    cat: Catalog, run_id: str, stream: str, rows: list[tuple[int, float, dict[str, Any]]]
) -> None:
    """Batch insert; a step that exists already gets the new keys merged in (in Python, since
    values may be NaN or infinite, which SQLite's JSON functions refuse)."""
    if not rows:
        return
    lo = min(r[0] for r in rows)
    existing = {
        int(step): str(data)  # type: ignore[call-overload]
        for step, data in cat.all(
            "SELECT step, data FROM run_history WHERE run_id = ? AND stream = ? AND step >= ?",
            (run_id, stream, lo),
        )
    }
    fresh: list[tuple[object, ...]] = []
    merged: list[tuple[object, ...]] = []
    for step, ts, data in rows:
        if step in existing:
            doc = json.loads(existing[step])
            doc.update(data)
            existing[step] = json.dumps(doc)
            merged.append((ts, existing[step], run_id, stream, step))
        else:
            fresh.append((run_id, stream, step, ts, json.dumps(data)))
            existing[step] = str(fresh[-1][4])
    cat.many(
        "INSERT INTO run_history (run_id, stream, step, ts, data) VALUES (?, ?, ?, ?, ?)", fresh
    )
    if merged:
        cat.many(
            "UPDATE run_history SET ts = ?, data = ? WHERE run_id = ? AND stream = ? AND step = ?",
            merged,
        )


def last_step(cat: Catalog, run_id: str, stream: str = DEFAULT_STREAM) -> int | None:
    row = cat.one(
        "SELECT max(step) FROM run_history WHERE run_id = ? AND stream = ?", (run_id, stream)
    )
    return int(row[0]) if row and row[0] is not None else None  # type: ignore[call-overload]


def row_at(cat: Catalog, run_id: str, stream: str, step: int) -> dict[str, Any] | None:
    row = cat.one(
        "SELECT data FROM run_history WHERE run_id = ? AND stream = ? AND step = ?",
        (run_id, stream, step),
    )
    return json.loads(str(row[0])) if row else None


def count_rows(cat: Catalog, run_id: str, stream: str = DEFAULT_STREAM) -> int:
    row = cat.one(
        "SELECT count(*) FROM run_history WHERE run_id = ? AND stream = ?", (run_id, stream)
    )
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def read_rows(
    cat: Catalog, run_id: str, stream: str = DEFAULT_STREAM
) -> list[tuple[int, float, dict[str, Any]]]:
    rows = cat.all(
        "SELECT step, ts, data FROM run_history WHERE run_id = ? AND stream = ? ORDER BY step",
        (run_id, stream),
    )
    return [(int(s), float(t), json.loads(str(d))) for s, t, d in rows]  # type: ignore[call-overload, arg-type]
