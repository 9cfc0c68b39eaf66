"""``artifactctl verify`` and ``artifactctl fsck``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json
from artifactctl.errors import IntegrityError


def register(app: typer.Typer) -> None:
    @app.command("verify")
    def verify_cmd(
        spec: Annotated[str, typer.Argument(help="Version to check against.")],
        directory: Annotated[
            Path | None, typer.Argument(help="Directory to re-hash (default: the store's copy).")
        ] = None,
        references: Annotated[
            bool,
            typer.Option(
                "--references",
                help="Also check referenced objects against their pins (metadata, no download).",
            ),
        ] = False,
        deep: Annotated[
            bool,
            typer.Option("--deep", help="With --references: download and re-hash each object."),
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
        quiet: common.QuietOpt = False,
    ) -> None:
        """Re-hash a directory (or the store's blobs) against a version's manifest; exit 6 on any
        mismatch.

        Example: artifactctl verify mnist:v3 ./artifacts/mnist:v3
        Example: artifactctl verify mnist:v3 --references --deep
        """
        from artifactctl.ops.verify import verify

        with common.open_store(store) as s:
            result = verify(s, spec, directory, references=references, deep=deep)
        if json:
            print_json(result.to_json())
        elif not quiet:
            for m in result.missing:
                out(f"missing   {m.path}")
            for m in result.modified:
                out(f"modified  {m.path}  expected {m.expected}, found {m.actual}")
            for p in result.extra:
                out(f"extra     {p}  (not in the version)")
            refs = result.references
            if refs is not None:
                for r in refs.changed:
                    out(f"changed   {r.path}  {r.uri}: expected {r.detail}")
                for r in refs.vanished:
                    out(f"vanished  {r.path}  {r.uri}")
                out(
                    f"references: {refs.checked} checked{' (deep)' if refs.deep else ''}, "
                    f"{len(refs.changed)} changed, {len(refs.vanished)} vanished, "
                    f"{refs.unpinned} unpinned (not checkable)"
                )
            state = "OK" if result.ok else "FAILED"
            out(
                f"{state}: {result.version} in {result.target}: {result.checked} checked, "
                f"{len(result.missing)} missing, {len(result.modified)} modified, "
                f"{len(result.extra)} extra"
            )
        if not result.ok:
            raise typer.Exit(IntegrityError.exit_code)

    @app.command("fsck")
    def fsck_cmd(
        grace: Annotated[
            str,
            typer.Option(
                "--grace",
                help="Report orphan blobs and temp files older than this as debris (0s: all).",
            ),
        ] = "1h",
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Check the whole store: blob bytes, missing blobs, manifests, aliases, debris; exit 6 on
        problems.

        Example: artifactctl fsck --json
        """
        from artifactctl.core.durations import parse_duration
        from artifactctl.ops.fsck import fsck

        grace_seconds = parse_duration(grace, allow_zero=True)
        with common.open_store(store) as s:
            result = fsck(s, grace_seconds=grace_seconds)
        if json:
            print_json(result.to_json())
        else:
            for p in result.problems:
                out(f"{p.kind:15} {p.subject}: {p.detail}\n{'':15} fix: {p.fix}")
            out(
                ("OK" if result.ok else f"{len(result.problems)} problem(s)")
                + f": {result.blobs_checked} blobs and {result.versions_checked} versions checked"
            )
        if not result.ok:
            raise typer.Exit(IntegrityError.exit_code)
