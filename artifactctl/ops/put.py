"""``put``: version local files and directories as ``NAME:vN``."""

from __future__ import annotations

import functools
from typing import Any, Literal

from artifactctl.core.metadata import check_metadata
from artifactctl.core.names import check_name, check_type
from artifactctl.core.refs import RefRequest, check_max_objects, looks_like_uri, parse_ref_name
from artifactctl.ops.commit import Draft, PutResult, commit
from artifactctl.ops.inputs import iter_collect
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
    ttl: int | Literal["default"] | None = "default",
    ref_names: list[str] | None = None,
    checksum: bool = True,
    max_objects: int | None = None,
    link: str = "copy",
) -> PutResult:
    """``ttl``: seconds, None (never expires) or "default" (the store's default-ttl).

    ``paths`` may mix local paths and reference URIs (s3://, gs://, az://, abfs://, file://,
    http(s)://); ``ref_names`` are ``NAME=URI`` references placed at entry path NAME."""
    check_name(name)
    check_type(type)
    meta = check_metadata(metadata)
    refs = _reference_requests(paths, ref_names, checksum, max_objects, prefix)
    local = [p for p in paths if not looks_like_uri(p)]
    walk = functools.partial(
        iter_collect, local, prefix=prefix, excludes=excludes, follow_symlinks=follow_symlinks
    )
    draft = Draft(name, type, description, meta, walk=walk)
    draft.references = refs
    return commit(
        store,
        draft,
        aliases=aliases,
        tags=tags,
        run_id=run_id,
        progress=progress,
        ttl_seconds=ttl,
        link=link,
    )


def _reference_requests(
    paths: list[str],
    ref_names: list[str] | None,
    checksum: bool,
    max_objects: int | None,
    prefix: str | None,
) -> list[RefRequest]:
    check_max_objects(max_objects)
    out = [RefRequest(p, None, checksum, max_objects, prefix) for p in paths if looks_like_uri(p)]
    for text in ref_names or []:
        named = parse_ref_name(text)
        out.append(RefRequest(named.uri, named.name, checksum, max_objects, prefix))
    return out
