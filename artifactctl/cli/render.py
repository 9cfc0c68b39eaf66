"""Printing: JSON for machines, rich for people, errors to stderr. The only terminal output."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from artifactctl.errors import ArtifactctlError

_console: Console | None = None
_err_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        from rich.console import Console

        _console = Console(
            highlight=False, no_color=bool(os.environ.get("NO_COLOR")) or None, soft_wrap=True
        )
    return _console


def err_console() -> Console:
    global _err_console
    if _err_console is None:
        from rich.console import Console

        _err_console = Console(
            stderr=True, highlight=False, no_color=bool(os.environ.get("NO_COLOR")) or None
        )
    return _err_console


def print_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def print_error(exc: ArtifactctlError) -> None:
    sys.stderr.write(f"error: {exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"  hint: {exc.hint}\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


def table(*columns: str, title: str | None = None) -> Table:
    from rich import box
    from rich.table import Table

    t = Table(*columns, title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    return t


def show_table(t: Table) -> None:
    console().print(t)
