"""``artifactctl link`` and ``artifactctl unlink``."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json


def register(app: typer.Typer) -> None:
    @app.command("link")
    def link_cmd(
        spec: Annotated[str, typer.Argument(help="The committed version to link (its source).")],
        portfolio: Annotated[
            str, typer.Argument(help="NAME or REGISTRY/NAME, created on first link.")
        ],
        alias: Annotated[
            list[str] | None,
            typer.Option("--alias", "-a", help="Alias to set inside the portfolio (repeatable)."),
        ] = None,
        type_mismatch_ok: Annotated[
            bool,
            typer.Option("--type-mismatch-ok", help="Link even if the portfolio has another type."),
        ] = False,
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
        quiet: common.QuietOpt = False,
    ) -> None:
        """Link a version into a portfolio as PORTFOLIO:vK (no bytes are copied).

        Example: artifactctl link mnist-train:v7 model-registry/mnist --alias staging
        """
        from artifactctl.ops.link import link

        with common.open_store(store) as s:
            result = link(
                s,
                spec,
                portfolio,
                aliases=alias or [],
                type_mismatch_ok=type_mismatch_ok,
                run_id=common.run_id_from_env(run),
            )
        if json:
            print_json(result.to_json())
            return
        m = result.link
        if quiet:
            out(m.label)
            return
        verb = "linked" if result.created else "already linked"
        out(f"{verb} {m.source_label} as {m.label}  [{', '.join(m.aliases)}]")

    @app.command("unlink")
    def unlink_cmd(
        spec: Annotated[str, typer.Argument(help="PORTFOLIO:vK or PORTFOLIO:ALIAS.")],
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Remove a link from its portfolio; the source version and its bytes stay.

        Example: artifactctl unlink model-registry/mnist:v0
        """
        from artifactctl.ops.link import unlink

        with common.open_store(store) as s:
            result = unlink(s, spec, run_id=common.run_id_from_env(run))
        if json:
            print_json(result.to_json())
            return
        for m in result.unlinked:
            latest = result.latest_moved_to.get(m.portfolio)
            out(
                f"unlinked {m.label} (source {m.source_label} kept); "
                f"{m.portfolio}:latest is now {latest or 'unset (no members left)'}"
            )
