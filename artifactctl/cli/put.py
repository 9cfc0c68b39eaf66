"""``artifactctl put``."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.progress import progress_for
from artifactctl.cli.render import out, print_json
from artifactctl.core.digest import short
from artifactctl.core.sizes import format_bytes


def register(app: typer.Typer) -> None:
    @app.command("put")
    def put_cmd(
        paths: Annotated[list[str], typer.Argument(help="Files and directories to version.")],
        name: Annotated[str, typer.Option("--name", "-n", help="Artifact name.")],
        type: Annotated[str, typer.Option("--type", "-t", help="Artifact type, e.g. dataset.")],
        description: Annotated[str | None, typer.Option(help="Description.")] = None,
        metadata: Annotated[str | None, typer.Option(help="JSON object, or @file.json.")] = None,
        alias: Annotated[
            list[str] | None, typer.Option("--alias", "-a", help="Alias to set.")
        ] = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="Tag to add.")] = None,
        exclude: Annotated[
            list[str] | None, typer.Option("--exclude", help="Glob of paths to leave out.")
        ] = None,
        prefix: Annotated[
            str | None, typer.Option(help="Entry-path prefix for all inputs.")
        ] = None,
        follow_symlinks: Annotated[
            bool, typer.Option("--follow-symlinks", help="Store what outside symlinks point to.")
        ] = False,
        durable: Annotated[
            bool, typer.Option("--durable", help="fsync blobs before the catalog commit.")
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
        quiet: common.QuietOpt = False,
    ) -> None:
        """Version files and directories as NAME:vN (unchanged content makes no new version).

        Example: artifactctl put data/ --name mnist --type dataset --alias best
        """
        from artifactctl.core.metadata import parse_metadata_text
        from artifactctl.ops.put import put

        meta = None
        text = common.read_json_option(metadata, "--metadata")
        if text is not None:
            meta = parse_metadata_text(text)
        with common.open_store(store, durable=durable) as s:
            result = put(
                s,
                paths,
                name=name,
                type=type,
                description=description,
                metadata=meta,
                aliases=alias or [],
                tags=tag or [],
                excludes=exclude or [],
                prefix=prefix,
                follow_symlinks=follow_symlinks,
                run_id=common.run_id_from_env(),
                progress=progress_for(quiet or json),
            )
        if json:
            print_json(result.to_json())
        elif quiet:
            out(result.version)
        elif not result.created:
            out(f"unchanged: {result.version}")
        else:
            out(
                f"created {result.version}  {short(result.digest)}  {result.file_count} files, "
                f"{format_bytes(result.size)}, {format_bytes(result.new_bytes)} newly stored"
                f"  [{', '.join(result.aliases)}]"
            )
