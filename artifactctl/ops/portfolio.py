"""``portfolio ls`` and ``portfolio show``; the memberships of a source version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import links as lq
from artifactctl.catalog.links import LinkRow
from artifactctl.core.names import check_portfolio
from artifactctl.errors import NotFoundError
from artifactctl.store import Store


def list_portfolios(store: Store, registry: str | None = None) -> list[dict[str, Any]]:
    """Every portfolio (or those of ``registry``), with member count and ``latest``."""
    if registry is not None:
        check_portfolio(registry)
    with store.catalog.read():
        return lq.list_portfolios(store.catalog, registry)


@dataclass(slots=True)
class PortfolioShow:
    name: str
    type: str
    created_at: str
    members: list[LinkRow]
    unlinked: list[LinkRow] = field(default_factory=list)

    @property
    def registry(self) -> str | None:
        return self.name.rpartition("/")[0] or None

    def to_json(self) -> dict[str, Any]:
        latest = next((m.label for m in self.members if "latest" in m.aliases), None)
        return {
            "name": self.name,
            "registry": self.registry,
            "type": self.type,
            "created_at": self.created_at,
            "latest": latest,
            "members": [m.to_json() for m in self.members],
            "unlinked": [m.to_json() for m in self.unlinked],
        }


def show_portfolio(store: Store, name: str) -> PortfolioShow:
    check_portfolio(name)
    cat = store.catalog
    with cat.read():
        port = lq.get_portfolio(cat, name)
        if port is None:
            raise NotFoundError(
                f"no portfolio named {name!r}",
                hint="`artifactctl portfolio ls` lists the portfolios; `link` creates one",
            )
        everyone = lq.members(cat, port.id, include_unlinked=True)
    return PortfolioShow(
        name=port.name,
        type=port.type,
        created_at=port.created_at,
        members=[m for m in everyone if m.active],
        unlinked=[m for m in everyone if not m.active],
    )


def linked_into(store: Store, version_id: int) -> list[LinkRow]:
    """The portfolios a source version is linked into (W&B ``linked_artifacts``)."""
    with store.catalog.read():
        return lq.links_of_source(store.catalog, version_id)
