"""``init`` and ``store``: create a store, and describe one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from artifactctl.blobs.packs import file_size, list_packs, member_bytes
from artifactctl.catalog import blobrefs, packs, stats
from artifactctl.catalog.schema import schema_version
from artifactctl.store import Store


@dataclass(slots=True)
class StoreInfo:
    path: str
    format: int
    schema_version: int
    hash: str
    artifacts: int
    versions: int
    blobs: int
    logical_bytes: int
    physical_bytes: int
    packed_blobs: int = 0
    pack_files: int = 0
    pack_bytes: int = 0  # the pack files' size on disk
    pack_dead_bytes: int = 0  # of which no blob row refers to: gc rewrites mostly-dead packs

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "schema_version": self.schema_version,
            "hash": self.hash,
            "artifacts": self.artifacts,
            "versions": self.versions,
            "blobs": self.blobs,
            "logical_bytes": self.logical_bytes,
            "physical_bytes": self.physical_bytes,
            "packed_blobs": self.packed_blobs,
            "pack_files": self.pack_files,
            "pack_bytes": self.pack_bytes,
            "pack_dead_bytes": self.pack_dead_bytes,
        }


def init(directory: str | os.PathLike[str], *, algorithm: str) -> StoreInfo:
    with Store.init(directory, algorithm=algorithm) as store:
        return info(store)


def info(store: Store) -> StoreInfo:
    with store.catalog.read():
        artifacts, versions, logical = stats.counts(store.catalog)
        nblobs, physical = blobrefs.totals(store.catalog)
        usage = packs.usage(store.catalog)
    files = list_packs(store.blobs.packs)
    sizes = {p: file_size(path) for p, path in files}
    members = {p: member_bytes(path) for p, path in files}
    return StoreInfo(
        path=str(store.path),
        format=store.config.format,
        schema_version=schema_version(),
        hash=store.algorithm,
        artifacts=artifacts,
        versions=versions,
        blobs=nblobs,
        logical_bytes=logical,
        physical_bytes=physical,
        packed_blobs=sum(n for n, _ in usage.values()),
        pack_files=len(files),
        pack_bytes=sum(sizes.values()),
        pack_dead_bytes=sum(max(0, members[p] - usage.get(p, (0, 0))[1]) for p in members),
    )
