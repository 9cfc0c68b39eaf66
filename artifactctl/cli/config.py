"""``artifactctl config get|set|unset|ls``: the store's settings."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Store settings in config.toml (e.g. default-ttl).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="config")

    @group.command("get")
    def get_cmd(
        key: Annotated[str, typer.Argument(help="Setting name.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Print one setting (exit 4 when it is not set).

        Example: artifactctl config get default-ttl
        """
        from artifactctl.ops import config

        with common.open_store(store) as s:
            item = config.get(s, key)
        print_json(item.to_json()) if json else out(str(item.value))

    @group.command("set")
    def set_cmd(
        key: Annotated[str, typer.Argument(help="Setting name.")],
        value: Annotated[str, typer.Argument(help="New value.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Set a setting (validated before it is written).

        Example: artifactctl config set default-ttl 30d
        """
        from artifactctl.ops import config

        with common.open_store(store) as s:
            item = config.set_(s, key, value)
        print_json(item.to_json()) if json else out(f"{item.key} = {item.value}")

    @group.command("unset")
    def unset_cmd(
        key: Annotated[str, typer.Argument(help="Setting name.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Remove a setting (back to the built-in default).

        Example: artifactctl config unset default-ttl
        """
        from artifactctl.ops import config

        with common.open_store(store) as s:
            item = config.unset(s, key)
        print_json(item.to_json()) if json else out(f"{item.key} unset")

    @group.command("ls")
    def ls_cmd(store: common.StoreOpt = None, json: common.JsonOpt = False) -> None:
        """Every known setting with its value.

        Example: artifactctl config ls --json
        """
        from artifactctl.ops import config

        with common.open_store(store) as s:
            items = config.ls(s)
        if json:
            print_json([i.to_json() for i in items])
            return
        t = table("key", "value", "meaning")
        for i in items:
            t.add_row(i.key, "-" if i.value is None else str(i.value), i.description)
        show_table(t)
