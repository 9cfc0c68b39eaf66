"""Read commands: ``ls``, ``show``, ``files``, ``diff``."""

from __future__ import annotations

from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table
from artifactctl.core.digest import short
from artifactctl.core.sizes import format_bytes


def register(app: typer.Typer) -> None:
    @app.command("ls")
    def ls_cmd(
        name: Annotated[str | None, typer.Argument(help="List this artifact's versions.")] = None,
        type_: Annotated[
            str | None, typer.Option("--type", help="Only artifacts of this type.")
        ] = None,
        tag: Annotated[
            str | None, typer.Option("--tag", help="Only versions with this tag.")
        ] = None,
        alias: Annotated[
            str | None, typer.Option("--alias", help="Only versions with this alias.")
        ] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """List artifacts, or the versions of NAME; --tag/--alias list matching versions.

        Example: artifactctl ls mnist --json; artifactctl ls --tag baseline
        """
        from artifactctl.ops import listing

        with common.open_store(store) as s:
            if name is None and (tag is not None or alias is not None):
                versions = listing.find_versions(s, type=type_, tag=tag, alias=alias)
            elif name is None:
                rows = listing.list_artifacts(s, type=type_)
                if json:
                    print_json(rows)
                    return
                t = table("name", "type", "versions", "latest", "size")
                for r in rows:
                    t.add_row(
                        r["name"],
                        r["type"],
                        str(r["versions"]),
                        r["latest"] or "-",
                        format_bytes(r["size"]),
                    )
                show_table(t)
                return
            else:
                versions = listing.list_versions(s, name, type=type_, tag=tag, alias=alias)
        if json:
            print_json([listing.version_json(v) for v in versions])
            return
        t = table("version", "aliases", "tags", "files", "size", "digest", "created", "expires")
        for v in versions:
            t.add_row(
                v.label,
                ", ".join(v.aliases),
                ", ".join(v.tags),
                str(v.file_count),
                format_bytes(v.size),
                short(v.digest),
                v.created_at[:19].replace("T", " "),
                (v.expires_at or "-")[:19].replace("T", " "),
            )
        show_table(t)

    @app.command("show")
    def show_cmd(
        spec: Annotated[str, typer.Argument(help="Version to describe.")],
        links: Annotated[
            bool, typer.Option("--links", help="List the portfolios it is linked into.")
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Every field of a version and a summary of its manifest.

        Example: artifactctl show mnist:latest
        """
        from artifactctl.ops.listing import show

        with common.open_store(store) as s:
            result = show(s, spec, links=links)
        doc = result.to_json()
        if json:
            print_json(doc)
            return
        if doc["linked_as"]:
            la = doc["linked_as"]
            out(f"{'linked as':12} {la['version']} [{', '.join(la['aliases'])}] -> {doc['source']}")
        for key in (
            "version",
            "type",
            "digest",
            "state",
            "aliases",
            "tags",
            "description",
            "created_at",
            "expires_at",
            "run_id",
        ):
            value = doc[key]
            if isinstance(value, list):
                value = ", ".join(value)
            out(f"{key:12} {value if value not in (None, '') else '-'}")
        out(f"{'files':12} {doc['file_count']} ({format_bytes(doc['size'])})")
        if doc["metadata"]:
            out(f"{'metadata':12} {common.dumps(doc['metadata'])}")
        for item in doc["manifest"]["largest"]:
            out(f"{'':12} {format_bytes(item['size']):>10}  {item['path']}")
        if links:
            out(f"{'links':12} {len(doc['links'])} portfolio membership(s)")
            for m in doc["links"]:
                out(f"{'':12} {m['version']} [{', '.join(m['aliases'])}]  linked {m['linked_at']}")

    @app.command("files")
    def files_cmd(
        spec: Annotated[str, typer.Argument(help="Version whose entries to list.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """List a version's entries: path, size, digest.

        Example: artifactctl files mnist:v1 --json
        """
        from artifactctl.ops.listing import files

        with common.open_store(store) as s:
            _version, entries = files(s, spec)
        if json:
            print_json([e.to_json() for e in entries])
            return
        for e in entries:
            out(f"{e.size:>12}  {short(e.digest)}  {e.path}")

    @app.command("diff")
    def diff_cmd(
        spec_a: Annotated[str, typer.Argument(help="The older version.")],
        spec_b: Annotated[str, typer.Argument(help="The newer version.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Added, removed and modified paths between two versions, with sizes.

        Example: artifactctl diff mnist:v0 mnist:v1
        """
        from artifactctl.ops.listing import diff

        with common.open_store(store) as s:
            result = diff(s, spec_a, spec_b)
        if json:
            print_json(result.to_json())
            return
        for e in result.added:
            out(f"+ {e.path}  ({format_bytes(e.size)})")
        for e in result.removed:
            out(f"- {e.path}  ({format_bytes(e.size)})")
        for a, b in result.modified:
            out(f"M {a.path}  ({format_bytes(a.size)} -> {format_bytes(b.size)})")
        out(
            f"{result.a} -> {result.b}: {len(result.added)} added, {len(result.removed)} removed,"
            f" {len(result.modified)} modified, {result.unchanged} unchanged"
        )
