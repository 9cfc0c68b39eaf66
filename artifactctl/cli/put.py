"""``artifactctl put``."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.progress import progress_for
from artifactctl.cli.render import out, print_json, warn
from artifactctl.core.digest import short
from artifactctl.core.sizes import format_bytes


def register(app: typer.Typer) -> None:
    @app.command("put")
    def put_cmd(
        paths: Annotated[
            list[str] | None, typer.Argument(help="Files and directories to version.")
        ] = None,
        name: Annotated[str | None, typer.Option("--name", "-n", help="Artifact name.")] = None,
        type: Annotated[
            str | None, typer.Option("--type", "-t", help="Artifact type, e.g. dataset.")
        ] = None,
        ttl: Annotated[
            str | None,
            typer.Option(
                "--ttl", help="Time to live: 30d, 12h, 90m, 2w, or none (default: the store's)."
            ),
        ] = None,
        from_: Annotated[
            str | None,
            typer.Option(
                "--from", help="Start from this version's files (PATHs add or replace entries)."
            ),
        ] = None,
        remove: Annotated[
            list[str] | None,
            typer.Option("--remove", help="With --from: drop this entry or directory prefix."),
        ] = None,
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
        link: Annotated[
            str,
            typer.Option(
                "--link",
                help="copy, or hardlink/reflink: files too large for a pack become blobs without"
                " a copy (hardlink makes them read-only).",
            ),
        ] = "copy",
        durable: Annotated[
            bool, typer.Option("--durable", help="fsync blobs before the catalog commit.")
        ] = False,
        ref_name: Annotated[
            list[str] | None,
            typer.Option("--ref-name", help="NAME=URI: a reference placed at entry path NAME."),
        ] = None,
        no_checksum: Annotated[
            bool,
            typer.Option(
                "--no-checksum",
                help="Record reference URIs without reading them (unpinned: get fetches the "
                "latest bytes).",
            ),
        ] = False,
        max_objects: Annotated[
            int | None,
            typer.Option(
                "--max-objects",
                help="Most objects one reference prefix may expand to "
                "(default 10,000,000; more is an error, never a silent cut).",
            ),
        ] = None,
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
        quiet: common.QuietOpt = False,
    ) -> None:
        """Version files and directories as NAME:vN (unchanged content makes no new version).

        Example: artifactctl put data/ --name mnist --type dataset --alias best --ttl 30d
        Example: artifactctl put --from mnist:v3 extra/new.csv --remove old.csv
        Example: artifactctl put s3://bkt/images/ labels.csv --name ds --type dataset
        Example: artifactctl put checkpoints/ --name ckpt --type model --link hardlink
        """
        from artifactctl.core.metadata import parse_metadata_text
        from artifactctl.errors import UsageError
        from artifactctl.ops.incremental import put_from
        from artifactctl.ops.put import put
        from artifactctl.ops.ttl import requested_ttl

        meta = None
        text = common.read_json_option(metadata, "--metadata")
        if text is not None:
            meta = parse_metadata_text(text)
        ttl_seconds = requested_ttl(ttl)
        if from_ is None and not paths and ref_name:
            paths = []  # references given only as --ref-name NAME=URI
        if from_ is None and (name is None or type is None or (not paths and not ref_name)):
            raise UsageError(
                "put needs PATH arguments, --name and --type",
                hint="or --from SPEC to start from an existing version",
            )
        if from_ is None and remove:
            raise UsageError("--remove needs --from SPEC")
        with common.open_store(store, durable=durable) as s:
            if from_ is not None:
                result = put_from(
                    s,
                    from_,
                    paths or [],
                    removes=remove or [],
                    name=name,
                    type=type,
                    description=description,
                    metadata=meta,
                    aliases=alias or [],
                    tags=tag or [],
                    excludes=exclude or [],
                    prefix=prefix,
                    follow_symlinks=follow_symlinks,
                    run_id=common.run_id_from_env(run),
                    progress=progress_for(quiet or json),
                    ttl=ttl_seconds,
                )
            else:
                assert name is not None and type is not None and paths is not None
                if no_checksum:
                    warn(
                        "--no-checksum: references are recorded unpinned; get will fetch "
                        "whatever bytes their URIs hold then"
                    )
                result = put(
                    s,
                    paths,
                    name=name,
                    type=type,
                    ttl=ttl_seconds,
                    ref_names=ref_name or [],
                    checksum=not no_checksum,
                    max_objects=max_objects,
                    description=description,
                    metadata=meta,
                    aliases=alias or [],
                    tags=tag or [],
                    excludes=exclude or [],
                    prefix=prefix,
                    follow_symlinks=follow_symlinks,
                    run_id=common.run_id_from_env(run),
                    progress=progress_for(quiet or json),
                    link=link,
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
