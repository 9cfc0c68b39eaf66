"""``artifactctl du``: storage accounting per version, artifact and store."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table
from artifactctl.core.sizes import format_bytes


def register(app: typer.Typer) -> None:
    @app.command("du")
    def du_cmd(
        target: Annotated[
            str | None, typer.Argument(help="An artifact NAME or a version SPEC (default: all).")
        ] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Logical size, bytes held alone and bytes shared, per version; totals and dedup ratio.

        Example: artifactctl du mnist --json
        """
        from artifactctl.ops.du import du

        with common.open_store(store) as s:
            result = du(s, target)
        doc = result.to_json()
        if json:
            print_json(doc)
            return
        t = table("version", "logical", "alone", "shared")
        for v in doc["versions"]:
            t.add_row(
                v["version"],
                format_bytes(v["logical_bytes"]),
                format_bytes(v["unique_bytes"]),
                format_bytes(v["shared_bytes"]),
            )
        show_table(t)
        for a in doc["artifacts"]:
            out(
                f"{a['name']}: {a['versions']} version(s), {format_bytes(a['logical_bytes'])}"
                f" logical, {format_bytes(a['stored_bytes'])} stored,"
                f" {format_bytes(a['unique_bytes'])} only in it"
            )
        st = doc["store"]
        out(
            f"store: {format_bytes(st['logical_bytes'])} logical,"
            f" {format_bytes(st['content_bytes'])} content stored"
            f" (+{format_bytes(st['manifest_bytes'])} manifests),"
            f" dedup ratio {st['dedup_ratio']:.2f}"
        )
