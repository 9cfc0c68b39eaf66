"""Docs that fail CI when they drift: every command is documented, and the exit-code table is
the code's."""

from __future__ import annotations

import re
from pathlib import Path

from artifactctl.cli.app import build_app
from artifactctl.errors import EXIT_CODES

ROOT = Path(__file__).parent.parent
DOCS = "\n".join(p.read_text() for p in sorted((ROOT / "docs").glob("*.md")))
README = (ROOT / "README.md").read_text()


def command_paths() -> list[str]:
    import typer.main

    group = typer.main.get_command(build_app())
    paths: list[str] = []

    def walk(cmd, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for name, sub in getattr(cmd, "commands", {}).items():
            if getattr(sub, "hidden", False):
                continue
            full = f"{prefix} {name}".strip()
            if getattr(sub, "commands", None):
                walk(sub, full)
            else:
                paths.append(full)

    walk(group, "")
    return paths


def test_every_command_is_documented() -> None:
    paths = command_paths()
    assert len(paths) >= 11
    missing = [p for p in paths if f"artifactctl {p}" not in DOCS]
    assert not missing, f"commands without docs in docs/*.md: {missing}"


def test_every_command_has_an_example_in_its_help() -> None:
    import typer.main

    group = typer.main.get_command(build_app())
    lacking = []
    for name, cmd in group.commands.items():  # type: ignore[attr-defined]
        subs = getattr(cmd, "commands", None) or {name: cmd}
        for sub_name, sub in subs.items():
            if "Example" not in (sub.help or ""):
                lacking.append(f"{name} {sub_name}" if subs is not None else name)
    assert not lacking, f"commands whose --help has no 'Example:' line: {lacking}"


def test_exit_code_table_matches_the_code() -> None:
    text = (ROOT / "docs" / "exit-codes.md").read_text()
    rows = dict(re.findall(r"^\| (\d+) \| (.+?) \|$", text, re.M))
    assert {int(k): v for k, v in rows.items()} == EXIT_CODES


def test_readme_names_the_two_commands_and_links_docs() -> None:
    assert "make demo" in README and "make test" in README
    for link in re.findall(r"\]\((docs/[^)#]+)", README):
        assert (ROOT / link).exists(), link
