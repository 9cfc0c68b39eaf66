"""``delete SPEC``: soft-delete one version (catalog first; ``gc`` frees its blobs later).

Refused (ConflictError) while the version has aliases other than ``latest`` (unless
``delete_aliases``) or is linked into a portfolio (unlink it first). Deleting the version
``latest`` points at moves ``latest`` back to the newest remaining committed version. Version
numbers are never reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import lifecycle as lc
from artifactctl.catalog import storage
from artifactctl.catalog import versions as q
from artifactctl.core.timefmt import iso
from artifactctl.errors import ConflictError, NotFoundError
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store


@dataclass(slots=True)
class DeleteResult:
    version: str
    removed_aliases: list[str]
    latest: str | None
    reclaimable_bytes: int
    unlinked: list[str] = field(default_factory=list)  # portfolio members removed (links)
    source: str | None = None  # set when SPEC named a link: only the link was removed

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "state": "UNLINKED" if self.source else q.DELETED,
            "removed_aliases": self.removed_aliases,
            "latest": self.latest,
            "reclaimable_bytes": self.reclaimable_bytes,
            "unlinked": self.unlinked,
            "source": self.source,
        }


def delete(
    store: Store,
    spec: str,
    *,
    delete_aliases: bool = False,
    force: bool = False,
    run_id: str | None = None,
) -> DeleteResult:
    target = resolve(store, spec)
    if target.link is not None:  # a portfolio member: delete unlinks it (ops/link.py), as W&B
        from artifactctl.ops.link import unlink

        gone = unlink(store, target.link.label, run_id=run_id)
        (member,) = gone.unlinked
        latest_member = gone.latest_moved_to.get(member.portfolio)
        return DeleteResult(
            member.label, member.aliases, latest_member, 0, [member.label], member.source_label
        )
    cat = store.catalog
    with cat.write():
        row = q.version_by_id(cat, target.id)
        if row is None or row.state != q.COMMITTED:
            raise NotFoundError(f"{target.label} was deleted meanwhile")
        aliases = [a for a in lc.own_aliases(cat, row.id) if a != lc.LATEST]
        if aliases and not delete_aliases:
            raise ConflictError(
                f"{row.label} has alias(es) {', '.join(aliases)}; it was not deleted",
                hint="pass --delete-aliases to delete it with them, or move them first with"
                " `artifactctl alias set`",
            )
        links = [r for r in lc.protected_reasons(cat, row.id) if not r.startswith("alias ")]
        if links and not force:
            raise ConflictError(
                f"{row.label} is in use: {'; '.join(links)}; it was not deleted",
                hint="unlink it from the portfolio first, or pass --force to unlink it"
                " everywhere and delete it",
            )
        unlinked: list[str] = []
        if links:
            from artifactctl.catalog.links import unlink_everywhere

            now = iso(store.now())
            unlinked = [m.label for m in unlink_everywhere(cat, row.id, now, run_id=run_id)]
        (usage,) = storage.version_usage(cat, [row.id])
        removed = lc.mark_deleted(cat, row.id, iso(store.now()), run_id=run_id)
        latest_id = q.alias_target(cat, row.artifact_id, lc.LATEST)
        latest = q.version_by_id(cat, latest_id) if latest_id is not None else None
    return DeleteResult(
        row.label, removed, latest.label if latest else None, usage.unique, unlinked
    )
