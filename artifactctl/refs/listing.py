"""Grouping many refs into few backend calls."""

from __future__ import annotations

import posixpath
from collections import defaultdict

from artifactctl.core.refs import RefURI

#: At or above this many refs in one bucket, one listing of their common prefix replaces a
#: metadata request per object.
LIST_THRESHOLD = 20


def common_prefix(keys: list[str]) -> str:
    """The longest common directory prefix of ``keys`` ('' or ending in '/')."""
    prefix = posixpath.commonprefix(keys)
    cut = prefix.rfind("/")
    return prefix[: cut + 1] if cut >= 0 else ""


def group_for_check(refs: list[RefURI]) -> list[tuple[str, str | None, list[RefURI]]]:
    """(bucket, prefix to list or None for per-object requests, members), per bucket."""
    by_bucket: dict[str, list[RefURI]] = defaultdict(list)
    for r in refs:
        by_bucket[r.bucket].append(r)
    out: list[tuple[str, str | None, list[RefURI]]] = []
    for bucket, members in by_bucket.items():
        if len(members) >= LIST_THRESHOLD:
            out.append((bucket, common_prefix([m.key for m in members]), members))
        else:
            out.append((bucket, None, members))
    return out
