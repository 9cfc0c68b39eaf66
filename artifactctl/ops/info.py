"""``init`` and ``store``: create a store, and describe one."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from artifactctl.catalog import blobrefs, stats
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
        }


def init(directory: str | os.PathLike[str], *, algorithm: str) -> StoreInfo:
    with Store.init(directory, algorithm=algorithm) as store:
        return info(store)


def info(store: Store) -> StoreInfo:
    with store.catalog.read():
        artifacts, versions, logical = stats.counts(store.catalog)
        nblobs, physical = blobrefs.totals(store.catalog)
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
    )
