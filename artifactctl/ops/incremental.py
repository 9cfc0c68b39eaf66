"""``put --from SPEC``: a new version of the same artifact, starting from an existing one.

The base version's manifest entries are the draft's starting point (no bytes are read or copied:
unchanged entries keep their digests); ``--remove`` drops entries (a path, or every entry under a
directory prefix), then the given inputs add or replace entries. Description and metadata are
inherited unless given. With nothing to add or remove it commits the base's content again
(a revert: ``put --from data:v1`` makes it the newest version), unless that equals ``latest``.
W&B calls this ``artifact.new_draft()``.
"""

from __future__ import annotations

from typing import Any, Literal

from artifactctl.core.metadata import check_metadata
from artifactctl.core.paths import normalize_entry_path
from artifactctl.errors import NotFoundError, UsageError
from artifactctl.ops.commit import Draft, PutResult, commit
from artifactctl.ops.inputs import collect
from artifactctl.ops.progress import NO_PROGRESS, Progress
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store


def draft_from(store: Store, spec: str) -> Draft:
    """A draft holding every entry of the version ``spec`` names."""
    base = resolve(store, spec)
    manifest = store.read_manifest(base.digest)
    return Draft(
        base.name,
        base.type,
        base.description,
        dict(base.metadata),
        entries={e.path: e for e in manifest.entries},
    )


def remove_entries(draft: Draft, name: str) -> list[str]:
    """Drop the entry ``name``, or every entry under the directory prefix ``name``."""
    path = normalize_entry_path(name.rstrip("/"))
    gone = sorted(p for p in draft.paths() if p == path or p.startswith(path + "/"))
    if not gone:
        raise NotFoundError(
            f"there is no entry {name!r} to remove",
            hint="`artifactctl files SPEC` lists the entries",
        )
    for p in gone:
        draft.files.pop(p, None)
        draft.entries.pop(p, None)
    return gone


def put_from(
    store: Store,
    base: str,
    paths: list[str],
    *,
    removes: list[str] | None = None,
    name: str | None = None,
    type: str | None = None,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
    excludes: list[str] | None = None,
    prefix: str | None = None,
    follow_symlinks: bool = False,
    run_id: str | None = None,
    progress: Progress = NO_PROGRESS,
    ttl: int | Literal["default"] | None = "default",
) -> PutResult:
    draft = draft_from(store, base)
    if name is not None and name != draft.name:
        raise UsageError(
            f"--from {base} makes a new version of {draft.name!r}, not of {name!r}",
            hint=f"leave out --name, or start {name!r} with a plain put",
        )
    if type is not None and type != draft.type:
        raise UsageError(f"{draft.name!r} has type {draft.type!r}, not {type!r}")
    if description is not None:
        draft.description = description
    if metadata is not None:
        draft.metadata = dict(check_metadata(metadata))
    for item in removes or []:
        remove_entries(draft, item)
    if paths:
        for f in collect(paths, prefix=prefix, excludes=excludes, follow_symlinks=follow_symlinks):
            draft.entries.pop(f.path, None)
            draft.files[f.path] = f
    return commit(
        store,
        draft,
        aliases=aliases,
        tags=tags,
        run_id=run_id,
        progress=progress,
        ttl_seconds=ttl,
    )
