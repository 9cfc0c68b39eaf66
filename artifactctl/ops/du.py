"""``du``: who holds which bytes.

For each committed version: its logical size (the sum of its files' sizes), the content bytes it
alone holds (freed if only it were deleted and ``gc`` ran) and the content bytes it shares with
other live versions. Per artifact: logical bytes, the distinct content bytes its versions use, and
those only it holds. For the store: logical bytes, distinct content bytes, manifest bytes, all
stored blob bytes and the dedup ratio (logical ÷ distinct content). Manifests are bookkeeping and
are counted apart, so the numbers for files are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import storage
from artifactctl.catalog import versions as q
from artifactctl.core.spec import parse_spec
from artifactctl.errors import NotFoundError
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store


@dataclass(slots=True)
class ArtifactUsage:
    name: str
    versions: int
    logical: int
    stored: int
    unique: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "versions": self.versions,
            "logical_bytes": self.logical,
            "stored_bytes": self.stored,
            "unique_bytes": self.unique,
        }


@dataclass(slots=True)
class DuResult:
    versions: list[storage.VersionUsage] = field(default_factory=list)
    artifacts: list[ArtifactUsage] = field(default_factory=list)
    logical: int = 0
    content: int = 0
    manifests: int = 0
    physical: int = 0

    @property
    def dedup_ratio(self) -> float:
        return round(self.logical / self.content, 4) if self.content else 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "versions": [
                {
                    "version": f"{u.name}:v{u.number}",
                    "name": u.name,
                    "number": u.number,
                    "logical_bytes": u.logical,
                    "unique_bytes": u.unique,
                    "shared_bytes": u.shared,
                    "manifest_bytes": u.manifest,
                }
                for u in self.versions
            ],
            "artifacts": [a.to_json() for a in self.artifacts],
            "store": {
                "logical_bytes": self.logical,
                "content_bytes": self.content,
                "manifest_bytes": self.manifests,
                "stored_bytes": self.physical,
                "dedup_ratio": self.dedup_ratio,
            },
        }


def du(store: Store, target: str | None = None) -> DuResult:
    """The whole store, one artifact (``NAME``) or one version (``NAME:vN``, ``NAME@…``)."""
    cat = store.catalog
    result = DuResult()
    with cat.read():
        if target is None:
            ids = storage.committed_ids(cat)
            names = [r["name"] for r in q.list_artifacts(cat)]
        elif ":" in target or "@" in target:
            ids = [resolve(store, target).id]
            names = [parse_spec(target).name]
        else:
            art = q.get_artifact(cat, parse_spec(target).name)
            if art is None:
                raise NotFoundError(
                    f"no artifact named {target!r}", hint="`artifactctl ls` lists them"
                )
            ids = storage.committed_ids(cat, art.id)
            names = [art.name]
        result.versions = storage.version_usage(cat, ids)
        for name in names:
            art = q.get_artifact(cat, name)
            assert art is not None
            mine = q.versions_of(cat, name)
            logical = sum(v.size for v in mine)
            stored, unique = storage.artifact_content_bytes(cat, art.id)
            result.artifacts.append(ArtifactUsage(name, len(mine), logical, stored, unique))
        result.logical, result.content, result.manifests, result.physical = storage.store_totals(
            cat
        )
    return result
