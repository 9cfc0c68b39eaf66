"""Printing: JSON for machines, rich for people, errors to stderr. The only terminal output."""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

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


PRETTY_MAX = 64 * 1024  # JSON output up to this size is indented; larger is compact


def print_json(doc: Any) -> None:
    """JSON on stdout. Small documents are indented for people; large ones (``ls`` of 10,000
    versions, ``files`` of a million entries) are written compact, on one line, by the C
    encoder (``indent`` forces the pure-Python encoder: several times slower)."""
    sys.stdout.write(dumps_json(doc) + "\n")
    sys.stdout.flush()


def dumps_json(doc: Any) -> str:
    compact = json.dumps(doc, ensure_ascii=False)
    if len(compact) <= PRETTY_MAX:
        return json.dumps(doc, indent=2, ensure_ascii=False)
    return compact


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def print_error(exc: ArtifactctlError) -> None:
    sys.stderr.write(f"error: {exc.message}\n")
    if exc.hint:
        sys.stderr.write(f"  hint: {exc.hint}\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


class Table:
    """Aligned columns under a header and a rule. Plain text, linear in the number of rows
    (rich's tables take ~1.5 ms a row: 15 s for `ls` of 10,000 versions), and never wrapped,
    so output piped to grep or awk keeps one row per line."""

    def __init__(self, *columns: str, title: str | None = None) -> None:
        self.columns = list(columns)
        self.title = title
        self.rows: list[list[str]] = []

    def add_row(self, *cells: object) -> None:
        self.rows.append(["" if c is None else str(c) for c in cells])

    def render(self) -> str:
        n = len(self.columns)
        rows = [(row + [""] * n)[:n] for row in self.rows]
        widths = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(self.columns)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines = [self.title] if self.title else []
        lines.append(fmt.format(*self.columns))
        lines.append("  ".join("─" * w for w in widths))
        lines.extend(fmt.format(*row) for row in rows)
        return "\n".join(line.rstrip() for line in lines) + "\n"


def table(*columns: str, title: str | None = None) -> Table:
    return Table(*columns, title=title)


def show_table(t: Table) -> None:
    sys.stdout.write(t.render())
