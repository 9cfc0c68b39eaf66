"""Changing what is not content: description, metadata, aliases, tags and TTL of a version.

:func:`update_version` applies any mix of these in one write transaction (``artifactctl edit``,
``tag``, ``ttl set`` and the Python API's ``artifact.save()`` all go through it). The manifest and
digest never change. Arguments left at :data:`KEEP` are not touched.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Final

from artifactctl.catalog import lifecycle as lc
from artifactctl.catalog import versions as q
from artifactctl.catalog.rows import VersionRow
from artifactctl.core.metadata import check_metadata, parse_metadata_text
from artifactctl.core.names import check_tag
from artifactctl.core.timefmt import iso, parse_iso
from artifactctl.errors import NotFoundError, UsageError
from artifactctl.ops.alias import check_user_alias
from artifactctl.ops.listing import version_json
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
MetadataEdit = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(slots=True)
class EditResult:
    version: VersionRow
    changed: list[str]

    def to_json(self) -> dict[str, Any]:
        doc = version_json(self.version)
        doc["changed"] = self.changed
        return doc


def expiry(created_at: str, ttl_seconds: int | None) -> str | None:
    """A TTL counts from the version's creation time."""
    if ttl_seconds is None:
        return None
    return iso(parse_iso(created_at) + timedelta(seconds=ttl_seconds))


def update_version(
    store: Store,
    spec: str | VersionRow,
    *,
    description: str | _Keep | None = KEEP,
    metadata: dict[str, Any] | MetadataEdit | _Keep = KEEP,
    aliases: list[str] | _Keep = KEEP,
    add_tags: list[str] | None = None,
    remove_tags: list[str] | None = None,
    tags: list[str] | _Keep = KEEP,
    ttl_seconds: int | _Keep | None = KEEP,
    run_id: str | None = None,
) -> EditResult:
    """Apply the given changes to one committed version, atomically.

    ``aliases`` is the full wanted set of the version's own aliases (``latest`` is ignored
    here: artifactctl moves it); ``tags`` the full wanted set of tags.
    """
    target = spec if isinstance(spec, VersionRow) else resolve(store, spec)
    if isinstance(metadata, dict):
        metadata = dict(check_metadata(metadata))
    wanted_aliases = None
    if not isinstance(aliases, _Keep):
        wanted_aliases = [a for a in dict.fromkeys(aliases) if a != lc.LATEST]
        for a in wanted_aliases:
            check_user_alias(a)
    adding = [check_tag(t) for t in dict.fromkeys(add_tags or [])]
    removing = [check_tag(t) for t in dict.fromkeys(remove_tags or [])]
    if not isinstance(tags, _Keep):
        for t in tags:
            check_tag(t)
    if not isinstance(ttl_seconds, _Keep) and ttl_seconds is not None and ttl_seconds <= 0:
        raise UsageError("a TTL must be longer than zero; use None for no expiry")
    cat = store.catalog
    changed: list[str] = []
    with cat.write():
        row = q.version_by_id(cat, target.id)
        if row is None or row.state != q.COMMITTED:
            raise NotFoundError(f"{target.label} does not exist any more (it was deleted)")
        now = iso(store.now())
        if not isinstance(description, _Keep) and description != row.description:
            lc.set_description(cat, row.id, description, now)
            changed.append("description")
        if not isinstance(metadata, _Keep):
            new_meta = metadata if isinstance(metadata, dict) else metadata(dict(row.metadata))
            if new_meta != row.metadata:
                lc.set_metadata(cat, row.id, new_meta, now)
                changed.append("metadata")
        if wanted_aliases is not None:
            have = [a for a in lc.own_aliases(cat, row.id) if a != lc.LATEST]
            for a in have:
                if a not in wanted_aliases:
                    lc.remove_alias(cat, row.artifact_id, a, now, run_id=run_id)
            for a in wanted_aliases:
                if a not in have:
                    q.set_alias(cat, row.artifact_id, a, row.id, now, run_id=run_id)
            if set(have) != set(wanted_aliases):
                changed.append("aliases")
        if not isinstance(tags, _Keep):
            removing = [t for t in row.tags if t not in tags]
            adding = [t for t in tags if t not in row.tags]
        if adding or removing:
            to_add = [t for t in adding if t not in row.tags]
            to_remove = [t for t in removing if t in row.tags]
            q.add_tags(cat, row.id, to_add)
            lc.remove_tags(cat, row.id, to_remove)
            if to_add or to_remove:
                changed.append("tags")
        if not isinstance(ttl_seconds, _Keep) and ttl_seconds != row.ttl_seconds:
            lc.set_ttl(cat, row.id, ttl_seconds, expiry(row.created_at, ttl_seconds), now)
            changed.append("ttl")
        final = q.version_by_id(cat, row.id)
    assert final is not None
    return EditResult(final, changed)


def edit_metadata(
    current: dict[str, Any],
    *,
    replace_text: str | None = None,
    set_items: list[str] | None = None,
    unset_keys: list[str] | None = None,
) -> dict[str, Any]:
    """The metadata after ``--metadata`` (replace), ``--metadata-set k=v`` and
    ``--metadata-unset k``, in that order. A value that parses as JSON is JSON, else a string."""
    doc = parse_metadata_text(replace_text) if replace_text is not None else dict(current)
    for item in set_items or []:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise UsageError(f"invalid --metadata-set {item!r}", hint="use key=value")
        try:
            doc[key] = json.loads(raw)
        except ValueError:
            doc[key] = raw
    for key in unset_keys or []:
        if key not in doc:
            raise NotFoundError(f"the metadata has no key {key!r}")
        del doc[key]
    return check_metadata(doc)


def edit(
    store: Store,
    spec: str,
    *,
    description: str | _Keep | None = KEEP,
    metadata_text: str | None = None,
    metadata_set: list[str] | None = None,
    metadata_unset: list[str] | None = None,
) -> EditResult:
    """``artifactctl edit``: description and metadata of a committed version."""
    target = resolve(store, spec)
    metadata: MetadataEdit | _Keep = KEEP
    if metadata_text is not None or metadata_set or metadata_unset:
        edit_metadata(  # checked up front, so bad input fails before the transaction
            target.metadata,
            replace_text=metadata_text,
            set_items=metadata_set,
            unset_keys=metadata_unset,
        )

        def apply(current: dict[str, Any]) -> dict[str, Any]:
            return edit_metadata(
                current,
                replace_text=metadata_text,
                set_items=metadata_set,
                unset_keys=metadata_unset,
            )

        metadata = apply
    if isinstance(description, _Keep) and isinstance(metadata, _Keep):
        raise UsageError(
            "nothing to change",
            hint="give --description, --metadata, --metadata-set or --metadata-unset",
        )
    return update_version(store, target, description=description, metadata=metadata)


def tag(
    store: Store, spec: str, *, add: list[str] | None = None, remove: list[str] | None = None
) -> EditResult:
    """``artifactctl tag add|rm``."""
    if not add and not remove:
        raise UsageError("give at least one tag")
    return update_version(store, spec, add_tags=add, remove_tags=remove)
