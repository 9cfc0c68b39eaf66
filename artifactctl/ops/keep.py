"""``keep NAME --last N``: delete all but the newest N unprotected versions of NAME.

Protected versions (an alias other than ``latest``, a portfolio link: see
``catalog.lifecycle.protected_reasons``) are never deleted and do not count towards N. Deletion
is the soft delete of ``artifactctl delete``; ``gc`` frees the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import lifecycle as lc
from artifactctl.catalog import versions as q
from artifactctl.core.names import check_name
from artifactctl.core.timefmt import iso
from artifactctl.errors import NotFoundError, UsageError
from artifactctl.store import Store


@dataclass(slots=True)
class KeepResult:
    name: str
    last: int
    dry_run: bool
    kept: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "last": self.last,
            "dry_run": self.dry_run,
            "kept": self.kept,
            "deleted": self.deleted,
        }


def keep(
    store: Store, name: str, *, last: int, dry_run: bool = False, run_id: str | None = None
) -> KeepResult:
    check_name(name)
    if last < 1:
        raise UsageError(
            "--last must be at least 1", hint="use `artifactctl delete` to delete every version"
        )
    cat = store.catalog
    result = KeepResult(name, last, dry_run)
    with cat.read() if dry_run else cat.write():
        if q.get_artifact(cat, name) is None:
            raise NotFoundError(f"no artifact named {name!r}", hint="`artifactctl ls` lists them")
        now = iso(store.now())
        unprotected = 0
        for v in reversed(q.versions_of(cat, name)):
            reasons = lc.protected_reasons(cat, v.id)
            if reasons:
                result.kept.append({"version": v.label, "reasons": reasons})
            elif unprotected < last:
                unprotected += 1
                result.kept.append({"version": v.label, "reasons": [f"among the newest {last}"]})
            else:
                result.deleted.append(v.label)
                if not dry_run:
                    lc.mark_deleted(cat, v.id, now, run_id=run_id)
    return result
