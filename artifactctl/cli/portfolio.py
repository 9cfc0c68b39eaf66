"""``artifactctl portfolio ls|show``: registries of promoted versions."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Portfolios: curated collections of linked versions (a registry).",
        no_args_is_help=True,
    )
    app.add_typer(group, name="portfolio")

    @group.command("ls")
    def ls_cmd(
        registry: Annotated[
            str | None, typer.Argument(help="Only this registry's portfolios.")
        ] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """List portfolios: name, type, members, latest.

        Example: artifactctl portfolio ls model-registry --json
        """
        from artifactctl.ops.portfolio import list_portfolios

        with common.open_store(store) as s:
            rows = list_portfolios(s, registry)
        if json:
            print_json(rows)
            return
        t = table("portfolio", "type", "members", "latest", "created")
        for r in rows:
            t.add_row(
                r["name"],
                r["type"],
                str(r["members"]),
                r["latest"] or "-",
                r["created_at"][:19].replace("T", " "),
            )
        show_table(t)

    @group.command("show")
    def show_cmd(
        portfolio: Annotated[str, typer.Argument(help="NAME or REGISTRY/NAME.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """A portfolio's members with their sources, aliases and link times.

        Example: artifactctl portfolio show model-registry/mnist
        """
        from artifactctl.ops.portfolio import show_portfolio

        with common.open_store(store) as s:
            result = show_portfolio(s, portfolio)
        doc = result.to_json()
        if json:
            print_json(doc)
            return
        out(f"{doc['name']} ({doc['type']}), {len(doc['members'])} member(s)")
        t = table("member", "source", "aliases", "linked", "run")
        for m in doc["members"]:
            t.add_row(
                f"v{m['number']}",
                m["source"],
                ", ".join(m["aliases"]),
                m["linked_at"][:19].replace("T", " "),
                m["run_id"] or "-",
            )
        show_table(t)
        if doc["unlinked"]:
            out(f"unlinked: {', '.join(m['version'] for m in doc['unlinked'])}")
