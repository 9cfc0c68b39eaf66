"""The typer application: global options and the registration of every command module."""

from __future__ import annotations

import importlib
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


#: Top-level command → the module that registers it. Only the invoked command's module is
#: imported and converted to click (the others cost ~0.2 s of start-up on every call);
#: `tests/cli/test_app.py` checks this table against what the modules really register.
COMMANDS: dict[str, str] = {
    "init": "store_cmds", "store": "store_cmds",
    "put": "put",
    "get": "get", "checkout": "get",
    "verify": "verify", "fsck": "verify",
    "ls": "inspect", "show": "inspect", "files": "inspect", "diff": "inspect",
    "link": "link", "unlink": "link", "portfolio": "portfolio",
    "alias": "alias", "tag": "tags", "edit": "edit",
    "delete": "lifecycle", "gc": "lifecycle", "keep": "lifecycle", "ttl": "lifecycle",
    "cache": "lifecycle",
    "config": "config", "du": "du",
    "run": "run", "runs": "run",
    "lineage": "lineage", "use": "lineage",
}  # fmt: skip

_GLOBAL_OPTIONS_WITH_VALUE = ("--store",)


def modules_for(args: list[str] | None) -> list[str]:
    """The command modules needed to run ``args``: one for a known command, all otherwise
    (top-level help, an unknown command: click then lists or suggests every command)."""
    everything = list(dict.fromkeys(COMMANDS.values()))
    if not args:
        return everything
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _GLOBAL_OPTIONS_WITH_VALUE:
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        module = COMMANDS.get(arg)
        return [module] if module else everything
    return everything


def build_app(args: list[str] | None = None) -> typer.Typer:
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

    for module in modules_for(args):
        importlib.import_module(f"artifactctl.cli.{module}").register(app)
    return app
