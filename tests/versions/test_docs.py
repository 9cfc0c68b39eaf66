"""docs/versions.md documents every command of this feature, with an example and --json fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Runner

DOC = Path(__file__).resolve().parents[2] / "docs" / "versions.md"
COMMANDS = [
    "alias set",
    "alias rm",
    "alias ls",
    "alias history",
    "tag add",
    "tag rm",
    "edit",
    "ttl set",
    "ttl show",
    "config set",
    "config get",
    "config unset",
    "config ls",
    "delete",
    "gc",
    "keep",
    "du",
    "put --from",
    "cache cleanup",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_section_and_an_example(command: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert f"`{command}" in text, f"no section for {command}"
    assert f"artifactctl {command}" in text, f"no example for {command}"


@pytest.mark.parametrize("group", ["alias", "tag", "ttl", "config", "cache"])
def test_every_subcommand_in_help_is_documented(cli: Runner, group: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    help_text = cli(group, "--help").stdout
    section = help_text.split("Commands:")[1]
    for line in section.splitlines():
        word = line.strip().split(" ")[0]
        if word:
            assert f"{group} {word}" in text, f"{group} {word} is not in docs/versions.md"
