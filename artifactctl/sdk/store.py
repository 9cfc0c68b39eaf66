"""``artifactctl.Store``: open a store and log or fetch artifacts."""

from __future__ import annotations

import os
from pathlib import Path

from artifactctl.catalog import versions as q
from artifactctl.ops.commit import commit
from artifactctl.ops.resolve import resolve
from artifactctl.sdk.artifact import Artifact
from artifactctl.store import Store as LowStore


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
            )
        finally:
            artifact._cleanup_staging()
        return self.artifact(result.version)

    def artifact(self, spec: str) -> Artifact:
        """``name``, ``name:vN``, ``name:alias`` or ``name@digestprefix``."""
        return Artifact._committed(self._store, resolve(self._store, spec))

    def artifacts(self, name: str | None = None, type: str | None = None) -> list[Artifact]:
        cat = self._store.catalog
        with cat.read():
            names = [name] if name else [r["name"] for r in q.list_artifacts(cat)]
            rows = [v for n in names for v in q.versions_of(cat, n)]
        if type is not None:
            rows = [r for r in rows if r.type == type]
        return [Artifact._committed(self._store, r) for r in rows]
