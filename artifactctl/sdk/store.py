"""``artifactctl.Store``: open a store and log or fetch artifacts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from artifactctl.ops.commit import commit
from artifactctl.ops.resolve import resolve
from artifactctl.sdk import lifecycle
from artifactctl.sdk.artifact import Artifact
from artifactctl.store import Store as LowStore

if TYPE_CHECKING:
    from artifactctl.sdk.run import Run


class Store:
    """A store, found like the CLI finds it (``path``, ``ARTIFACTCTL_DIR``, ``.artifactctl/``
    here or above, else the user's default store)."""

    def __init__(self, path: str | os.PathLike[str] | None = None, *, durable: bool = False):
        self._store = LowStore.open(path, durable=durable)

    @classmethod
    def init(cls, directory: str | os.PathLike[str], *, hash: str = "xxh3-128") -> Store:
        LowStore.init(directory, algorithm=hash).close()
        return cls(Path(directory) / ".artifactctl")

    @property
    def path(self) -> Path:
        return self._store.path

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_artifact(
        self,
        artifact: Artifact,
        aliases: list[str] | None = None,
        tags: list[str] | None = None,
        run_id: str | None = None,
    ) -> Artifact:
        """Commit a draft; returns the committed version (an existing one if content is
        unchanged from ``latest``)."""
        draft = artifact._need_draft()
        try:
            result = commit(
                self._store,
                draft,
                aliases=aliases,
                tags=tags,
                run_id=run_id or os.environ.get("ARTIFACTCTL_RUN_ID"),
                ttl_seconds=lifecycle.draft_ttl(artifact),
            )
        finally:
            artifact._cleanup_staging()
        return self.artifact(result.version)

    def artifact(self, spec: str) -> Artifact:
        """``name``, ``name:vN``, ``name:alias`` or ``name@digestprefix``."""
        return Artifact._committed(self._store, resolve(self._store, spec))

    def artifacts(
        self,
        name: str | None = None,
        type: str | None = None,
        alias: str | None = None,
        tag: str | None = None,
    ) -> list[Artifact]:
        """Committed versions matching every filter given, by name then version number."""
        from artifactctl.ops.listing import find_versions

        rows = find_versions(self._store, name=name, type=type, tag=tag, alias=alias)
        return [Artifact._committed(self._store, r) for r in rows]

    def run(self, ref: str) -> Run:
        """A run by id (or unique name), read back: config, summary, history, lineage."""
        from artifactctl.ops.runs import find_run
        from artifactctl.sdk.run import Run

        return Run(self._store, find_run(self._store, ref))

    def runs(
        self,
        project: str | None = None,
        filters: list[str] | None = None,
        order: str = "+created_at",
    ) -> list[Run]:
        """Runs, filtered like ``run ls --filter`` (e.g. ``["summary.acc>0.9"]``)."""
        from artifactctl.ops.runs import list_runs
        from artifactctl.sdk.run import Run

        infos = list_runs(self._store, project=project, filters=filters, order=order)
        return [Run(self._store, i.row) for i in infos]
