"""Read commands: ``ls``, ``ls NAME``, ``show``, ``files``, ``diff``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import versions as q
from artifactctl.catalog.rows import VersionRow
from artifactctl.core.manifest import Entry
from artifactctl.core.names import check_portfolio
from artifactctl.errors import NotFoundError
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store


def version_json(v: VersionRow) -> dict[str, Any]:
    return {
        "name": v.name,
        "type": v.type,
        "version": v.label,
        "number": v.number,
        "digest": v.digest,
        "state": v.state,
        "size": v.size,
        "file_count": v.file_count,
        "aliases": v.aliases,
        "tags": v.tags,
        "description": v.description,
        "metadata": v.metadata,
        "created_at": v.created_at,
        "updated_at": v.updated_at,
        "ttl_seconds": v.ttl_seconds,
        "expires_at": v.expires_at,
        "run_id": v.run_id,
    }


def list_artifacts(store: Store, *, type: str | None = None) -> list[dict[str, Any]]:
    with store.catalog.read():
        rows = q.list_artifacts(store.catalog)
    if type is not None:
        rows = [r for r in rows if r["type"] == type]
    for r in rows:
        r["latest"] = f"{r['name']}:v{r['latest']}" if r["latest"] is not None else None
    return rows


def list_versions(
    store: Store,
    name: str,
    *,
    type: str | None = None,
    tag: str | None = None,
    alias: str | None = None,
) -> list[VersionRow]:
    check_portfolio(name)
    with store.catalog.read():
        if q.get_artifact(store.catalog, name) is None:
            raise NotFoundError(f"no artifact named {name!r}", hint="`artifactctl ls` lists them")
        if type is not None or tag is not None or alias is not None:
            return find_versions(store, name=name, type=type, tag=tag, alias=alias)
        return q.versions_of(store.catalog, name)


def find_versions(
    store: Store,
    *,
    name: str | None = None,
    type: str | None = None,
    tag: str | None = None,
    alias: str | None = None,
) -> list[VersionRow]:
    """Committed versions matching every given filter (``ls --tag/--alias/--type``)."""
    from artifactctl.catalog.lifecycle import find_version_ids

    cat = store.catalog
    with cat.read():
        ids = find_version_ids(cat, name=name, type_=type, tag=tag, alias=alias)
        found = [q.version_by_id(cat, i) for i in ids]
    return [v for v in found if v is not None]


@dataclass(slots=True)
class ShowResult:
    version: VersionRow
    entries: list[Entry]
    links: list[Any] | None = None  # with --links: the portfolios it is linked into

    def to_json(self) -> dict[str, Any]:
        doc = version_json(self.version)
        link = self.version.link  # resolved through a portfolio (ops/linkspec.py)
        doc["is_link"] = link is not None
        doc["source"] = self.version.label
        doc["linked_as"] = link.to_json() if link is not None else None
        if self.links is not None:
            doc["links"] = [m.to_json() for m in self.links]
        refs = sum(1 for e in self.entries if e.ref is not None)
        doc["manifest"] = {
            "entries": len(self.entries),
            "references": refs,
            "largest": [
                {"path": e.path, "size": e.size}
                for e in sorted(self.entries, key=lambda e: -e.size)[:5]
            ],
        }
        return doc


def show(store: Store, spec: str, *, links: bool = False) -> ShowResult:
    version = resolve(store, spec)
    result = ShowResult(version, store.read_manifest(version.digest).entries)
    if links:
        from artifactctl.ops.portfolio import linked_into

        result.links = linked_into(store, version.id)
    return result


def files(store: Store, spec: str) -> tuple[VersionRow, list[Entry]]:
    version = resolve(store, spec)
    return version, store.read_manifest(version.digest).entries


@dataclass(slots=True)
class DiffResult:
    a: str
    b: str
    added: list[Entry] = field(default_factory=list)
    removed: list[Entry] = field(default_factory=list)
    modified: list[tuple[Entry, Entry]] = field(default_factory=list)
    unchanged: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "added": [{"path": e.path, "size": e.size, "digest": e.digest} for e in self.added],
            "removed": [{"path": e.path, "size": e.size, "digest": e.digest} for e in self.removed],
            "modified": [
                {
                    "path": x.path,
                    "size_a": x.size,
                    "size_b": y.size,
                    "digest_a": x.digest,
                    "digest_b": y.digest,
                }
                for x, y in self.modified
            ],
            "unchanged": self.unchanged,
        }


def diff(store: Store, spec_a: str, spec_b: str) -> DiffResult:
    va, ea = files(store, spec_a)
    vb, eb = files(store, spec_b)
    result = DiffResult(va.label, vb.label)
    left = {e.path: e for e in ea}
    right = {e.path: e for e in eb}
    for path, e in right.items():
        other = left.get(path)
        if other is None:
            result.added.append(e)
        elif other.digest != e.digest:
            result.modified.append((other, e))
        else:
            result.unchanged += 1
    result.removed = [e for p, e in left.items() if p not in right]
    return result
