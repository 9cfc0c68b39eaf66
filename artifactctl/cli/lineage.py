"""``artifactctl lineage`` and ``artifactctl use``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import console, out, print_json

if TYPE_CHECKING:
    from rich.tree import Tree

    from artifactctl.ops.lineage import LineageResult


def register(app: typer.Typer) -> None:
    @app.command("lineage")
    def lineage_cmd(
        ref: Annotated[str, typer.Argument(help="A version (NAME, NAME:vN, ...) or a run id.")],
        up: Annotated[bool, typer.Option("--up", help="Only what it came from.")] = False,
        down: Annotated[bool, typer.Option("--down", help="Only what came from it.")] = False,
        both: Annotated[bool, typer.Option("--both", help="Both ways (default).")] = False,
        depth: Annotated[
            int | None, typer.Option("--depth", help="At most this many edges away.")
        ] = None,
        format: Annotated[
            str, typer.Option("--format", help="tree, json, dot or mermaid.")
        ] = "tree",
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Walk the graph of runs and versions: who made it, from what, and who used it.

        Example: artifactctl lineage model:prod --up --format mermaid
        """
        from artifactctl.errors import UsageError
        from artifactctl.ops.lineage import FORMATS, lineage

        if sum((up, down, both)) > 1:
            raise UsageError("give one of --up, --down, --both")
        direction = "up" if up else "down" if down else "both"
        fmt = "json" if json else format
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r}", hint=f"use {', '.join(FORMATS)}")
        with common.open_store(store) as s:
            result = lineage(s, ref, direction=direction, depth=depth)
        if fmt == "json":
            print_json(result.to_json())
        elif fmt == "dot":
            sys.stdout.write(result.to_dot())
        elif fmt == "mermaid":
            sys.stdout.write(result.to_mermaid())
        else:
            console().print(_tree(result))

    @app.command("use")
    def use_cmd(
        spec: Annotated[str, typer.Argument(help="NAME, NAME:vN, NAME:ALIAS or NAME@DIGEST.")],
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Record a version as a run's input, without downloading it.

        Example: artifactctl use mnist:prod --run 1a2b3c4d
        """
        from artifactctl.ops.lineage import use
        from artifactctl.ops.runs import require_run_id

        with common.open_store(store) as s:
            result = use(s, spec, require_run_id(run))
        if json:
            print_json(result.to_json())
        else:
            verb = "recorded" if result.recorded else "already recorded"
            out(f"{verb}: run {result.run_id} used {result.version}")


def _tree(result: LineageResult) -> Tree:
    from rich.markup import escape
    from rich.tree import Tree

    def label(key: str) -> str:
        n = result.nodes[key]
        text = escape(n.label)
        return f"[bold cyan]run[/] {text}" if n.kind == "run" else f"[green]{n.kind}[/] {text}"

    root = Tree(label(result.root.key))
    for title, children, arrow in (
        ("upstream (made from)", result.up, "←"),
        ("downstream (used by)", result.down, "→"),
    ):
        if result.direction not in ("both", "up" if arrow == "←" else "down"):
            continue
        branch = root.add(f"[dim]{title}[/]") if result.direction == "both" else root
        if not children.get(result.root.key):
            branch.add("[dim](nothing)[/]")
            continue
        _grow(branch, result.root.key, children, set(), arrow, label)
    return root


def _grow(
    parent: Tree,
    key: str,
    children: dict[str, list[str]],
    shown: set[str],
    arrow: str,
    label: Callable[[str], str],
) -> None:
    for child in children.get(key, []):
        if child in shown:
            parent.add(f"{arrow} {label(child)} [dim](see above)[/]")
            continue
        shown.add(child)
        _grow(parent.add(f"{arrow} {label(child)}"), child, children, shown, arrow, label)
