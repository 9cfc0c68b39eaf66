"""Runs, their tags and inputs (the catalog side of lineage).

A run's outputs are the versions whose ``run_id`` names it; its inputs are rows of
``run_inputs``. JSON columns (config, summary, summary_state, metric_defs, meta) hold documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog.db import Catalog
from artifactctl.catalog.rows import VERSION_COLUMNS, VersionRow, version_from_row
from artifactctl.errors import ConflictError

RUNNING = "running"
FINISHED = "finished"
FAILED = "failed"
KILLED = "killed"
CRASHED = "crashed"  # never stored: a running run whose heartbeat is stale, decided at read time

_COLUMNS = (
    "id, name, project, group_name, job_type, notes, state, exit_code, created_at, updated_at,"
    " finished_at, heartbeat_at, config, summary, summary_state, metric_defs, meta, next_step"
)
_JSON = ("config", "summary", "summary_state", "metric_defs", "meta")
_SETTABLE = frozenset(c.strip() for c in _COLUMNS.split(",")) - {"id", "created_at"}


@dataclass(slots=True)
class RunRow:
    id: str
    name: str
    project: str
    group: str | None
    job_type: str | None
    notes: str | None
    state: str
    exit_code: int | None
    created_at: str
    updated_at: str
    finished_at: str | None
    heartbeat_at: str | None
    config: dict[str, Any]
    summary: dict[str, Any]
    summary_state: dict[str, list[Any]]
    metric_defs: dict[str, dict[str, Any]]
    meta: dict[str, Any]
    next_step: int
    tags: list[str] = field(default_factory=list)


def _row(values: tuple[Any, ...]) -> RunRow:
    v = list(values)
    for i in range(12, 17):
        v[i] = json.loads(v[i]) if v[i] else {}
    return RunRow(*v)


def _dump(value: dict[str, Any] | None) -> str | None:
    return json.dumps(value, sort_keys=True, allow_nan=True) if value else None


def insert_run(
    cat: Catalog,
    *,
    run_id: str,
    name: str,
    project: str,
    group: str | None,
    job_type: str | None,
    notes: str | None,
    now: str,
    config: dict[str, Any],
    meta: dict[str, Any],
    tags: list[str],
    heartbeat: bool,
) -> None:
    if cat.one("SELECT 1 FROM runs WHERE id = ?", (run_id,)):
        raise ConflictError(f"a run with id {run_id!r} already exists", hint="choose another id")
    cat.exec(
        "INSERT INTO runs (id, name, project, group_name, job_type, notes, state, created_at,"
        " updated_at, heartbeat_at, config, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            run_id,
            name,
            project,
            group,
            job_type,
            notes,
            RUNNING,
            now,
            now,
            now if heartbeat else None,
            _dump(config),
            _dump(meta),
        ),
    )
    add_tags(cat, run_id, tags)


def count_in_project(cat: Catalog, project: str) -> int:
    row = cat.one("SELECT count(*) FROM runs WHERE project = ?", (project,))
    return int(row[0]) if row else 0  # type: ignore[call-overload]


def _attach_tags(cat: Catalog, runs: list[RunRow]) -> list[RunRow]:
    if not runs:
        return runs
    by_id = {r.id: r for r in runs}
    ids = list(by_id)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for rid, tag in cat.all(
            f"SELECT run_id, tag FROM run_tags WHERE run_id IN ({marks}) ORDER BY tag",
            tuple(chunk),
        ):
            by_id[rid].tags.append(tag)  # type: ignore[index, arg-type]
    return runs


def get_run(cat: Catalog, run_id: str) -> RunRow | None:
    row = cat.one(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", (run_id,))
    return _attach_tags(cat, [_row(row)])[0] if row else None


def runs_named(cat: Catalog, name: str) -> list[RunRow]:
    rows = cat.all(f"SELECT {_COLUMNS} FROM runs WHERE name = ? ORDER BY created_at", (name,))
    return _attach_tags(cat, [_row(r) for r in rows])


def list_runs(cat: Catalog, project: str | None = None) -> list[RunRow]:
    if project is None:
        rows = cat.all(f"SELECT {_COLUMNS} FROM runs ORDER BY created_at, id")
    else:
        rows = cat.all(
            f"SELECT {_COLUMNS} FROM runs WHERE project = ? ORDER BY created_at, id", (project,)
        )
    return _attach_tags(cat, [_row(r) for r in rows])


def set_fields(cat: Catalog, run_id: str, now: str, **fields: Any) -> None:
    """Update columns of a run (JSON columns take dicts); ``updated_at`` is always set."""
    cols, params = ["updated_at = ?"], [now]
    for key, value in fields.items():
        col = "group_name" if key == "group" else key
        if col not in _SETTABLE:
            raise ValueError(f"not a run column: {key}")
        cols.append(f"{col} = ?")
        params.append(_dump(value) if key in _JSON else value)  # type: ignore[arg-type]
    cat.exec(f"UPDATE runs SET {', '.join(cols)} WHERE id = ?", (*params, run_id))


def heartbeat(cat: Catalog, run_id: str, now: str) -> None:
    cat.exec("UPDATE runs SET heartbeat_at = ? WHERE id = ? AND state = ?", (now, run_id, RUNNING))


def add_tags(cat: Catalog, run_id: str, tags: list[str]) -> None:
    cat.many(
        "INSERT OR IGNORE INTO run_tags (run_id, tag) VALUES (?, ?)", [(run_id, t) for t in tags]
    )


def remove_tags(cat: Catalog, run_id: str, tags: list[str]) -> None:
    cat.many("DELETE FROM run_tags WHERE run_id = ? AND tag = ?", [(run_id, t) for t in tags])


# -- lineage -------------------------------------------------------------------------------------


def record_input(cat: Catalog, run_id: str, version_id: int, now: str) -> bool:
    """Record that the run used the version; False when it was already recorded."""
    cur = cat.exec(
        "INSERT OR IGNORE INTO run_inputs (run_id, version_id, at) VALUES (?, ?, ?)",
        (run_id, version_id, now),
    )
    return cur.rowcount > 0


def is_upstream_of_version(cat: Catalog, run_id: str, version_id: int) -> bool:
    """True when ``run_id`` produced the version or anything the version was made from."""
    row = cat.one(
        "WITH RECURSIVE up(rid) AS ("
        "  SELECT run_id FROM versions WHERE id = ? AND run_id IS NOT NULL"
        "  UNION"
        "  SELECT v.run_id FROM up JOIN run_inputs i ON i.run_id = up.rid"
        "  JOIN versions v ON v.id = i.version_id WHERE v.run_id IS NOT NULL"
        ") SELECT 1 FROM up WHERE rid = ? LIMIT 1",
        (version_id, run_id),
    )
    return row is not None


def input_versions(cat: Catalog, run_id: str) -> list[VersionRow]:
    rows = cat.all(
        f"SELECT {VERSION_COLUMNS} FROM run_inputs i JOIN versions v ON v.id = i.version_id"
        " JOIN artifacts a ON a.id = v.artifact_id WHERE i.run_id = ? ORDER BY i.at, v.id",
        (run_id,),
    )
    return [version_from_row(r) for r in rows]


def output_versions(cat: Catalog, run_id: str) -> list[VersionRow]:
    rows = cat.all(
        f"SELECT {VERSION_COLUMNS} FROM versions v JOIN artifacts a ON a.id = v.artifact_id"
        " WHERE v.run_id = ? AND v.state = 'COMMITTED' ORDER BY v.created_at, v.id",
        (run_id,),
    )
    return [version_from_row(r) for r in rows]


def consumer_runs(cat: Catalog, version_id: int) -> list[RunRow]:
    rows = cat.all(
        f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))} FROM run_inputs i"
        " JOIN runs r ON r.id = i.run_id WHERE i.version_id = ? ORDER BY i.at, r.id",
        (version_id,),
    )
    return _attach_tags(cat, [_row(r) for r in rows])


def producer_run_id(cat: Catalog, version_id: int) -> str | None:
    row = cat.one("SELECT run_id FROM versions WHERE id = ?", (version_id,))
    return str(row[0]) if row and row[0] else None


# -- deletion ------------------------------------------------------------------------------------


def outputs_used_elsewhere(cat: Catalog, run_id: str) -> list[str]:
    rows = cat.all(
        "SELECT DISTINCT a.name || ':v' || v.number FROM versions v"
        " JOIN artifacts a ON a.id = v.artifact_id JOIN run_inputs i ON i.version_id = v.id"
        " WHERE v.run_id = ? AND i.run_id != ? AND v.state = 'COMMITTED'",
        (run_id, run_id),
    )
    return [str(r[0]) for r in rows]


def delete_run(cat: Catalog, run_id: str) -> None:
    """Remove the run, its tags, inputs and history; its outputs forget their producer."""
    cat.exec("DELETE FROM run_history WHERE run_id = ?", (run_id,))
    cat.exec("DELETE FROM run_inputs WHERE run_id = ?", (run_id,))
    cat.exec("DELETE FROM run_tags WHERE run_id = ?", (run_id,))
    cat.exec("UPDATE versions SET run_id = NULL WHERE run_id = ?", (run_id,))
    cat.exec("DELETE FROM runs WHERE id = ?", (run_id,))
