"""Typed rows returned by the catalog's queries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from artifactctl.catalog.links import LinkRow


@dataclass(slots=True)
class ArtifactRow:
    id: int
    name: str
    type: str
    kind: str
    description: str | None
    created_at: str
    last_version: int


@dataclass(slots=True)
class VersionRow:
    id: int
    artifact_id: int
    name: str
    type: str
    number: int
    state: str
    digest: str
    size: int
    file_count: int
    description: str | None
    metadata: dict[str, Any]
    created_at: str
    updated_at: str | None
    ttl_seconds: int | None
    expires_at: str | None
    run_id: str | None
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    link: LinkRow | None = None  # set when resolved through a portfolio (catalog/links.py)

    @property
    def label(self) -> str:
        return f"{self.name}:v{self.number}"


VERSION_COLUMNS = (
    "v.id, v.artifact_id, a.name, a.type, v.number, v.state, v.digest, v.size, v.file_count,"
    " v.description, v.metadata, v.created_at, v.updated_at, v.ttl_seconds, v.expires_at, v.run_id"
)


def version_from_row(row: tuple[Any, ...]) -> VersionRow:
    values = list(row)
    values[10] = json.loads(values[10]) if values[10] else {}
    return VersionRow(*values)
