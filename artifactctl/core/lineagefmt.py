"""Lineage graphs as values, and their text renderings (Graphviz dot, Mermaid).

Nodes have a ``key`` unique in the graph (``run:ID``, ``version:ID``; other kinds such as
portfolio links add their own prefix), a ``kind`` and a ``label``. Edges point the way data
flows: ``version → run`` (the run used it) and ``run → version`` (the run logged it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class GraphNode:
    key: str
    kind: str
    label: str
    attrs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "label": self.label, **self.attrs}


@dataclass(frozen=True, slots=True)
class GraphEdge:
    src: str
    dst: str
    relation: str  # "input", "output", or a kind another module adds (e.g. "link")

    def to_json(self) -> dict[str, Any]:
        return {"from": self.src, "to": self.dst, "relation": self.relation}


def _ident(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", key)


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def to_dot(nodes: list[GraphNode], edges: list[GraphEdge]) -> str:
    lines = ["digraph lineage {", "  rankdir=LR;"]
    for n in sorted(nodes, key=lambda n: n.key):
        shape = "ellipse" if n.kind == "run" else "box"
        lines.append(f'  {_ident(n.key)} [label="{_quote(n.label)}", shape={shape}];')
    for e in sorted(edges, key=lambda e: (e.src, e.dst)):
        lines.append(f'  {_ident(e.src)} -> {_ident(e.dst)} [label="{e.relation}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(nodes: list[GraphNode], edges: list[GraphEdge]) -> str:
    """``graph LR`` with runs as rounded nodes and versions (and other kinds) as boxes; lines
    sorted so the text is stable for a given graph."""
    lines = ["graph LR"]
    for n in sorted(nodes, key=lambda n: n.key):
        label = _quote(n.label)
        if n.kind == "run":
            lines.append(f'  {_ident(n.key)}(["{label}"])')
        else:
            lines.append(f'  {_ident(n.key)}["{label}"]')
    for e in sorted(edges, key=lambda e: (e.src, e.dst)):
        lines.append(f"  {_ident(e.src)} --> {_ident(e.dst)}")
    return "\n".join(lines) + "\n"
