"""``artifactctl tag add|rm``."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Tags: non-unique labels on versions, for search (`ls --tag`).",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="tag")

    def _render(result: object, json: bool) -> None:
        from artifactctl.ops.edit import EditResult

        assert isinstance(result, EditResult)
        if json:
            print_json(result.to_json())
        elif not result.changed:
            out(f"unchanged: {result.version.label} [{', '.join(result.version.tags)}]")
        else:
            out(f"{result.version.label} tags: {', '.join(result.version.tags) or '-'}")

    @group.command("add")
    def add_cmd(
        spec: Annotated[str, typer.Argument(help="Version to tag.")],
        tags: Annotated[list[str], typer.Argument(help="Tags to add.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Add tags to a version.

        Example: artifactctl tag add mnist:v3 baseline reviewed
        """
        from artifactctl.ops.edit import tag

        with common.open_store(store) as s:
            _render(tag(s, spec, add=tags), json)

    @group.command("rm")
    def rm_cmd(
        spec: Annotated[str, typer.Argument(help="Version to untag.")],
        tags: Annotated[list[str], typer.Argument(help="Tags to remove.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Remove tags from a version.

        Example: artifactctl tag rm mnist:v3 reviewed
        """
        from artifactctl.ops.edit import tag

        with common.open_store(store) as s:
            _render(tag(s, spec, remove=tags), json)
