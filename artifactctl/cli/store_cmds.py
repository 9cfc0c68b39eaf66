"""``artifactctl init`` and ``artifactctl store``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json
from artifactctl.core.sizes import format_bytes


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init_cmd(
        directory: Annotated[Path, typer.Argument(help="Where to create .artifactctl/")] = Path(
            "."
        ),
        hash: Annotated[
            str, typer.Option("--hash", help="xxh3-128 (default, fast), blake3 or sha256")
        ] = "xxh3-128",
        json: common.JsonOpt = False,
    ) -> None:
        """Create a store: DIRECTORY/.artifactctl/.

        Example: artifactctl init . --hash blake3
        """
        from artifactctl.ops.info import init

        info = init(directory, algorithm=hash)
        if json:
            print_json(info.to_json())
        else:
            out(f"initialized store {info.path} ({info.hash})")

    @app.command("store")
    def store_cmd(store: common.StoreOpt = None, json: common.JsonOpt = False) -> None:
        """Describe the store: path, format, hash, counts and bytes.

        Example: artifactctl store --json
        """
        from artifactctl.ops.info import info

        with common.open_store(store) as s:
            result = info(s)
        if json:
            print_json(result.to_json())
            return
        out(f"store          {result.path}")
        out(f"format         {result.format} (catalog schema {result.schema_version})")
        out(f"hash           {result.hash}")
        out(f"artifacts      {result.artifacts}")
        out(f"versions       {result.versions}")
        out(f"blobs          {result.blobs}")
        out(f"logical size   {format_bytes(result.logical_bytes)}")
        out(f"stored size    {format_bytes(result.physical_bytes)}")
        out(
            f"packs          {result.pack_files} file(s), {format_bytes(result.pack_bytes)},"
            f" {result.packed_blobs} blob(s), {format_bytes(result.pack_dead_bytes)} dead"
            " (gc reclaims)"
        )
