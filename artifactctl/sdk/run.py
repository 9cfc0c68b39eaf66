"""``artifactctl.init_run`` and ``artifactctl.Run``: config, metrics, summary and lineage.

    with artifactctl.init_run(project="mnist", config={"lr": 0.01}) as run:
        data = run.use_artifact("mnist:latest")
        for epoch in range(10):
            run.log({"loss": loss, "epoch": epoch})
        run.summary["best_acc"] = best
        run.log_artifact(model_artifact, aliases=["candidate"])

``log`` follows W&B's step rules (see :mod:`artifactctl.core.steps`); writes are buffered and
flushed in batches (every 5,000 rows or 1 s, and at ``finish``). Inside ``artifactctl run exec``
(``ARTIFACTCTL_RUN_ID`` set), ``init_run()`` attaches to that run instead of starting one, and
its ``finish()`` leaves the state to ``exec``.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import time
import warnings
import weakref
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from artifactctl.catalog import runs as rq
from artifactctl.catalog.runs import RunRow
from artifactctl.core import summaries
from artifactctl.core.flatten import flatten, normalize
from artifactctl.core.steps import StepState
from artifactctl.core.timefmt import iso, parse_iso
from artifactctl.errors import ArtifactctlError, ConflictError, UsageError
from artifactctl.ops import lineage as lin
from artifactctl.ops import runenv
from artifactctl.ops.metrics import MetricsWriter, NameChecker, require_running
from artifactctl.ops.runs import (
    HEARTBEAT_SECONDS,
    effective_state,
    find_run,
    finish_run,
    start_run,
)
from artifactctl.ops.sysmetrics import DEFAULT_INTERVAL
from artifactctl.sdk.artifact import Artifact
from artifactctl.store import Store as LowStore

if TYPE_CHECKING:
    from artifactctl.ops.runlive import LiveRun
    from artifactctl.sdk.store import Store as SdkStore


class ArtifactctlWarning(UserWarning):
    """Dropped steps and metric names outside the naming rules."""


def _warn(message: str, stacklevel: int = 4) -> None:
    warnings.warn(message, ArtifactctlWarning, stacklevel=stacklevel)


class Config(MutableMapping[str, Any]):
    """The run's configuration: a dict whose changes are saved with the run."""

    def __init__(self, run: Run, data: dict[str, Any]) -> None:
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_data", data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._run._need_active()
        self._data[key] = normalize(value, key)
        self._run._config_changed()

    def __delitem__(self, key: str) -> None:
        self._run._need_active()
        del self._data[key]
        self._run._config_changed()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __repr__(self) -> str:
        return f"Config({self._data!r})"

    def as_dict(self) -> dict[str, Any]:
        return dict(self._data)


class Summary(MutableMapping[str, Any]):
    """The run's summary: the last value logged per key unless set here or defined otherwise
    with ``define_metric(..., summary=...)``."""

    def __init__(self, run: Run, data: dict[str, Any]) -> None:
        self._run = run
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._run._need_active()
        with self._run._lock():
            self._data[key] = normalize(value, key)
            self._run._dirty()

    def __delitem__(self, key: str) -> None:
        self._run._need_active()
        with self._run._lock():
            del self._data[key]
            self._run._dirty()

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Summary({self._data!r})"


class Run:
    """A run: active (from :func:`init_run`, it logs) or read back (``Store.run``,
    ``Artifact.logged_by``), which reads only."""

    def __init__(self, store: LowStore, row: RunRow, *, owns_store: bool = False) -> None:
        self._store = store
        self._row = row
        self._owns_store = owns_store
        self._writer: MetricsWriter | None = None
        self._live: LiveRun | None = None
        self._attached = False
        self._finished = False
        self.config = Config(self, dict(row.config))
        self.summary = Summary(self, dict(row.summary))
        self._state: dict[str, list[Any]] = dict(row.summary_state)
        self._defs: dict[str, dict[str, Any]] = dict(row.metric_defs)
        self._steps = StepState(row.next_step)
        self._names = NameChecker(_warn)
        self._step_metrics: set[str] = {
            d["step_metric"] for d in self._defs.values() if d.get("step_metric")
        }
        self._last: dict[str, Any] = {}
        self._def_cache: dict[str, bool] = {}
        self._config_dirty = False

    # -- properties ----------------------------------------------------------------------------

    @property
    def id(self) -> str:
        return self._row.id

    @property
    def name(self) -> str:
        return self._row.name

    @property
    def project(self) -> str:
        return self._row.project

    @property
    def group(self) -> str | None:
        return self._row.group

    @property
    def job_type(self) -> str | None:
        return self._row.job_type

    @property
    def notes(self) -> str | None:
        return self._row.notes

    @property
    def tags(self) -> tuple[str, ...]:
        return tuple(self._row.tags)

    @property
    def metadata(self) -> dict[str, Any]:
        return dict(self._row.meta)

    @property
    def start_time(self) -> float:
        return parse_iso(self._row.created_at).timestamp()

    @property
    def step(self) -> int:
        """The current history step (the one the next ``log`` writes to)."""
        return self._steps.step

    @property
    def state(self) -> str:
        if self._writer is not None and not self._finished:
            return rq.RUNNING
        row = rq.get_run(self._store.catalog, self.id) or self._row
        return effective_state(row, self._store.now())

    @property
    def path(self) -> str:
        return f"{self.project}/{self.id}"

    def __repr__(self) -> str:
        return f"<Run {self.name} ({self.id}) {self.state}>"

    # -- logging -------------------------------------------------------------------------------

    def log(
        self, data: dict[str, Any], step: int | None = None, commit: bool | None = None
    ) -> None:
        """Log a dict of values to the history (W&B's step and commit rules)."""
        writer = self._need_active()
        with writer.lock:
            flat = flatten(data)
            self._names.check(flat)
            if self._step_metrics:
                for key in list(flat):
                    d = summaries.definition_for(self._defs, key) or {}
                    sm = d.get("step_metric")
                    if sm and sm not in flat and d.get("step_sync", True) and sm in self._last:
                        flat[sm] = self._last[sm]
                for sm in self._step_metrics & flat.keys():
                    self._last[sm] = flat[sm]
            outcome = self._steps.log(flat, step, commit)
            if outcome.dropped:
                _warn(outcome.dropped, 3)
            for s, row in outcome.committed:
                self._commit(s, row)

    def _commit(self, step: int, row: dict[str, Any]) -> None:
        assert self._writer is not None
        self.summary._data.update(row)  # the default summary: the last value per key
        if self._defs:  # keys with define_metric(summary=...) get their aggregate instead
            cache = self._def_cache
            defined = {}
            for key in row:
                if key not in cache:
                    cache[key] = summaries.definition_for(self._defs, key) is not None
                if cache[key]:
                    defined[key] = row[key]
            if defined:
                summaries.update(self._state, defined)
                summaries.apply(self.summary._data, self._state, defined, self._defs)
        self._writer.add("default", step, time.time(), row)

    def define_metric(
        self,
        name: str,
        step_metric: str | None = None,
        summary: str | None = None,
        step_sync: bool | None = None,
        hidden: bool | None = None,
    ) -> dict[str, Any]:
        """Customize a metric (``name`` may end in ``*``): its x-axis and its summary."""
        writer = self._need_active()
        if not isinstance(name, str) or not name:
            raise UsageError("define_metric needs a metric name")
        with writer.lock:
            d = dict(self._defs.get(name, {}))
            if step_metric is not None:
                d["step_metric"] = step_metric
                d["step_sync"] = True if step_sync is None else step_sync
                self._step_metrics.add(step_metric)
            if summaries.check_mode(summary) is not None:
                d["summary"] = summary
            if hidden is not None:
                d["hidden"] = hidden
            self._defs[name] = d
            self._def_cache.clear()
            self._dirty()
            return dict(d)

    def history(
        self,
        keys: list[str] | None = None,
        samples: int | None = None,
        x_axis: str = "_step",
        stream: str = "default",
    ) -> list[dict[str, Any]]:
        """The history rows written so far (flushes first when active)."""
        from artifactctl.ops.metrics import history

        if self._writer is not None and not self._finished:
            self._writer.flush()
        h = history(self._store, self.id, keys=keys, samples=samples, x_axis=x_axis, stream=stream)
        return h.rows

    # -- lineage -------------------------------------------------------------------------------

    def use_artifact(self, artifact_or_name: str | Artifact, type: str | None = None) -> Artifact:
        """Record a version as this run's input and return it (``download()`` it to read)."""
        self._need_active()
        spec = (
            artifact_or_name.qualified_name
            if isinstance(artifact_or_name, Artifact)
            else (artifact_or_name)
        )
        from artifactctl.ops.resolve import resolve

        version = resolve(self._store, spec)
        if type is not None and version.type != type:
            raise UsageError(f"{version.label} has type {version.type!r}, not {type!r}")
        lin.record_input(self._store, self.id, version)
        return Artifact._committed(self._store, version)

    def log_artifact(
        self,
        artifact_or_path: Artifact | str | os.PathLike[str],
        name: str | None = None,
        type: str | None = None,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
    ) -> Artifact:
        """Commit a draft artifact (or a path, with ``name`` and ``type``) as this run's
        output. Unchanged content returns the existing version (its producer stays)."""
        from artifactctl.ops.commit import commit
        from artifactctl.ops.resolve import resolve

        self._need_active()
        if isinstance(artifact_or_path, Artifact):
            artifact = artifact_or_path
        else:
            if not name or not type:
                raise UsageError("log_artifact(path) needs name= and type=")
            artifact = Artifact(name, type)
            if Path(artifact_or_path).is_dir():
                artifact.add_dir(artifact_or_path)
            else:
                artifact.add_file(artifact_or_path)
        draft = artifact._need_draft()
        try:
            result = commit(self._store, draft, aliases=aliases, tags=tags, run_id=self.id)
        finally:
            artifact._cleanup_staging()
        return Artifact._committed(self._store, resolve(self._store, result.version))

    def logged_artifacts(self) -> list[Artifact]:
        return [Artifact._committed(self._store, v) for v in lin.outputs_of(self._store, self.id)]

    def used_artifacts(self) -> list[Artifact]:
        return [Artifact._committed(self._store, v) for v in lin.inputs_of(self._store, self.id)]

    def link_artifact(
        self, artifact: Artifact, target_path: str, aliases: list[str] | None = None
    ) -> Artifact:
        """Link a logged version into portfolio ``target_path``, recording this run as the
        linker (docs/registry.md); returns the link."""
        from artifactctl.ops.link import link
        from artifactctl.ops.resolve import resolve

        self._need_active()
        row = artifact._need_row()
        result = link(self._store, row.label, target_path, aliases=aliases, run_id=self.id)
        return Artifact._committed(self._store, resolve(self._store, result.link.label))

    def link_model(
        self,
        path: str | os.PathLike[str],
        registered_model_name: str,
        name: str | None = None,
        aliases: list[str] | None = None,
    ) -> Artifact:
        """Log ``path`` as a ``model`` artifact (reusing an identical version) and link it into
        ``model-registry/<registered_model_name>``; returns the link."""
        from artifactctl.ops.link import link_model
        from artifactctl.ops.resolve import resolve

        self._need_active()
        result = link_model(
            self._store, path, registered_model_name, name=name, aliases=aliases, run_id=self.id
        )
        return Artifact._committed(self._store, resolve(self._store, result.link.label))

    # -- ending --------------------------------------------------------------------------------

    def finish(self, exit_code: int | None = None) -> None:
        """Write what is buffered and end the run: ``finished`` (exit code 0 or None) or
        ``failed``. An attached run (inside ``run exec``) is left for ``exec`` to end."""
        if self._writer is None or self._finished:
            return
        self._end(exit_code, None)

    def _end(self, exit_code: int | None, state: str | None) -> None:
        assert self._writer is not None
        self._finished = True
        if self._live is not None:
            self._live.stop()
        with self._writer.lock:
            for s, row in self._steps.finish():
                self._commit(s, row)
        self._writer.flush(heartbeat=True)
        if not self._attached:
            with contextlib.suppress(ConflictError):
                finish_run(self._store, self.id, exit_code=exit_code, state=state)
        self._row = find_run(self._store, self.id)

    def __enter__(self) -> Run:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: object, tb: object) -> None:
        if self._writer is None or self._finished:
            return
        if exc_type is None:
            self._end(0, None)
        elif issubclass(exc_type, KeyboardInterrupt):
            self._end(130, rq.KILLED)
        else:
            self._end(1, None)

    # -- internals -----------------------------------------------------------------------------

    def _need_active(self) -> MetricsWriter:
        if self._writer is None:
            raise ArtifactctlError(
                f"run {self.id} was read back, not started here; it cannot be changed",
                hint="use artifactctl.init_run() to start a run",
            )
        if self._finished:
            raise ArtifactctlError(f"run {self.id} ({self.name}) is finished")
        return self._writer

    def _lock(self) -> Any:
        return self._need_active().lock

    def _dirty(self) -> None:
        assert self._writer is not None
        self._writer.set_fields()  # a flush will snapshot the run fields
        self._config_dirty = True

    def _config_changed(self) -> None:
        with self._lock():
            self._dirty()

    def _snapshot(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "summary": self.summary._data,
            "summary_state": self._state,
            "next_step": self._steps.step,
        }
        if self._config_dirty:
            fields["config"] = self.config._data
            fields["metric_defs"] = self._defs
            self._config_dirty = False
        return fields

    def _activate(
        self,
        *,
        attached: bool,
        heartbeat_seconds: float,
        system_metrics: bool,
        system_interval: float,
    ) -> None:
        from artifactctl.ops.runlive import LiveRun

        self._attached = attached
        self._writer = MetricsWriter(self._store, self.id)
        self._writer.before_flush = self._snapshot
        self._live = LiveRun(
            self._writer,
            start_ts=self.start_time,
            heartbeat_seconds=heartbeat_seconds,
            system_metrics=system_metrics,
            system_interval=system_interval,
            pid=os.getpid(),
            cwd=os.getcwd(),
        )
        self._live.start()
        ref = weakref.ref(self)
        atexit.register(_finish_at_exit, ref)


def _finish_at_exit(ref: weakref.ref[Run]) -> None:
    run = ref()
    if run is not None and run._writer is not None and not run._finished:
        # the interpreter is ending: write what is buffered if the store is still open
        with contextlib.suppress(Exception):
            run._end(0, None)


def _low_store(store: str | os.PathLike[str] | LowStore | SdkStore | None) -> tuple[LowStore, bool]:
    if isinstance(store, LowStore):
        return store, False
    inner = getattr(store, "_store", None)
    if isinstance(inner, LowStore):
        return inner, False
    return LowStore.open(store), True  # type: ignore[arg-type]


def init_run(
    project: str | None = None,
    name: str | None = None,
    config: dict[str, Any] | None = None,
    *,
    group: str | None = None,
    job_type: str | None = None,
    tags: list[str] | None = None,
    notes: str | None = None,
    id: str | None = None,
    store: str | os.PathLike[str] | LowStore | SdkStore | None = None,
    system_metrics: bool = False,
    system_interval: float = DEFAULT_INTERVAL,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
) -> Run:
    """Start a run (or attach to ``$ARTIFACTCTL_RUN_ID``'s, inside ``run exec``)."""
    low, owns = _low_store(store)
    conf = flatten_config(config)
    attach_to = os.environ.get("ARTIFACTCTL_RUN_ID") if id is None else None
    try:
        if attach_to:
            row = find_run(low, attach_to)
            require_running(row)
            run = Run(low, row, owns_store=owns)
            if conf:
                run.config._data.update(conf)
                run._config_dirty = True
            attached = True
        else:
            meta, _diff = runenv.collect()
            info = start_run(
                low,
                name=name,
                project=project,
                group=group,
                job_type=job_type,
                tags=tags,
                notes=notes,
                config=conf,
                meta=meta,
                run_id=id,
                heartbeat=True,
            )
            run = Run(low, info.row, owns_store=owns)
            attached = False
    except BaseException:
        if owns:
            low.close()
        raise
    run._activate(
        attached=attached,
        heartbeat_seconds=heartbeat_seconds,
        system_metrics=system_metrics,
        system_interval=system_interval,
    )
    if run._config_dirty:
        run._writer.set_fields()  # type: ignore[union-attr]
        run._writer.flush()  # type: ignore[union-attr]
    return run


def flatten_config(config: dict[str, Any] | None) -> dict[str, Any]:
    if config is None:
        return {}
    if not isinstance(config, dict):
        raise UsageError(f"config must be a dict, not {type(config).__name__}")
    return {str(k): normalize(v, str(k)) for k, v in config.items()}


def read_run(store: LowStore, row: RunRow) -> Run:
    return Run(store, row)


__all__ = ["ArtifactctlWarning", "Config", "Run", "Summary", "init_run", "iso"]
