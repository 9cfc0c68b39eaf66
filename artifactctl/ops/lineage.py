"""Lineage: recording inputs, and walking the bipartite graph of runs and versions.

The walker is generic: for each node kind, :data:`UPSTREAM` and :data:`DOWNSTREAM` hold
functions ``(store, node) -> [(neighbour, edge)]``. Another kind of node (a portfolio link, say)
joins the graph by appending its functions there, e.g.
``DOWNSTREAM["version"].append(links_of_version)`` and ``UPSTREAM["link"] = [source_of_link]``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from artifactctl.catalog import runs as rq
from artifactctl.catalog import versions as q
from artifactctl.catalog.rows import VersionRow
from artifactctl.catalog.runs import RunRow
from artifactctl.core.lineagefmt import GraphEdge, GraphNode, to_dot, to_mermaid
from artifactctl.core.timefmt import iso
from artifactctl.errors import ConflictError, NotFoundError, UsageError
from artifactctl.ops.resolve import resolve
from artifactctl.ops.runs import find_run
from artifactctl.store import Store

Neighbours = Callable[[Store, GraphNode], list[tuple[GraphNode, GraphEdge]]]
DIRECTIONS = ("up", "down", "both")
FORMATS = ("tree", "json", "dot", "mermaid")

# -- recording -----------------------------------------------------------------------------------


@dataclass(slots=True)
class UseResult:
    run_id: str
    version: str
    digest: str
    recorded: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "version": self.version,
            "digest": self.digest,
            "recorded": self.recorded,
        }


def record_input(store: Store, run_ref: str, version: VersionRow) -> UseResult:
    """Record ``version`` as an input of the run, refusing anything that would make a cycle
    (a run using a version it logged, or one made from something it logged)."""
    cat = store.catalog
    with cat.write():
        run = find_run(store, run_ref)
        if rq.is_upstream_of_version(cat, run.id, version.id):
            why = (
                "it logged that version"
                if version.run_id == run.id
                else "that version was made from one of its outputs"
            )
            raise ConflictError(
                f"run {run.id} ({run.name}) cannot use {version.label}: {why}, and lineage"
                " must not have cycles",
                hint="use an earlier version, or start a new run",
            )
        recorded = rq.record_input(cat, run.id, version.id, iso(store.now()))
    return UseResult(run.id, version.label, version.digest, recorded)


def check_output_run(store: Store, run_ref: str) -> str:
    """The id of the run a new version will name as its producer (it must exist)."""
    return find_run(store, run_ref).id


def use(store: Store, spec: str, run_ref: str) -> UseResult:
    """``artifactctl use SPEC --run ID``: record an input without downloading anything."""
    return record_input(store, run_ref, resolve(store, spec))


# -- graph nodes ---------------------------------------------------------------------------------


def run_node(run: RunRow) -> GraphNode:
    return GraphNode(
        f"run:{run.id}",
        "run",
        f"{run.name} ({run.id})",
        {"id": run.id, "name": run.name, "project": run.project, "job_type": run.job_type},
    )


def version_node(v: VersionRow) -> GraphNode:
    return GraphNode(
        f"version:{v.id}",
        "version",
        v.label,
        {"version": v.label, "type": v.type, "digest": v.digest, "state": v.state},
    )


def _version_up(store: Store, node: GraphNode) -> list[tuple[GraphNode, GraphEdge]]:
    rid = rq.producer_run_id(store.catalog, int(node.key.split(":", 1)[1]))
    run = rq.get_run(store.catalog, rid) if rid else None
    if run is None:
        return []
    n = run_node(run)
    return [(n, GraphEdge(n.key, node.key, "output"))]


def _version_down(store: Store, node: GraphNode) -> list[tuple[GraphNode, GraphEdge]]:
    out = []
    for run in rq.consumer_runs(store.catalog, int(node.key.split(":", 1)[1])):
        n = run_node(run)
        out.append((n, GraphEdge(node.key, n.key, "input")))
    return out


def _run_up(store: Store, node: GraphNode) -> list[tuple[GraphNode, GraphEdge]]:
    out = []
    for v in rq.input_versions(store.catalog, node.key.split(":", 1)[1]):
        n = version_node(v)
        out.append((n, GraphEdge(n.key, node.key, "input")))
    return out


def _run_down(store: Store, node: GraphNode) -> list[tuple[GraphNode, GraphEdge]]:
    out = []
    for v in rq.output_versions(store.catalog, node.key.split(":", 1)[1]):
        n = version_node(v)
        out.append((n, GraphEdge(node.key, n.key, "output")))
    return out


UPSTREAM: dict[str, list[Neighbours]] = {"version": [_version_up], "run": [_run_up]}
DOWNSTREAM: dict[str, list[Neighbours]] = {"version": [_version_down], "run": [_run_down]}


def _with_links() -> None:  # portfolio links join the graph (ops/linklineage.py)
    from artifactctl.ops.linklineage import register

    register(UPSTREAM, DOWNSTREAM)


_with_links()


# -- walking -------------------------------------------------------------------------------------


@dataclass(slots=True)
class LineageResult:
    root: GraphNode
    direction: str
    depth: int | None
    nodes: dict[str, GraphNode] = field(default_factory=dict)
    edges: list[GraphEdge] = field(default_factory=list)
    #: parent key → child keys, per direction, in discovery order (for tree rendering)
    up: dict[str, list[str]] = field(default_factory=dict)
    down: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root.key,
            "direction": self.direction,
            "depth": self.depth,
            "nodes": [n.to_json() for n in sorted(self.nodes.values(), key=lambda n: n.key)],
            "edges": [e.to_json() for e in sorted(self.edges, key=lambda e: (e.src, e.dst))],
        }

    def to_dot(self) -> str:
        return to_dot(list(self.nodes.values()), self.edges)

    def to_mermaid(self) -> str:
        return to_mermaid(list(self.nodes.values()), self.edges)


def start_node(store: Store, ref: str) -> GraphNode:
    """A version spec or a run id/name. Text with ``:`` or ``@`` is a spec; otherwise a run
    with that id or name wins, else the artifact's ``latest``."""
    if ":" not in ref and "@" not in ref:
        try:
            return run_node(find_run(store, ref))
        except NotFoundError:
            pass
    return version_node(resolve(store, ref))


def lineage(
    store: Store, ref: str, *, direction: str = "both", depth: int | None = None
) -> LineageResult:
    if direction not in DIRECTIONS:
        raise UsageError(f"invalid direction {direction!r}", hint="use up, down or both")
    if depth is not None and depth < 0:
        raise UsageError("--depth must be 0 or more")
    with store.catalog.read():
        root = start_node(store, ref)
        result = LineageResult(root, direction, depth, {root.key: root})
        edges: dict[tuple[str, str], GraphEdge] = {}
        if direction in ("up", "both"):
            _walk(store, result, UPSTREAM, result.up, edges, depth)
        if direction in ("down", "both"):
            _walk(store, result, DOWNSTREAM, result.down, edges, depth)
        result.edges = list(edges.values())
    return result


def _walk(
    store: Store,
    result: LineageResult,
    table: dict[str, list[Neighbours]],
    children: dict[str, list[str]],
    edges: dict[tuple[str, str], GraphEdge],
    depth: int | None,
) -> None:
    seen = {result.root.key}
    todo: deque[tuple[GraphNode, int]] = deque([(result.root, 0)])
    while todo:
        node, d = todo.popleft()
        if depth is not None and d >= depth:
            continue
        for fn in table.get(node.kind, []):
            for neighbour, edge in fn(store, node):
                edges[(edge.src, edge.dst)] = edge
                result.nodes.setdefault(neighbour.key, neighbour)
                children.setdefault(node.key, []).append(neighbour.key)
                if neighbour.key not in seen:
                    seen.add(neighbour.key)
                    todo.append((neighbour, d + 1))


# -- artifacts and runs, for the Python API ------------------------------------------------------


def producer_of(store: Store, version: VersionRow) -> RunRow | None:
    with store.catalog.read():
        rid = rq.producer_run_id(store.catalog, version.id)
        return rq.get_run(store.catalog, rid) if rid else None


def consumers_of(store: Store, version: VersionRow) -> list[RunRow]:
    with store.catalog.read():
        return rq.consumer_runs(store.catalog, version.id)


def inputs_of(store: Store, run_id: str) -> list[VersionRow]:
    with store.catalog.read():
        rows = rq.input_versions(store.catalog, run_id)
        return [q.version_by_id(store.catalog, r.id) or r for r in rows]


def outputs_of(store: Store, run_id: str) -> list[VersionRow]:
    with store.catalog.read():
        rows = rq.output_versions(store.catalog, run_id)
        return [q.version_by_id(store.catalog, r.id) or r for r in rows]
