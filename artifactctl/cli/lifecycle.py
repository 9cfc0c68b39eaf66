"""``artifactctl ttl set|show``, ``delete``, ``gc``, ``keep`` and ``cache cleanup``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, warn
from artifactctl.core.sizes import format_bytes


def register(app: typer.Typer) -> None:
    _ttl(app)
    _delete(app)
    _gc(app)
    _keep(app)
    _cache(app)


def _ttl(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Time to live of versions; `gc` deletes expired ones.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="ttl")

    @group.command("set")
    def set_cmd(
        spec: Annotated[str, typer.Argument(help="Version.")],
        duration: Annotated[str, typer.Argument(help="30d, 12h, 90m, 2w, or none.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Set a version's TTL, counted from its creation (`none`: never expires).

        Example: artifactctl ttl set mnist:v3 30d
        """
        from artifactctl.ops.ttl import set_ttl

        with common.open_store(store) as s:
            result = set_ttl(s, spec, duration)
        if json:
            print_json(result.to_json())
            return
        v = result.version
        out(f"{v.label} expires {v.expires_at or 'never'}")

    @group.command("show")
    def show_cmd(
        spec: Annotated[str, typer.Argument(help="Version.")],
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """A version's TTL, expiry time, and what protects it from gc.

        Example: artifactctl ttl show mnist:v3 --json
        """
        from artifactctl.ops.ttl import show_ttl

        with common.open_store(store) as s:
            info = show_ttl(s, spec)
        doc = info.to_json()
        if json:
            print_json(doc)
            return
        out(f"version     {doc['version']}")
        out(f"ttl         {doc['ttl'] or 'none'}")
        out(f"expires_at  {doc['expires_at'] or 'never'}{' (expired)' if doc['expired'] else ''}")
        if doc["protected"]:
            out(f"protected   {'; '.join(doc['protected'])}")


def _delete(app: typer.Typer) -> None:
    @app.command("delete")
    def delete_cmd(
        spec: Annotated[str, typer.Argument(help="Version to delete.")],
        delete_aliases: Annotated[
            bool, typer.Option("--delete-aliases", help="Also remove its aliases.")
        ] = False,
        yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = (
            False
        ),
        force: Annotated[
            bool, typer.Option("--force", help="Unlink it from every portfolio and delete it.")
        ] = False,
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Delete a version (its blobs are freed by the next gc; numbers are never reused).
        Deleting a portfolio member (REGISTRY/NAME:vK) only unlinks it.

        Example: artifactctl delete mnist:v1 --yes
        """
        from artifactctl.errors import UsageError
        from artifactctl.ops.delete import delete

        if not yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    f"refusing to delete {spec} without confirmation",
                    hint="pass --yes (-y) in scripts",
                )
            typer.confirm(f"delete {spec}?", abort=True)
        with common.open_store(store) as s:
            result = delete(
                s,
                spec,
                delete_aliases=delete_aliases,
                force=force,
                run_id=common.run_id_from_env(run),
            )
        if json:
            print_json(result.to_json())
            return
        if result.source:  # SPEC named a link: it was unlinked, the source is untouched
            out(
                f"unlinked {result.version} (a link; its source {result.source} is kept); "
                f"latest is now {result.latest or '(none)'}"
            )
            return
        if result.unlinked:
            out(f"unlinked {result.version} from {', '.join(result.unlinked)}")
        extra = f", removed aliases {', '.join(result.removed_aliases)}"
        out(
            f"deleted {result.version}{extra if result.removed_aliases else ''}; latest is now "
            f"{result.latest or '(none)'}; `artifactctl gc` frees "
            f"{format_bytes(result.reclaimable_bytes)}"
        )


def _gc(app: typer.Typer) -> None:
    @app.command("gc")
    def gc_cmd(
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Report what would go; change nothing.")
        ] = False,
        grace: Annotated[
            str,
            typer.Option("--grace", help="Leave temp files and pending writes younger than this."),
        ] = "1h",
        include_protected: Annotated[
            bool,
            typer.Option(
                "--include-protected", help="Delete expired versions even if aliased or linked."
            ),
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Delete expired versions, then blobs nothing needs, then stale temp files.

        Example: artifactctl gc --dry-run
        """
        from artifactctl.core.durations import parse_duration
        from artifactctl.ops.gc import gc

        grace_seconds = parse_duration(grace, allow_zero=True)
        with common.open_store(store) as s:
            result = gc(
                s,
                dry_run=dry_run,
                grace_seconds=grace_seconds,
                include_protected=include_protected,
            )
        if json:
            print_json(result.to_json())
            return
        verb = "would remove" if dry_run else "removed"
        for d in result.deleted_versions:
            out(f"{verb} {d['version']} (expired {d['expires_at']})")
        for k in result.kept_versions:
            out(f"kept {k['version']} (expired {k['expires_at']}): {'; '.join(k['reasons'])}")
        for label in result.pending_removed:
            out(f"{verb} {label} (an interrupted write, still pending)")
        out(
            f"{verb} {result.blobs_removed} blob(s), {result.orphans_removed} orphan file(s),"
            f" {result.temp_removed} temp file(s): {format_bytes(result.bytes_freed)}"
            f" {'would be ' if dry_run else ''}freed"
        )
        packs = result.packs
        if packs.packs_removed or packs.packs_rewritten or packs.packs_skipped:
            out(
                f"{verb} {packs.packs_removed} unused pack(s), rewrote {packs.packs_rewritten}"
                f" mostly-empty pack(s)"
                + (
                    f"; left {packs.packs_skipped} pack(s) holding a corrupt blob (run fsck)"
                    if packs.packs_skipped
                    else ""
                )
            )


def _keep(app: typer.Typer) -> None:
    @app.command("keep")
    def keep_cmd(
        name: Annotated[str, typer.Argument(help="Artifact name.")],
        last: Annotated[int, typer.Option("--last", help="How many unprotected versions stay.")],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Report what would go; change nothing.")
        ] = False,
        run: common.RunOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Delete all but the newest N versions that no alias or portfolio link protects.

        Example: artifactctl keep checkpoints --last 3 --dry-run
        """
        from artifactctl.ops.keep import keep

        with common.open_store(store) as s:
            result = keep(s, name, last=last, dry_run=dry_run, run_id=common.run_id_from_env(run))
        if json:
            print_json(result.to_json())
            return
        verb = "would delete" if dry_run else "deleted"
        for label in result.deleted:
            out(f"{verb} {label}")
        for k in result.kept:
            out(f"kept {k['version']}: {'; '.join(k['reasons'])}")
        if result.deleted and not dry_run:
            out("run `artifactctl gc` to free their bytes")


def _cache(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Re-fetchable bytes (downloaded references) kept in the store.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    app.add_typer(group, name="cache")

    @group.command("cleanup")
    def cleanup_cmd(
        size: Annotated[str, typer.Argument(help="Target store size: 10GB, 500MiB, 2G, 1024.")],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Report what would go; change nothing.")
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Evict least recently used downloaded reference bytes until the store fits SIZE.

        Example: artifactctl cache cleanup 10GB
        """
        from artifactctl.core.sizes import parse_size
        from artifactctl.ops.cache import cleanup

        target = parse_size(size)
        with common.open_store(store) as s:
            result = cleanup(s, target, dry_run=dry_run)
        if json:
            print_json(result.to_json())
        else:
            verb = "would evict" if dry_run else "evicted"
            out(
                f"{verb} {result.evicted_files} file(s), {format_bytes(result.evicted_bytes)};"
                f" store {format_bytes(result.store_bytes_after)}"
            )
        if not result.reached:
            warn(
                f"the store is still over {format_bytes(target)}: its"
                f" {format_bytes(result.blob_bytes)} of blobs are the only copies of committed"
                " versions (delete versions and run `artifactctl gc` to free them)"
            )
