"""``get``: materialize a version into a directory; ``read_entry``: stream one entry."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artifactctl.blobs.materialize import (
    ADDED,
    REPLACED,
    UNCHANGED,
    Materializer,
    Placed,
    check_link_mode,
)
from artifactctl.blobs.packs import PackLoc
from artifactctl.blobs.store import CHUNK, SMALL, corrupt
from artifactctl.blobs.target import Target
from artifactctl.catalog import packs
from artifactctl.catalog.rows import VersionRow
from artifactctl.core.digest import format_digest, new_hasher
from artifactctl.core.manifest import Entry
from artifactctl.core.paths import normalize_entry_path, under_prefix
from artifactctl.errors import NotFoundError
from artifactctl.ops.progress import NO_PROGRESS, Progress
from artifactctl.ops.resolve import resolve
from artifactctl.ops.workers import by_size
from artifactctl.store import Store


@dataclass(slots=True)
class GetResult:
    root: str
    version: str
    digest: str
    files: int = 0
    added: int = 0
    unchanged: int = 0
    replaced: int = 0
    bytes: int = 0
    link: str = "auto"
    paths: list[str] = field(default_factory=list)
    references: int = 0  # referenced entries placed (downloaded, from the cache or unpinned)
    references_downloaded: int = 0
    references_cached: int = 0
    references_unpinned: int = 0
    skipped_references: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "version": self.version,
            "digest": self.digest,
            "files": self.files,
            "added": self.added,
            "unchanged": self.unchanged,
            "replaced": self.replaced,
            "bytes": self.bytes,
            "link": self.link,
            "references": self.references,
            "references_downloaded": self.references_downloaded,
            "references_cached": self.references_cached,
            "references_unpinned": self.references_unpinned,
            "skipped_references": self.skipped_references,
        }


def default_root(version: VersionRow) -> Path:
    base = os.environ.get("ARTIFACTCTL_ARTIFACT_DIR") or "artifacts"
    return Path(base) / version.label


def select_entries(entries: list[Entry], path_prefix: str | None) -> list[Entry]:
    # Every entry path was checked when the manifest was read (core/manifest.parse refuses a
    # path that is not in normal form), and Target places files through O_NOFOLLOW directory
    # descriptors, so a crafted manifest cannot write outside the root.
    if not path_prefix:
        return entries
    return [e for e in entries if under_prefix(e.path, path_prefix)]


def get(
    store: Store,
    spec: str,
    *,
    root: str | os.PathLike[str] | None = None,
    path_prefix: str | None = None,
    link: str = "auto",
    force: bool = False,
    verify: bool | None = None,
    progress: Progress = NO_PROGRESS,
    run_id: str | None = None,
    allow_missing_references: bool = False,
    ref_workers: int | None = None,
) -> GetResult:
    check_link_mode(link)
    version = resolve(store, spec)
    if run_id:  # lineage: the run used this version (checked for cycles before any file)
        from artifactctl.ops.lineage import record_input

        record_input(store, run_id, version)
    # The manifest is read a batch at a time (a million entries would be ~300 MB as objects).
    # References are listed first: they are all downloaded before anything is placed.
    refs: list[Entry] = []
    if store.manifest_mentions(version.digest, b'"ref":'):
        refs = [e for b in _selected(store, version, path_prefix) for e in b if e.ref is not None]
    batches = _selected(store, version, path_prefix, blobs_only=True)
    if path_prefix:  # nothing is created for a prefix that selects nothing
        first = next((b for b in batches if b), None)
        if first is None and not refs:
            raise NotFoundError(f"{version.label} has no entries under {path_prefix!r}")
        batches = itertools.chain([first or []], batches)
    target_root = Path(root) if root is not None else default_root(version)
    result = GetResult(str(target_root.absolute()), version.label, version.digest, link=link)
    materialize(
        store,
        batches,
        target_root,
        refs=refs,
        link=link,
        force=force,
        verify=verify,
        result=result,
        progress=progress,
        total=None if path_prefix or refs else version.size,
        allow_missing_references=allow_missing_references,
        ref_workers=ref_workers,
    )
    return result


def _selected(
    store: Store, version: VersionRow, path_prefix: str | None, *, blobs_only: bool = False
) -> Iterator[list[Entry]]:
    for batch in store.iter_manifest(version.digest):
        chosen = select_entries(batch, path_prefix)
        yield [e for e in chosen if e.ref is None] if blobs_only else chosen


def materialize(
    store: Store,
    batches: Iterable[list[Entry]],
    root: Path,
    *,
    refs: list[Entry],
    link: str,
    force: bool,
    verify: bool | None,
    result: GetResult,
    progress: Progress = NO_PROGRESS,
    total: int | None = None,
    allow_missing_references: bool = False,
    ref_workers: int | None = None,
) -> None:
    """Place ``refs`` (references, downloaded first: a failure leaves the root untouched), then
    the blob entries of ``batches``, one batch at a time. ``total``: bytes, for progress."""
    from artifactctl.ops.refs_get import fetch_references, place_file

    fetched = fetch_references(
        store, refs, allow_missing=allow_missing_references, workers=ref_workers
    )
    result.skipped_references = [s.to_json() for s in fetched.skipped]
    result.references_downloaded = fetched.downloaded
    result.references_cached = fetched.cached
    result.references_unpinned = fetched.unpinned
    try:
        with Target(root) as target:
            for f in fetched.ready:
                outcome = place_file(target, f.path, f.source, force=force)
                result.references += 1
                result.files += 1
                result.bytes += f.size
                if outcome == ADDED:
                    result.added += 1
                elif outcome == UNCHANGED:
                    result.unchanged += 1
                else:
                    result.replaced += 1
    finally:
        fetched.cleanup()
    with Target(root) as target:
        mat = Materializer(store.blobs, target, mode=link, force=force, verify=verify)

        def place(e: Entry) -> Placed:
            return mat.place(e.path, e.digest, e.size)

        progress.start("materializing", total)
        try:
            for batch in batches:
                if batch:
                    mat.packed = _prepare(store, batch, link)
                    _place_batch(place, batch, result, progress)
        finally:
            progress.finish()


def _prepare(store: Store, batch: list[Entry], link: str) -> dict[str, PackLoc]:
    """Where the batch's packed blobs are; for link modes, loose files for them first."""
    packed = store.blobs.locate(e.digest for e in batch)
    if link in ("hardlink", "symlink") and packed:
        _unpack_for_links(store, packed)
        packed = {}
    if link == "hardlink":  # so that `put` can tell an edited hard link (ops/hardlinks.py)
        from artifactctl.ops.hardlinks import remember

        remember(store, (e.digest for e in batch))
    return packed


def _place_batch(
    place: Callable[[Entry], Placed], batch: list[Entry], result: GetResult, progress: Progress
) -> None:
    for placed in by_size(place, batch, lambda e: e.size):
        result.files += 1
        result.bytes += placed.size
        if placed.outcome == ADDED:
            result.added += 1
        elif placed.outcome == UNCHANGED:
            result.unchanged += 1
        elif placed.outcome == REPLACED:
            result.replaced += 1
        progress.advance(placed.size)


def _unpack_for_links(store: Store, packed: dict[str, PackLoc]) -> None:
    """Links need blob files: give packed blobs a loose file, once, and make that file the
    blob's one copy in the catalog (the pack's bytes become dead space for gc), so that a
    linked file edited in place is caught by verify and fsck exactly as for a loose blob."""
    for digest, loc in packed.items():
        store.blobs.ensure_loose(digest, loc)
    with store.catalog.write():
        packs.make_loose(store.catalog, list(packed))


def find_entry(store: Store, spec: str, path: str) -> tuple[VersionRow, Entry]:
    version = resolve(store, spec)
    wanted = normalize_entry_path(path)
    for e in store.read_manifest(version.digest).entries:
        if e.path == wanted:
            return version, e
    raise NotFoundError(
        f"{version.label} has no entry {path!r}", hint="`artifactctl files` lists them"
    )


def read_entry(store: Store, spec: str, path: str) -> Iterator[bytes]:
    """The bytes of one entry, verified against its digest as they stream."""
    _, entry = find_entry(store, spec, path)
    if entry.ref is not None:
        yield from _read_reference(store, entry)
        return
    if entry.size <= SMALL:  # checked before a byte is written
        yield store.blobs.read_verified(entry.digest)
        return
    hasher = new_hasher(store.algorithm)
    for chunk in store.blobs.stream(entry.digest):
        hasher.update(chunk)
        yield chunk
    actual = format_digest(store.algorithm, hasher.hexdigest())
    if actual != entry.digest:
        raise corrupt(entry.digest, actual)


def _read_reference(store: Store, entry: Entry) -> Iterator[bytes]:
    from artifactctl.ops.refs_get import fetch_references

    fetched = fetch_references(store, [entry])
    try:
        for f in fetched.ready:
            with open(f.source, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    yield chunk
    finally:
        fetched.cleanup()


__all__ = ["UNCHANGED", "GetResult", "default_root", "find_entry", "get", "read_entry"]
