"""``alias set|rm|ls|history``: mutable pointers to versions, with an append-only history.

``latest`` is moved only by artifactctl (commit, delete). ``set --expect vN`` is a
compare-and-swap: the check and the move happen in one write transaction, so of two writers
that expect the same old target exactly one wins and the other gets a :class:`ConflictError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from artifactctl.catalog import lifecycle as lc
from artifactctl.catalog import versions as q
from artifactctl.catalog.rows import ArtifactRow
from artifactctl.core.digest import is_lower_hex
from artifactctl.core.names import check_alias, check_name
from artifactctl.core.timefmt import iso
from artifactctl.errors import ConflictError, NotFoundError, UsageError
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store


@dataclass(slots=True)
class AliasResult:
    name: str
    alias: str
    version: str | None
    previous: str | None
    changed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "alias": self.alias,
            "version": self.version,
            "previous": self.previous,
            "changed": self.changed,
        }


def check_user_alias(alias: str) -> str:
    """An alias a user may set: the name rules, not ``latest``, not like a version or digest."""
    if alias == lc.LATEST:
        raise UsageError(
            "'latest' is moved by artifactctl itself: it always names the newest committed version",
            hint="give your pointer another name (e.g. prod, best, candidate)",
        )
    check_alias(alias)
    if len(alias) >= 8 and is_lower_hex(alias):
        raise UsageError(
            f"invalid alias {alias!r}: it looks like a digest",
            hint="aliases are names such as prod or best",
        )
    return alias


def _parse_expect(expect: str) -> int | None:
    """``vN`` → N; ``none`` → None (the alias must not exist yet)."""
    if expect.lower() == "none":
        return None
    if expect.startswith("v") and expect[1:].isdigit():
        return int(expect[1:])
    raise UsageError(f"invalid --expect {expect!r}", hint="use vN, or none (alias must be unset)")


def _artifact(store: Store, name: str) -> ArtifactRow:
    art = q.get_artifact(store.catalog, check_name(name))
    if art is None:
        raise NotFoundError(f"no artifact named {name!r}", hint="`artifactctl ls` lists them")
    return art


def set_alias(
    store: Store,
    spec: str,
    alias: str,
    *,
    expect: str | None = None,
    run_id: str | None = None,
) -> AliasResult:
    check_user_alias(alias)
    expected = _parse_expect(expect) if expect is not None else None
    target = resolve(store, spec)
    if target.link is not None:  # a portfolio member: the alias is the portfolio's (ops/link.py)
        from artifactctl.ops.link import set_member_alias

        link = target.link
        previous, changed = set_member_alias(
            store,
            link,
            alias,
            check_expected=expect is not None,
            expected=expected,
            run_id=run_id,
        )
        return AliasResult(link.portfolio, alias, link.label, previous, changed)
    cat = store.catalog
    with cat.write():
        row = q.version_by_id(cat, target.id)
        if row is None or row.state != q.COMMITTED:
            raise NotFoundError(f"{target.label} was deleted meanwhile")
        current_id = q.alias_target(cat, row.artifact_id, alias)
        current = q.version_by_id(cat, current_id) if current_id is not None else None
        previous = current.label if current else None
        if expect is not None:
            actual = current.number if current else None
            if actual != expected:
                raise ConflictError(
                    f"{row.name}:{alias} points at {previous or 'nothing'}, not at"
                    f" {expect} as expected: another writer moved it",
                    hint=f"inspect `artifactctl alias history {row.name} {alias}` and retry",
                )
        changed = current_id != row.id
        q.set_alias(cat, row.artifact_id, alias, row.id, iso(store.now()), run_id=run_id)
    return AliasResult(row.name, alias, row.label, previous, changed)


def remove_alias(store: Store, name: str, alias: str, *, run_id: str | None = None) -> AliasResult:
    if alias == lc.LATEST:
        raise UsageError(
            "'latest' cannot be removed: artifactctl keeps it on the newest committed version",
            hint="delete the version itself with `artifactctl delete` if it should go",
        )
    cat = store.catalog
    with cat.write():
        art = _artifact(store, name)
        previous_id = lc.remove_alias(cat, art.id, alias, iso(store.now()), run_id=run_id)
        if previous_id is None:
            raise NotFoundError(
                f"{name!r} has no alias {alias!r}", hint=f"`artifactctl alias ls {name}`"
            )
        previous = q.version_by_id(cat, previous_id)
    return AliasResult(name, alias, None, previous.label if previous else None, True)


def list_aliases(store: Store, name: str | None = None) -> list[lc.AliasRow]:
    cat = store.catalog
    with cat.read():
        art_id = _artifact(store, name).id if name is not None else None
        return lc.list_aliases(cat, art_id)


def alias_history(store: Store, name: str, alias: str) -> list[lc.AliasEvent]:
    cat = store.catalog
    with cat.read():
        art = _artifact(store, name)
        events = lc.alias_history(cat, art.id, alias)
    if not events:
        raise NotFoundError(f"{name}:{alias} has never been set")
    return events
