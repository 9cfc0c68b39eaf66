import importlib

import typer
import typer.main

from artifactctl.cli.app import COMMANDS, build_app, modules_for


def test_command_table_matches_the_modules() -> None:
    registered: dict[str, str] = {}
    for module in dict.fromkeys(COMMANDS.values()):
        app = typer.Typer()

        @app.callback()
        def _cb() -> None:
            pass

        importlib.import_module(f"artifactctl.cli.{module}").register(app)
        for name in typer.main.get_command(app).commands:  # type: ignore[attr-defined]
            registered[name] = module
    assert registered == COMMANDS


def test_only_the_invoked_module_is_loaded() -> None:
    assert modules_for(["--store", "x", "put", "data"]) == ["put"]
    assert modules_for(["alias", "set"]) == ["alias"]
    assert len(modules_for(["--help"])) == len(set(COMMANDS.values()))
    assert len(modules_for(["nonsense"])) == len(set(COMMANDS.values()))
    group = typer.main.get_command(build_app(["ls"]))
    assert set(group.commands) == {"ls", "show", "files", "diff"}  # type: ignore[attr-defined]
