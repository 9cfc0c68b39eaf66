"""``artifactctl get`` and ``artifactctl checkout``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.progress import progress_for
from artifactctl.cli.render import out, print_json

LinkOpt = Annotated[
    str,
    typer.Option(
        "--link",
        help="auto (reflink where possible, else copy), copy, reflink, hardlink or symlink. "
        "hardlink/symlink files ARE the read-only stored blobs: do not edit them in place.",
    ),
]


def register(app: typer.Typer) -> None:
    @app.command("get")
    def get_cmd(
        spec: Annotated[str, typer.Argument(help="NAME, NAME:vN, NAME:ALIAS or NAME@DIGEST.")],
        root: Annotated[
            Path | None,
            typer.Option(
                help="Target directory (default: $ARTIFACTCTL_ARTIFACT_DIR or "
                "./artifacts, then NAME:vN)."
            ),
        ] = None,
        path_prefix: Annotated[
            str | None, typer.Option("--path-prefix", help="Only entries under this path.")
        ] = None,
        link: LinkOpt = "auto",
        force: Annotated[bool, typer.Option("--force", help="Overwrite differing files.")] = False,
        verify: Annotated[
            bool | None,
            typer.Option(
                "--verify/--no-verify",
                help="Re-hash blob bytes while placing them. Default: on for copies (free, the "
                "bytes pass through), off for reflink/hardlink/symlink (nothing is read).",
                show_default=False,
            ),
        ] = None,
        file: Annotated[
            str | None, typer.Option("--file", help="Write just this entry (see -o).")
        ] = None,
        output: Annotated[
            str | None, typer.Option("--output", "-o", help="With --file: a path, or - for stdout.")
        ] = None,
        allow_missing_references: Annotated[
            bool,
            typer.Option(
                "--allow-missing-references",
                help="Skip referenced objects that changed or vanished (listed; exit 3).",
            ),
        ] = False,
        ref_workers: Annotated[
            int | None,
            typer.Option(
                "--ref-workers",
                min=1,
                max=64,
                help="Concurrent reference downloads (default: refs.workers, 8).",
            ),
        ] = None,
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
        quiet: common.QuietOpt = False,
    ) -> None:
        """Materialize a version into a directory and print the directory.

        Example: cd "$(artifactctl get mnist:prod -q)"
        """
        from artifactctl.ops.get import get, read_entry

        with common.open_store(store) as s:
            if file is not None:
                dest = output or Path(file).name
                if dest == "-":
                    for chunk in read_entry(s, spec, file):
                        sys.stdout.buffer.write(chunk)
                    sys.stdout.buffer.flush()
                    return
                with open(dest, "xb" if not force else "wb") as fh:
                    for chunk in read_entry(s, spec, file):
                        fh.write(chunk)
                out(dest)
                return
            result = get(
                s,
                spec,
                root=root,
                path_prefix=path_prefix,
                link=link,
                force=force,
                verify=verify,
                progress=progress_for(quiet or json),
                run_id=common.run_id_from_env(run),
                allow_missing_references=allow_missing_references,
                ref_workers=ref_workers,
            )
        if json:
            print_json(result.to_json())
        else:
            out(result.root)
        if result.skipped_references:
            from artifactctl.cli.render import warn
            from artifactctl.errors import PartialError

            for skipped in result.skipped_references:
                warn(f"skipped {skipped['path']}: {skipped['reason']}")
            raise typer.Exit(PartialError.exit_code)

    @app.command("checkout")
    def checkout_cmd(
        spec: Annotated[str, typer.Argument(help="Version to check out.")],
        directory: Annotated[Path, typer.Argument(help="Directory to make exactly the version.")],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="List what would change; change nothing.")
        ] = False,
        force: Annotated[
            bool, typer.Option("--force", help="Allow a non-empty directory not made by checkout.")
        ] = False,
        link: LinkOpt = "auto",
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
        quiet: common.QuietOpt = False,
    ) -> None:
        """Make DIRECTORY exactly the version: add, replace and remove files.

        Example: artifactctl checkout mnist:v2 data/ --dry-run
        """
        from artifactctl.ops.checkout import checkout

        with common.open_store(store) as s:
            result = checkout(
                s,
                spec,
                directory,
                dry_run=dry_run,
                force=force,
                link=link,
                progress=progress_for(quiet or json),
            )
        if json:
            print_json(result.to_json())
            return
        if quiet:
            out(result.root)
            return
        verb = "would " if dry_run else ""
        for label, paths in (
            ("add", result.added),
            ("change", result.changed),
            ("remove", result.removed),
        ):
            for p in paths:
                out(f"{verb}{label:7} {p}")
        out(
            f"{result.version} -> {result.root}: {len(result.added)} added, "
            f"{len(result.changed)} changed, {len(result.removed)} removed, "
            f"{result.unchanged} unchanged" + (" (dry run)" if dry_run else "")
        )
