"""Resolving version specifiers against the catalog."""

from __future__ import annotations

from artifactctl.catalog import versions as q
from artifactctl.catalog.rows import VersionRow
from artifactctl.core.spec import Spec, parse_spec
from artifactctl.errors import ConflictError, NotFoundError
from artifactctl.store import Store


def resolve(store: Store, spec: str | Spec) -> VersionRow:
    """The committed version a specifier names, or NotFoundError saying what exists."""
    s = parse_spec(spec) if isinstance(spec, str) else spec
    cat = store.catalog
    with cat.read():
        art = q.get_artifact(cat, s.name)
        if art is None:
            raise NotFoundError(
                f"no artifact named {s.name!r} in this store",
                hint="`artifactctl ls` lists the artifacts",
            )
        if art.kind == "portfolio":  # a link: resolve to its source version (ops/linkspec.py)
            from artifactctl.ops.linkspec import resolve_in_portfolio

            return resolve_in_portfolio(store, art, s)
        if s.version is not None:
            found = q.version_by_number(cat, s.name, s.version)
            if found is None:
                raise NotFoundError(
                    f"{s} does not exist" + _existing(store, s.name),
                    hint=f"`artifactctl ls {s.name}` lists its versions",
                )
            return found
        if s.digest_prefix is not None:
            matches = q.versions_by_digest_prefix(cat, s.name, s.digest_prefix)
            if not matches:
                raise NotFoundError(
                    f"no version of {s.name!r} has a digest starting {s.digest_prefix}"
                )
            if len(matches) > 1:
                raise ConflictError(
                    f"{s} is ambiguous: " + ", ".join(m.label for m in matches),
                    hint="give more digits of the digest",
                )
            return matches[0]
        alias = s.alias or "latest"
        found = q.version_by_alias(cat, s.name, alias)
        if found is None:
            raise NotFoundError(
                f"{s.name!r} has no alias {alias!r}" + _existing(store, s.name),
                hint=f"`artifactctl ls {s.name}` lists its versions and aliases",
            )
        return found


def _existing(store: Store, name: str) -> str:
    versions = q.versions_of(store.catalog, name)
    if not versions:
        return f" ({name!r} has no committed versions)"
    shown = ", ".join(v.label.partition(":")[2] for v in versions[-5:])
    return f" (it has {len(versions)} version(s), the newest: {shown})"
