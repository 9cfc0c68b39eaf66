"""Portfolio links in the lineage graph (``artifactctl lineage``).

A promoted version is visibly a registry member: ``version → link`` edges ("link") lead from a
source version to each portfolio member it is, and ``run → link`` edges ("linked") from the run
that linked it, when that run is recorded. :func:`register` adds these to the walker's tables in
:mod:`artifactctl.ops.lineage`.
"""

from __future__ import annotations

from collections.abc import Callable

from artifactctl.catalog import links as lq
from artifactctl.catalog import runs as rq
from artifactctl.catalog import versions as q
from artifactctl.catalog.links import LinkRow
from artifactctl.core.lineagefmt import GraphEdge, GraphNode
from artifactctl.store import Store

Pair = tuple[GraphNode, GraphEdge]


def link_node(link: LinkRow) -> GraphNode:
    return GraphNode(
        f"link:{link.id}",
        "link",
        f"{link.label} [{', '.join(link.aliases)}]" if link.aliases else link.label,
        {
            "version": link.label,
            "portfolio": link.portfolio,
            "source": link.source_label,
            "aliases": list(link.aliases),
            "linked_at": link.linked_at,
            "run_id": link.run_id,
            "unlinked_at": link.unlinked_at,
        },
    )


def _id(node: GraphNode) -> str:
    return node.key.split(":", 1)[1]


def _link(store: Store, node: GraphNode) -> LinkRow | None:
    return lq.link_by_id(store.catalog, int(_id(node)))


def version_links(store: Store, node: GraphNode) -> list[Pair]:
    """Downstream of a version: the portfolio members it is."""
    out = []
    for link in lq.links_of_source(store.catalog, int(_id(node))):
        n = link_node(link)
        out.append((n, GraphEdge(node.key, n.key, "link")))
    return out


def link_source(store: Store, node: GraphNode) -> list[Pair]:
    """Upstream of a link: its source version, and the run that linked it."""
    from artifactctl.ops.lineage import run_node, version_node

    link = _link(store, node)
    if link is None:
        return []
    out: list[Pair] = []
    source = q.version_by_id(store.catalog, link.source_version_id)
    if source is not None:
        v = version_node(source)
        out.append((v, GraphEdge(v.key, node.key, "link")))
    run = rq.get_run(store.catalog, link.run_id) if link.run_id else None
    if run is not None:
        r = run_node(run)
        out.append((r, GraphEdge(r.key, node.key, "linked")))
    return out


def run_links(store: Store, node: GraphNode) -> list[Pair]:
    """Downstream of a run: the links it made (still active)."""
    out = []
    for link in lq.links_by_run(store.catalog, _id(node)):
        if link.active:
            n = link_node(link)
            out.append((n, GraphEdge(node.key, n.key, "linked")))
    return out


Neighbours = Callable[[Store, GraphNode], list[Pair]]


def register(
    upstream: dict[str, list[Neighbours]], downstream: dict[str, list[Neighbours]]
) -> None:
    """Add link nodes to the lineage walker's tables (idempotent)."""
    entries: list[tuple[dict[str, list[Neighbours]], str, Neighbours]] = [
        (downstream, "version", version_links),
        (downstream, "run", run_links),
        (upstream, "link", link_source),
    ]
    for table, kind, fn in entries:
        fns = table.setdefault(kind, [])
        if fn not in fns:
            fns.append(fn)
