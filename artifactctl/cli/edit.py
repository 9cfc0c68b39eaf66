"""``artifactctl edit``: description and metadata of a committed version."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json


def register(app: typer.Typer) -> None:
    @app.command("edit")
    def edit_cmd(
        spec: Annotated[str, typer.Argument(help="Version to edit.")],
        description: Annotated[
            str | None, typer.Option("--description", help="New description ('' clears it).")
        ] = None,
        metadata: Annotated[
            str | None,
            typer.Option("--metadata", help="Replace the metadata: a JSON object, or @file.json."),
        ] = None,
        metadata_set: Annotated[
            list[str] | None,
            typer.Option("--metadata-set", help="key=value (value parsed as JSON if it can be)."),
        ] = None,
        metadata_unset: Annotated[
            list[str] | None, typer.Option("--metadata-unset", help="Remove this key.")
        ] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Change a version's description or metadata (its content never changes).

        Example: artifactctl edit mnist:v3 --description "cleaned" --metadata-set rows=60000
        """
        from artifactctl.ops.edit import KEEP, edit

        text = common.read_json_option(metadata, "--metadata")
        with common.open_store(store) as s:
            result = edit(
                s,
                spec,
                description=KEEP if description is None else (description or None),
                metadata_text=text,
                metadata_set=metadata_set or [],
                metadata_unset=metadata_unset or [],
            )
        if json:
            print_json(result.to_json())
        elif not result.changed:
            out(f"unchanged: {result.version.label}")
        else:
            out(f"edited {result.version.label}: {', '.join(result.changed)}")
