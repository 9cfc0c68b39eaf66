"""The typer application: global options and the registration of every command module."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from artifactctl import __version__
from artifactctl.cli import common


def click_exceptions() -> Any:
    """The exceptions module of the click that typer runs on (typer >= 0.26 bundles its own)."""
    try:
        from typer._click import exceptions
    except ImportError:  # pragma: no cover - older typer on plain click
        from click import exceptions  # type: ignore[no-redef]
    return exceptions


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="artifactctl",
        help="Fast, local-first, content-addressed artifact versioning.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        store: common.StoreOpt = None,
        version: Annotated[
            bool, typer.Option("--version", "-V", help="Print the version and exit.")
        ] = False,
    ) -> None:
        if version:
            typer.echo(f"artifactctl {__version__}")
            raise typer.Exit(0)
        common.set_global_store(Path(store) if store else None)

    from artifactctl.cli import get, inspect, link, portfolio, put, store_cmds, verify

    for module in (store_cmds, put, get, verify, inspect, link, portfolio):
        module.register(app)
    from artifactctl.cli import alias, config, du, edit, lifecycle, tags

    for module in (alias, tags, edit, lifecycle, config, du):  # versions in depth (issue 3)
        module.register(app)
    from artifactctl.cli import lineage, run

    for module in (run, lineage):  # runs, lineage and metrics (issue 5)
        module.register(app)
    return app
