"""Resolving version specifiers against the catalog."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from artifactctl.catalog import versions as q
from artifactctl.catalog.rows import VersionRow
from artifactctl.core.spec import Spec, parse_spec
from artifactctl.errors import ConflictError, NotFoundError
from artifactctl.store import Store

T = TypeVar("T")


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
        return pick(
            s,
            by_number=lambda n: q.version_by_number(cat, s.name, n),
            by_digest_prefix=lambda p: q.versions_by_digest_prefix(cat, s.name, p),
            by_alias=lambda a: q.version_by_alias(cat, s.name, a),
            what=f"{s.name!r}",
            existing=lambda: _existing(store, s.name),
            hint=f"`artifactctl ls {s.name}` lists its versions and aliases",
        )


def pick(
    s: Spec,
    *,
    by_number: Callable[[int], T | None],
    by_digest_prefix: Callable[[str], list[T]],
    by_alias: Callable[[str], T | None],
    what: str,
    existing: Callable[[], str],
    hint: str,
    absent: str = "does not exist",
) -> T:
    """The one thing ``s`` selects by number, digest prefix or alias, with errors that say what
    exists. Shared by artifacts and portfolios (ops/linkspec.py)."""
    if s.version is not None:
        found = by_number(s.version)
        if found is None:
            raise NotFoundError(f"{s} {absent}" + existing(), hint=hint)
        return found
    if s.digest_prefix is not None:
        matches = by_digest_prefix(s.digest_prefix)
        if not matches:
            raise NotFoundError(f"nothing in {what} has a digest starting {s.digest_prefix}")
        if len(matches) > 1:
            labels = ", ".join(str(getattr(m, "label", m)) for m in matches)
            raise ConflictError(
                f"{s} is ambiguous: {labels}", hint="give more digits of the digest"
            )
        return matches[0]
    alias = s.alias or "latest"
    found = by_alias(alias)
    if found is None:
        raise NotFoundError(f"{what} has no alias {alias!r}" + existing(), hint=hint)
    return found


def _existing(store: Store, name: str) -> str:
    versions = q.versions_of(store.catalog, name)
    if not versions:
        return f" ({name!r} has no committed versions)"
    shown = ", ".join(v.label.partition(":")[2] for v in versions[-5:])
    return f" (it has {len(versions)} version(s), the newest: {shown})"
