"""Options shared by every command, and opening the store they name."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from artifactctl.errors import UsageError

StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help="The store directory (what `init` creates as .artifactctl/). "
        "Default: $ARTIFACTCTL_DIR, a .artifactctl/ here or above, else the user's store.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the essential.")]

_global_store: Path | None = None


def set_global_store(path: Path | None) -> None:
    global _global_store
    _global_store = path


def open_store(store: Path | None, *, durable: bool = False) -> Any:
    from artifactctl.store import Store

    return Store.open(store or _global_store, durable=durable)


def read_json_option(value: str | None, option: str) -> Any:
    """``--metadata '{"a": 1}'`` or ``--metadata @file.json``."""
    if value is None:
        return None
    if value.startswith("@"):
        try:
            text = Path(value[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {option} file {value[1:]}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{option} file {value[1:]} is not UTF-8") from None
        return text
    return value


def run_id_from_env(explicit: str | None = None) -> str | None:
    """``--run ID`` when given, else ``$ARTIFACTCTL_RUN_ID`` (the run that records lineage)."""
    return explicit or os.environ.get("ARTIFACTCTL_RUN_ID") or None


RunOpt = Annotated[
    str | None,
    typer.Option(
        "--run",
        help="Record lineage in this run (id or name). Default: $ARTIFACTCTL_RUN_ID.",
        show_default=False,
    ),
]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
