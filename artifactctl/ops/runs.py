"""Runs: start, finish, find, list, show, update, delete, logs.

A run's state is stored as ``running``, ``finished``, ``failed`` or ``killed``; ``crashed`` is
decided when the run is read: a ``running`` run whose heartbeat is older than ``crash_after``
seconds at the reader's clock. Runs that never had a heartbeat writer (``run start`` from a
shell) stay ``running`` until ``run finish``.
"""

from __future__ import annotations

import os
import random
import shutil
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from artifactctl.catalog import runs as rq
from artifactctl.catalog.runs import RunRow
from artifactctl.core.filters import matches, parse_filter, sort_runs
from artifactctl.core.names import check_tag
from artifactctl.core.runnames import check_run_id, check_run_text, make_id, make_name
from artifactctl.core.timefmt import iso, parse_iso
from artifactctl.errors import ConflictError, NotFoundError, UsageError
from artifactctl.store import Store

DEFAULT_PROJECT = "uncategorized"
HEARTBEAT_SECONDS = 30.0
CRASH_AFTER_SECONDS = 300.0
LOG_TAIL_LINES = 10_000
LOG_NAME = "output.log"
DIFF_NAME = "diff.patch"

_rng = random.SystemRandom()


def crash_after_from_env() -> float:
    raw = os.environ.get("ARTIFACTCTL_CRASH_AFTER")
    try:
        return float(raw) if raw else CRASH_AFTER_SECONDS
    except ValueError:
        return CRASH_AFTER_SECONDS


def effective_state(run: RunRow, now: datetime, crash_after: float = CRASH_AFTER_SECONDS) -> str:
    """The state to show: ``crashed`` for a running run with a stale heartbeat."""
    if run.state == rq.RUNNING and run.heartbeat_at:
        age = (now - parse_iso(run.heartbeat_at)).total_seconds()
        if age > crash_after:
            return rq.CRASHED
    return run.state


def run_dir(store: Store, run_id: str) -> Path:
    return store.path / "runs" / run_id


def log_path(store: Store, run_id: str) -> Path:
    return run_dir(store, run_id) / LOG_NAME


@dataclass(slots=True)
class RunInfo:
    """A run as commands show it."""

    row: RunRow
    state: str
    inputs: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.row.id

    def to_json(self, *, full: bool = True) -> dict[str, Any]:
        r = self.row
        doc: dict[str, Any] = {
            "id": r.id,
            "name": r.name,
            "project": r.project,
            "group": r.group,
            "job_type": r.job_type,
            "tags": list(r.tags),
            "notes": r.notes,
            "state": self.state,
            "exit_code": r.exit_code,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
            "finished_at": r.finished_at,
            "heartbeat_at": r.heartbeat_at,
            "runtime": runtime_seconds(r),
            "config": r.config,
            "summary": r.summary,
        }
        if full:
            doc["metadata"] = r.meta
            doc["metric_definitions"] = r.metric_defs
            doc["inputs"] = self.inputs
            doc["outputs"] = self.outputs
        return doc


def runtime_seconds(r: RunRow) -> float | None:
    end = r.finished_at or r.heartbeat_at or r.updated_at
    try:
        return round((parse_iso(end) - parse_iso(r.created_at)).total_seconds(), 3)
    except (TypeError, ValueError):
        return None


def _info(store: Store, row: RunRow, *, lineage: bool = False) -> RunInfo:
    info = RunInfo(row, effective_state(row, store.now(), crash_after_from_env()))
    if lineage:
        info.inputs = [v.label for v in rq.input_versions(store.catalog, row.id)]
        info.outputs = [v.label for v in rq.output_versions(store.catalog, row.id)]
    return info


# -- start / finish ------------------------------------------------------------------------------


def start_run(
    store: Store,
    *,
    name: str | None = None,
    project: str | None = None,
    group: str | None = None,
    job_type: str | None = None,
    tags: list[str] | None = None,
    notes: str | None = None,
    config: dict[str, Any] | None = None,
    meta: dict[str, Any] | None = None,
    run_id: str | None = None,
    heartbeat: bool = False,
) -> RunInfo:
    project = check_run_text("project", project) or DEFAULT_PROJECT
    check_run_text("run name", name)
    check_run_text("group", group)
    check_run_text("job type", job_type)
    tags = list(dict.fromkeys(tags or []))
    for t in tags:
        check_tag(t)
    if run_id is not None:
        check_run_id(run_id)
    cat = store.catalog
    now = iso(store.now())
    with cat.write():
        rid = run_id or make_id(_rng)
        while run_id is None and rq.get_run(cat, rid) is not None:
            rid = make_id(_rng)
        label = name or make_name(_rng, rq.count_in_project(cat, project) + 1)
        rq.insert_run(
            cat,
            run_id=rid,
            name=label,
            project=project,
            group=group,
            job_type=job_type,
            notes=notes,
            now=now,
            config=config or {},
            meta=meta or {},
            tags=tags,
            heartbeat=heartbeat,
        )
    row = rq.get_run(cat, rid)
    assert row is not None
    return _info(store, row)


def finish_run(
    store: Store, run_ref: str, *, exit_code: int | None = None, state: str | None = None
) -> RunInfo:
    """Mark the run finished (exit code 0 or None), failed (non-zero) or ``state`` if given."""
    cat = store.catalog
    now = iso(store.now())
    with cat.write():
        row = find_run(store, run_ref)
        if row.state != rq.RUNNING:
            raise ConflictError(
                f"run {row.id} ({row.name}) is already {row.state}",
                hint="a finished run cannot be finished again",
            )
        final = state or (rq.FINISHED if not exit_code else rq.FAILED)
        rq.set_fields(cat, row.id, now, state=final, exit_code=exit_code, finished_at=now)
    return show_run(store, row.id)


def heartbeat(store: Store, run_id: str) -> None:
    with store.catalog.write():
        rq.heartbeat(store.catalog, run_id, iso(store.now()))


# -- finding and listing -------------------------------------------------------------------------


def find_run(store: Store, ref: str) -> RunRow:
    """A run by id, else by name when exactly one run has it."""
    cat = store.catalog
    with cat.read():
        row = rq.get_run(cat, ref)
        if row is not None:
            return row
        named = rq.runs_named(cat, ref)
    if len(named) == 1:
        return named[0]
    if len(named) > 1:
        raise ConflictError(
            f"{len(named)} runs are named {ref!r}: " + ", ".join(r.id for r in named[:10]),
            hint="give the run id",
        )
    raise NotFoundError(f"no run {ref!r} in this store", hint="`artifactctl run ls` lists runs")


def require_run_id(run_ref: str | None) -> str:
    ref = run_ref or os.environ.get("ARTIFACTCTL_RUN_ID")
    if not ref:
        raise UsageError(
            "no run given", hint="pass --run ID or set ARTIFACTCTL_RUN_ID (run start --env)"
        )
    return ref


def show_run(store: Store, ref: str) -> RunInfo:
    row = find_run(store, ref)
    with store.catalog.read():
        return _info(store, row, lineage=True)


def list_runs(
    store: Store,
    *,
    project: str | None = None,
    filters: list[str] | None = None,
    order: str = "+created_at",
) -> list[RunInfo]:
    parsed = [parse_filter(f) for f in filters or []]
    with store.catalog.read():
        infos = [_info(store, r) for r in rq.list_runs(store.catalog, project)]
    docs = [i.to_json(full=False) | {"_info": i} for i in infos]
    docs = [d for d in docs if all(matches(f, d) for f in parsed)]
    return [d["_info"] for d in sort_runs(docs, order)]


# -- update / delete -----------------------------------------------------------------------------


def update_run(
    store: Store,
    ref: str,
    *,
    group: str | None = None,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    notes: str | None = None,
    name: str | None = None,
) -> RunInfo:
    check_run_text("group", group)
    check_run_text("run name", name)
    for t in (add_tags or []) + (remove_tags or []):
        check_tag(t)
    cat = store.catalog
    with cat.write():
        row = find_run(store, ref)
        fields: dict[str, Any] = {}
        if group is not None:
            fields["group"] = group
        if notes is not None:
            fields["notes"] = notes
        if name is not None:
            fields["name"] = name
        rq.set_fields(cat, row.id, iso(store.now()), **fields)
        rq.add_tags(cat, row.id, add_tags or [])
        rq.remove_tags(cat, row.id, remove_tags or [])
    return show_run(store, row.id)


@dataclass(slots=True)
class DeleteResult:
    id: str
    name: str
    deleted_versions: list[str]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "deleted_versions": self.deleted_versions}


def delete_run(store: Store, ref: str, *, delete_artifacts: bool = False) -> DeleteResult:
    """Delete the run; with ``delete_artifacts`` also the versions it logged (refused while
    another run uses one of them)."""
    from artifactctl.ops.rundelete import delete_outputs

    cat = store.catalog
    gone: list[str] = []
    with cat.write():
        row = find_run(store, ref)
        if delete_artifacts:
            used = rq.outputs_used_elsewhere(cat, row.id)
            if used:
                raise ConflictError(
                    f"run {row.id} logged versions that other runs used: {', '.join(used[:10])}",
                    hint="delete those runs first, or delete the run without --delete-artifacts",
                )
            gone = delete_outputs(cat, row.id, iso(store.now()))
        rq.delete_run(cat, row.id)
    shutil.rmtree(run_dir(store, row.id), ignore_errors=True)
    return DeleteResult(row.id, row.name, gone)


# -- logs ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class LogTail:
    id: str
    path: str
    lines: list[str]
    total_lines: int

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "lines": self.lines,
            "shown": len(self.lines),
            "total_lines": self.total_lines,
        }


def read_log(store: Store, ref: str, *, tail: int = LOG_TAIL_LINES) -> LogTail:
    row = find_run(store, ref)
    path = log_path(store, row.id)
    lines: deque[str] = deque(maxlen=max(tail, 0))
    total = 0
    if path.exists():
        with open(path, encoding="utf-8", errors="replace", newline="") as fh:
            for line in fh:
                total += 1
                lines.append(line.rstrip("\r\n"))
    return LogTail(row.id, str(path), list(lines), total)


# -- config from the command line ----------------------------------------------------------------


def parse_assignments(items: list[str], what: str = "--config") -> dict[str, Any]:
    """``key=value`` pairs; values are read as JSON when they parse (``0.1``, ``true``,
    ``[1,2]``), else kept as text."""
    from artifactctl.core.filters import parse_value

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"invalid {what} {item!r}", hint="write KEY=VALUE, e.g. lr=0.01")
        out[key.strip()] = parse_value(raw)
    return out


def load_config_file(path: str) -> dict[str, Any]:
    """A JSON or YAML (``.yaml``/``.yml``, needs PyYAML) file holding one mapping."""
    import json

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise NotFoundError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"config file {path} is not UTF-8") from None
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            from artifactctl.errors import MissingDependencyError

            raise MissingDependencyError(
                "YAML config files need PyYAML, which is not installed",
                hint="pip install pyyaml, or give the config as JSON",
            ) from None
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UsageError(f"config file {path} is not valid YAML: {exc}") from None
    else:
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"config file {path} is not valid JSON: {exc}") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise UsageError(f"config file {path} must hold a mapping, not {type(doc).__name__}")
    return doc


def copy_log(store: Store, ref: str, dest: str) -> str:
    """Copy the run's whole log to ``dest``; returns its absolute path."""
    row = find_run(store, ref)
    src = log_path(store, row.id)
    target = Path(dest)
    try:
        if src.exists():
            shutil.copyfile(src, target)
        else:
            target.write_bytes(b"")
    except OSError as exc:
        from artifactctl.errors import StorageError

        raise StorageError(f"cannot write {dest}: {exc.strerror}") from None
    return str(target.absolute())
