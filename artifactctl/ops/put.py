"""``put``: version local files and directories as ``NAME:vN``."""

from __future__ import annotations

from typing import Any

from artifactctl.core.metadata import check_metadata
from artifactctl.core.names import check_name, check_type
from artifactctl.ops.commit import Draft, PutResult, commit
from artifactctl.ops.inputs import collect
from artifactctl.ops.progress import NO_PROGRESS, Progress
from artifactctl.store import Store


def put(
    store: Store,
    paths: list[str],
    *,
    name: str,
    type: str,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
    excludes: list[str] | None = None,
    prefix: str | None = None,
    follow_symlinks: bool = False,
    run_id: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> PutResult:
    check_name(name)
    check_type(type)
    meta = check_metadata(metadata)
    files = collect(paths, prefix=prefix, excludes=excludes, follow_symlinks=follow_symlinks)
    draft = Draft(name, type, description, meta, files={f.path: f for f in files})
    return commit(store, draft, aliases=aliases, tags=tags, run_id=run_id, progress=progress)
