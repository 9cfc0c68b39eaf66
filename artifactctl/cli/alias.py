"""``artifactctl alias set|rm|ls|history``."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Aliases: mutable, named pointers to versions (latest moves by itself).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="alias")

    @group.command("set")
    def set_cmd(
        spec: Annotated[str, typer.Argument(help="The version the alias should name.")],
        alias: Annotated[str, typer.Argument(help="Alias name, e.g. prod.")],
        expect: Annotated[
            str | None,
            typer.Option(
                "--expect",
                help="Compare-and-swap: only move it if it points at vN now (or `none`: unset).",
            ),
        ] = None,
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Point ALIAS at SPEC, moving it from wherever it was (exit 5 if --expect fails).

        Example: artifactctl alias set mnist:v3 prod --expect v2
        """
        from artifactctl.ops.alias import set_alias

        with common.open_store(store) as s:
            result = set_alias(s, spec, alias, expect=expect, run_id=common.run_id_from_env(run))
        if json:
            print_json(result.to_json())
        elif not result.changed:
            out(f"unchanged: {result.name}:{alias} already points at {result.version}")
        else:
            was = f" (was {result.previous})" if result.previous else ""
            out(f"{result.name}:{alias} -> {result.version}{was}")

    @group.command("rm")
    def rm_cmd(
        name: Annotated[str, typer.Argument(help="Artifact name.")],
        alias: Annotated[str, typer.Argument(help="Alias to remove.")],
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Remove an alias (the version stays; `latest` cannot be removed).

        Example: artifactctl alias rm mnist candidate
        """
        from artifactctl.ops.alias import remove_alias

        with common.open_store(store) as s:
            result = remove_alias(s, name, alias, run_id=common.run_id_from_env(run))
        if json:
            print_json(result.to_json())
        else:
            out(f"removed {name}:{alias} (it pointed at {result.previous})")

    @group.command("ls")
    def ls_cmd(
        name: Annotated[str | None, typer.Argument(help="Only this artifact.")] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """List aliases and the versions they point at.

        Example: artifactctl alias ls mnist --json
        """
        from artifactctl.ops.alias import list_aliases

        with common.open_store(store) as s:
            rows = list_aliases(s, name)
        if json:
            print_json([r.to_json() for r in rows])
            return
        t = table("alias", "version", "updated")
        for r in rows:
            t.add_row(f"{r.name}:{r.alias}", f"{r.name}:v{r.number}", r.updated_at[:19])
        show_table(t)

    @group.command("history")
    def history_cmd(
        name: Annotated[str, typer.Argument(help="Artifact name.")],
        alias: Annotated[str, typer.Argument(help="Alias.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Every move of an alias, oldest first: time, action, target, previous, run.

        Example: artifactctl alias history mnist prod
        """
        from artifactctl.ops.alias import alias_history

        with common.open_store(store) as s:
            events = alias_history(s, name, alias)
        if json:
            print_json([e.to_json() for e in events])
            return
        t = table("at", "action", "version", "previous", "run")
        for e in events:
            t.add_row(e.at[:19], e.action, e.version or "-", e.previous or "-", e.run_id or "-")
        show_table(t)
