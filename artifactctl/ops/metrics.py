"""Metrics: buffered writing of history rows, the CLI's ``run log``, and reading history and
summaries back (sampled, by keys, against any x-axis).

History rows are ``(step, timestamp, {key: value})`` per stream (``default`` for what the
user logs, ``system`` for machine metrics). Writing is batched: rows are buffered and inserted
with one ``executemany`` per flush (every :data:`FLUSH_ROWS` rows or :data:`FLUSH_SECONDS`,
and at the end), together with the run's summary in the same transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import history as hq
from artifactctl.catalog import runs as rq
from artifactctl.core import summaries
from artifactctl.core.flatten import flatten
from artifactctl.core.metricnames import RESERVED, RULE, is_valid_metric_name
from artifactctl.core.timefmt import iso, parse_iso
from artifactctl.errors import ConflictError, MissingDependencyError, UsageError
from artifactctl.ops.runs import find_run
from artifactctl.store import Store

FLUSH_ROWS = 5000
FLUSH_SECONDS = 1.0
STREAMS = (hq.DEFAULT_STREAM, hq.SYSTEM_STREAM)

HistoryRow = tuple[int, float, dict[str, Any]]


class NameChecker:
    """Warns once per metric name that breaks the naming rules; refuses reserved names."""

    def __init__(self, warn: Callable[[str], None]) -> None:
        self.seen: set[str] = set()
        self.warn = warn

    def check(self, keys: Iterable[str]) -> None:
        for key in keys:
            if key in self.seen:
                continue
            if key in RESERVED:
                raise UsageError(f"{key!r} is written by artifactctl itself; log another name")
            self.seen.add(key)
            if not is_valid_metric_name(key):
                self.warn(f"metric name {key!r} does not follow the naming rules ({RULE})")


def require_running(run: rq.RunRow) -> None:
    if run.state != rq.RUNNING:
        raise ConflictError(
            f"run {run.id} ({run.name}) is {run.state}; metrics go to running runs only",
            hint="start a new run",
        )


class MetricsWriter:
    """Buffers history rows and run fields; one catalog transaction per flush. Thread-safe:
    hold :attr:`lock` while changing anything the next flush will write."""

    def __init__(
        self,
        store: Store,
        run_id: str,
        *,
        flush_rows: int = FLUSH_ROWS,
        flush_seconds: float = FLUSH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self.monotonic = monotonic
        self.lock = threading.RLock()
        self.rows: dict[str, list[HistoryRow]] = {}
        self.fields: dict[str, Any] = {}
        self.count = 0
        self.last_flush = monotonic()
        #: called (under the lock) at each flush for run columns to write with the rows
        self.before_flush: Callable[[], dict[str, Any]] | None = None

    def add(self, stream: str, step: int, ts: float, data: dict[str, Any]) -> None:
        with self.lock:
            self.rows.setdefault(stream, []).append((step, ts, data))
            self.count += 1
            if self.count >= self.flush_rows or (
                self.monotonic() - self.last_flush >= self.flush_seconds
            ):
                self.flush()

    def set_fields(self, **fields: Any) -> None:
        """Run columns to write at the next flush (summary, next_step, config, ...)."""
        with self.lock:
            self.fields.update(fields)

    def due(self) -> bool:
        with self.lock:
            return bool(self.count or self.fields) and (
                self.monotonic() - self.last_flush >= self.flush_seconds
            )

    def flush(self, *, heartbeat: bool = False, final: dict[str, Any] | None = None) -> None:
        with self.lock:
            rows, self.rows, self.count = self.rows, {}, 0
            fields, self.fields = self.fields, {}
            if self.before_flush is not None and (rows or fields or final):
                fields.update(self.before_flush())
            if final:
                fields.update(final)
            self.last_flush = self.monotonic()
            if not rows and not fields and not heartbeat:
                return
            cat = self.store.catalog
            now = iso(self.store.now())
            with cat.write():
                for stream, batch in rows.items():
                    hq.insert_rows(cat, self.run_id, stream, batch)
                if heartbeat or fields:
                    if heartbeat:
                        fields.setdefault("heartbeat_at", now)
                    rq.set_fields(cat, self.run_id, now, **fields)


# -- CLI logging ---------------------------------------------------------------------------------


@dataclass(slots=True)
class LogResult:
    run_id: str
    steps: list[int]
    keys: list[str]
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "steps": self.steps,
            "keys": self.keys,
            "warnings": self.warnings,
        }


def log_rows(
    store: Store,
    run_ref: str,
    items: list[tuple[dict[str, Any], int | None]],
    *,
    now_ts: float | None = None,
) -> LogResult:
    """``artifactctl run log``: each item is committed as one step (its own ``step`` or the
    next one). A step may repeat the latest one (keys merge) but never go back: that is an
    error and nothing of the batch is written."""
    warnings: list[str] = []
    names = NameChecker(warnings.append)
    cat = store.catalog
    ts = time.time() if now_ts is None else now_ts
    with cat.write():
        run = find_run(store, run_ref)
        require_running(run)
        last = hq.last_step(cat, run.id)
        next_step = max(run.next_step, 0 if last is None else last + 1)
        rows: list[HistoryRow] = []
        keys: dict[str, None] = {}
        state, summary = run.summary_state, run.summary
        for data, step in items:
            flat = flatten(data)
            names.check(flat)
            if step is None:
                step = next_step
            elif step < 0:
                raise UsageError(f"step {step} is negative")
            elif last is not None and step < last:
                raise UsageError(
                    f"step {step} is before the run's latest step {last}; steps must not go"
                    " back, so nothing was logged",
                    hint="omit --step to log at the next step",
                )
            rows.append((step, ts, flat))
            last = step
            next_step = max(next_step, step + 1)
            summaries.update(state, flat)
            summaries.apply(summary, state, flat, run.metric_defs)
            keys.update(dict.fromkeys(flat))
        hq.insert_rows(cat, run.id, hq.DEFAULT_STREAM, rows)
        rq.set_fields(
            cat,
            run.id,
            iso(store.now()),
            summary=summary,
            summary_state=state,
            next_step=next_step,
        )
    return LogResult(run.id, [r[0] for r in rows], list(keys), warnings)


# -- reading -------------------------------------------------------------------------------------


@dataclass(slots=True)
class History:
    run_id: str
    run_name: str
    stream: str
    columns: list[str]
    rows: list[dict[str, Any]]
    x_axis: str = "_step"

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "name": self.run_name,
            "stream": self.stream,
            "x_axis": self.x_axis,
            "columns": self.columns,
            "rows": self.rows,
        }


def sample_indices(n: int, samples: int | None) -> list[int]:
    """Evenly spaced row indices, always keeping the first and the last."""
    if samples is None or n <= samples:
        return list(range(n))
    if samples <= 0:
        return []
    if samples == 1:
        return [n - 1]
    return sorted({round(i * (n - 1) / (samples - 1)) for i in range(samples)})


def history(
    store: Store,
    run_ref: str,
    *,
    keys: list[str] | None = None,
    x_axis: str = "_step",
    samples: int | None = None,
    stream: str = hq.DEFAULT_STREAM,
) -> History:
    """Rows of the run's history. With ``keys``: rows that have at least one of them (missing
    values are None). With another ``x_axis``: rows that have it. ``samples`` thins evenly."""
    if stream not in STREAMS:
        raise UsageError(f"unknown stream {stream!r}", hint="use default or system")
    run = find_run(store, run_ref)
    with store.catalog.read():
        raw = hq.read_rows(store.catalog, run.id, stream)
    start = parse_iso(run.created_at).timestamp()
    full: list[dict[str, Any]] = []
    for step, ts, data in raw:
        row = {"_step": step, "_timestamp": round(ts, 6), "_runtime": round(ts - start, 6)}
        row.update(data)
        full.append(row)
    if keys:
        full = [r for r in full if any(k in r for k in keys)]
    if x_axis != "_step":
        full = [r for r in full if r.get(x_axis) is not None]
    picked = [full[i] for i in sample_indices(len(full), samples)]
    if keys:
        columns = list(dict.fromkeys([x_axis, *keys]))
    else:
        seen: dict[str, None] = dict.fromkeys(["_step", "_runtime", "_timestamp"])
        for r in picked:
            seen.update(dict.fromkeys(r))
        columns = list(seen)
        if x_axis not in seen:
            columns.insert(0, x_axis)
    rows = [{c: r.get(c) for c in columns} for r in picked]
    return History(run.id, run.name, stream, columns, rows, x_axis)


@dataclass(slots=True)
class Summary:
    run_id: str
    name: str
    summary: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return dict(self.summary)


def summary(store: Store, run_ref: str) -> Summary:
    run = find_run(store, run_ref)
    return Summary(run.id, run.name, run.summary)


def histories(
    store: Store,
    *,
    project: str | None,
    keys: list[str] | None = None,
    samples: int | None = None,
    x_axis: str = "_step",
    filters: list[str] | None = None,
    stream: str = hq.DEFAULT_STREAM,
) -> list[History]:
    from artifactctl.ops.runs import list_runs

    return [
        history(store, info.id, keys=keys, x_axis=x_axis, samples=samples, stream=stream)
        for info in list_runs(store, project=project, filters=filters)
    ]


def write_parquet(columns: list[str], rows: list[dict[str, Any]], dest: Any) -> None:
    """Write rows as Parquet (needs pyarrow: ``pip install 'artifactctl[parquet]'``)."""
    try:
        import pyarrow as pa  # type: ignore[import-not-found, unused-ignore]
        import pyarrow.parquet as pq  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        raise MissingDependencyError(
            "Parquet output needs pyarrow, which is not installed",
            hint="pip install 'artifactctl[parquet]' (or pyarrow), or use --format csv",
        ) from None
    table = pa.table({c: [r.get(c) for r in rows] for c in columns})
    pq.write_table(table, dest)
