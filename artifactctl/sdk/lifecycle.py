"""The life-cycle half of ``artifactctl.Artifact``: editable properties, ``save()``, ``ttl``,
``delete()`` and ``new_draft()`` (docs/versions.md).

Setting ``description``, ``metadata``, ``aliases``, ``tags`` or ``ttl`` on a committed version
changes the in-memory object; ``save()`` writes every change in one transaction. On a draft,
``description``, ``metadata`` and ``ttl`` are part of what ``log_artifact`` commits.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

from artifactctl.core.metadata import check_metadata
from artifactctl.errors import ArtifactctlError, UsageError

if TYPE_CHECKING:
    from artifactctl.sdk.artifact import Artifact

_DIRTY = "_lifecycle_dirty"
_DRAFT_TTL = "_lifecycle_draft_ttl"


def _dirty(art: Artifact) -> set[str]:
    found: set[str] | None = art.__dict__.get(_DIRTY)
    if found is None:
        found = art.__dict__[_DIRTY] = set()
    return found


def set_description(art: Artifact, value: str | None) -> None:
    if art._row is None:
        art._need_draft().description = value
        return
    art._row = replace(art._row, description=value)
    _dirty(art).add("description")


def set_metadata(art: Artifact, value: dict[str, Any]) -> None:
    doc = dict(check_metadata(value))
    if art._row is None:
        art._need_draft().metadata = doc
        return
    art._row = replace(art._row, metadata=doc)
    _dirty(art).add("metadata")


def _committed_only(art: Artifact, what: str) -> None:
    if art._row is None:
        raise ArtifactctlError(
            f"{what} can be set on a logged version only",
            hint=f"pass {what}=[...] to store.log_artifact(artifact, ...)",
        )


def set_aliases(art: Artifact, value: list[str]) -> None:
    _committed_only(art, "aliases")
    assert art._row is not None
    wanted = [a for a in dict.fromkeys(value) if a != "latest"]
    latest = ["latest"] if "latest" in art._row.aliases else []
    art._row = replace(art._row, aliases=latest + wanted)
    _dirty(art).add("aliases")


def set_tags(art: Artifact, value: list[str]) -> None:
    _committed_only(art, "tags")
    assert art._row is not None
    art._row = replace(art._row, tags=list(dict.fromkeys(value)))
    _dirty(art).add("tags")


def get_ttl(art: Artifact) -> timedelta | None:
    """The version's TTL; on a draft, what it will be logged with (None: the store default or
    none, decided at commit)."""
    if art._row is None:
        requested = art.__dict__.get(_DRAFT_TTL)
        return timedelta(seconds=requested) if isinstance(requested, int) else None
    seconds = art._row.ttl_seconds
    return timedelta(seconds=seconds) if seconds is not None else None


def set_ttl(art: Artifact, value: timedelta | None) -> None:
    seconds = None
    if value is not None:
        if not isinstance(value, timedelta) or value.total_seconds() < 1:
            raise UsageError("ttl must be a positive datetime.timedelta, or None (no expiry)")
        seconds = int(value.total_seconds())
    if art._row is None:
        art.__dict__[_DRAFT_TTL] = seconds
        return
    art._row = replace(art._row, ttl_seconds=seconds)
    _dirty(art).add("ttl")


def draft_ttl(art: Artifact) -> int | Literal["default"] | None:
    """What ``log_artifact`` passes to commit: seconds, None (set to None: no expiry) or
    "default" (never set: the store's default-ttl)."""
    if _DRAFT_TTL not in art.__dict__:
        return "default"
    value: int | None = art.__dict__[_DRAFT_TTL]
    return value


def save(art: Artifact) -> None:
    """Write the changed description, metadata, aliases, tags and TTL, atomically."""
    from artifactctl.ops.edit import KEEP, update_version

    row = art._need_row()
    store = art._need_store()
    dirty = _dirty(art)
    if not dirty:
        return
    result = update_version(
        store,
        replace(row, link=None),
        description=row.description if "description" in dirty else KEEP,
        metadata=row.metadata if "metadata" in dirty else KEEP,
        aliases=row.aliases if "aliases" in dirty else KEEP,
        tags=row.tags if "tags" in dirty else KEEP,
        ttl_seconds=row.ttl_seconds if "ttl" in dirty else KEEP,
    )
    art._row = replace(result.version, link=row.link)
    dirty.clear()


def delete(art: Artifact, delete_aliases: bool = False) -> None:
    """Soft-delete this version (``artifactctl delete``); ``gc`` frees its bytes."""
    from artifactctl.ops.delete import delete as delete_version

    row = art._need_row()
    delete_version(art._need_store(), replace(row, link=None).label, delete_aliases=delete_aliases)
    art._row = replace(row, state="DELETED", aliases=[])


def new_draft(art: Artifact) -> Artifact:
    """A draft of the same artifact holding this version's entries, description and metadata;
    ``add_file``/``remove`` then ``store.log_artifact`` make the next version."""
    from artifactctl.ops.incremental import draft_from
    from artifactctl.sdk.artifact import Artifact

    row = art._need_row()
    child = Artifact(row.name, row.type)
    child._draft = draft_from(art._need_store(), replace(row, link=None).label)
    return child
