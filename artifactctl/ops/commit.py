"""Committing a draft: ingest local files, write the manifest, then one catalog transaction.

Write order (DESIGN §4, never reversed): blobs (temp file, rename) → manifest blob → one catalog
transaction (version row, blob references, aliases, tags, stat cache). Inside the transaction,
which holds the write lock, every blob the version needs is checked to exist on disk; ``gc``
deletes blobs only while holding the same lock, so a committed version can never refer to a
blob that is gone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from artifactctl.blobs import IngestResult
from artifactctl.blobs.packs import PackLoc, PackWriter
from artifactctl.catalog import blobrefs, hardlinks, statcache
from artifactctl.catalog import versions as q
from artifactctl.core import manifest as mf
from artifactctl.core.manifest import Entry
from artifactctl.core.names import check_alias, check_name, check_tag, check_type
from artifactctl.core.timefmt import iso
from artifactctl.errors import IntegrityError, UsageError
from artifactctl.ops.inputs import LocalFile
from artifactctl.ops.progress import NO_PROGRESS, Progress
from artifactctl.ops.ttl import default_ttl_seconds
from artifactctl.ops.workers import PARALLEL_ABOVE, pooled
from artifactctl.store import Store

# A file whose inode changed (ctime) this recently may change again within the same timestamp
# tick after we read it, unnoticed: such files are hashed but not remembered (git's "racily
# clean" rule). ctime, unlike mtime, cannot be set back by a program.
RACY_NS = 1_000_000_000


INGEST_LINKS = ("copy", "hardlink", "reflink")
# small files are read, hashed and looked up in the catalog in batches of this many (or bytes)
PACK_BATCH, PACK_BATCH_BYTES = 256, 16 * 1024 * 1024


@dataclass(slots=True)
class Draft:
    name: str
    type: str
    description: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    files: dict[str, LocalFile] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    # references still to list and pin (URIs); commit() expands them into ``entries``
    references: list[Any] = field(default_factory=list)

    def paths(self) -> set[str]:
        return set(self.files) | set(self.entries)


@dataclass(slots=True)
class PutResult:
    name: str
    version: str
    number: int
    digest: str
    created: bool
    file_count: int
    size: int
    new_bytes: int
    new_blobs: int
    hashed_files: int
    aliases: list[str]
    tags: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "number": self.number,
            "digest": self.digest,
            "created": self.created,
            "file_count": self.file_count,
            "size": self.size,
            "new_bytes": self.new_bytes,
            "new_blobs": self.new_blobs,
            "hashed_files": self.hashed_files,
            "aliases": self.aliases,
            "tags": self.tags,
        }


class _MissingBlobs(Exception):
    def __init__(self, digests: set[str]) -> None:
        self.digests = digests


def validate_draft(draft: Draft, aliases: list[str], tags: list[str]) -> None:
    check_name(draft.name)
    check_type(draft.type)
    for a in aliases:
        if a == "latest":
            raise UsageError("'latest' is moved by artifactctl itself; it cannot be given")
        check_alias(a)
    for t in tags:
        check_tag(t)
    overlap = set(draft.files) & set(draft.entries)
    if overlap:
        raise UsageError(f"entry path {sorted(overlap)[0]!r} is given twice")


def commit(
    store: Store,
    draft: Draft,
    *,
    aliases: list[str] | None = None,
    tags: list[str] | None = None,
    run_id: str | None = None,
    ttl_seconds: int | Literal["default"] | None = "default",
    progress: Progress = NO_PROGRESS,
    reuse_identical: bool = False,
    link: str = "copy",
) -> PutResult:
    """Commit ``draft``; content equal to ``latest`` (with ``reuse_identical``: equal to any
    committed version of the artifact) makes no new version and returns that one.

    ``link``: how files larger than the store's ``pack-max-size`` become blobs: ``copy``, or
    ``hardlink`` / ``reflink`` (the file itself, or a clone of it, becomes the blob: no copy)."""
    if link not in INGEST_LINKS:
        raise UsageError(
            f"unknown link mode {link!r} for put", hint="use one of: " + ", ".join(INGEST_LINKS)
        )
    aliases = list(dict.fromkeys(aliases or []))
    tags = list(dict.fromkeys(tags or []))
    if draft.references:  # list and pin referenced objects (docs/references.md)
        from artifactctl.ops.refs_put import resolve_draft_references

        resolve_draft_references(store, draft)
    validate_draft(draft, aliases, tags)
    if run_id:  # the producing run must exist (lineage); a run name is resolved to its id
        from artifactctl.ops.lineage import check_output_run

        run_id = check_output_run(store, run_id)
    if isinstance(ttl_seconds, str):  # "default": the store's default-ttl setting, if any
        ttl_seconds = default_ttl_seconds(store)
    digests, ingested = _digest_files(store, list(draft.files.values()), progress, link)
    if any(r.stat.st_nlink > 1 for r in ingested.values()):  # an edited `--link hardlink` file?
        from artifactctl.ops.hardlinks import check_ingested

        check_ingested(store, ingested, {p: lf.source for p, lf in draft.files.items()})
    entries = dict(draft.entries)
    for path in draft.files:
        res = digests[path]
        entries[path] = Entry(path, res[0], res[1])
    manifest = mf.build(store.algorithm, entries.values())
    for attempt in range(3):
        manifest_digest = store.write_manifest(manifest)
        try:
            return _record(
                store,
                draft,
                manifest,
                manifest_digest,
                ingested,
                aliases,
                tags,
                run_id,
                ttl_seconds,
                reuse_identical,
            )
        except _MissingBlobs as missing:
            # gc removed a blob between ingest and commit: write those blobs again and retry
            sources = [lf for p, lf in draft.files.items() if digests[p][0] in missing.digests]
            unrecoverable = missing.digests - {digests[lf.path][0] for lf in sources}
            unrecoverable.discard(manifest_digest)
            if unrecoverable or attempt == 2:
                raise IntegrityError(
                    f"{len(missing.digests)} blob(s) the new version needs are missing from the"
                    " store",
                    hint="run `artifactctl fsck`",
                ) from None
            for lf in sources:
                store.blobs.ingest_file(lf.source)
    raise AssertionError("unreachable")


def _digest_files(
    store: Store, files: list[LocalFile], progress: Progress, link: str = "copy"
) -> tuple[dict[str, tuple[str, int]], dict[str, IngestResult]]:
    """Entry path → (digest, size), from the stat cache where it can be trusted."""
    out: dict[str, tuple[str, int]] = {}
    cached: dict[str, tuple[statcache.StatKey, str]] = {}
    for root in {lf.root for lf in files}:
        cached.update(statcache.lookup_under(store.catalog, root))
    todo: list[LocalFile] = []
    for lf in files:
        hit = cached.get(lf.source)
        st = lf.stat
        if hit and hit[0] == (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns):
            out[lf.path] = (hit[1], st.st_size)
        else:
            todo.append(lf)
    ingested: dict[str, IngestResult] = {}
    if todo:
        progress.start("hashing and storing", sum(lf.stat.st_size for lf in todo))
        # small files one after another, large ones in a pool (ops/workers.py says why)
        limit = max(PARALLEL_ABOVE, store.blobs.pack_max)
        if link != "copy":  # every file too large for a pack is linked, not copied
            limit = store.blobs.pack_max
        small = [lf for lf in todo if lf.stat.st_size <= limit]
        large = [lf for lf in todo if lf.stat.st_size > limit]
        # Small blobs are appended to pack files (blobs/packs.py): one file created per 32 MiB
        # instead of one per blob. Packs are installed before the catalog transaction.
        pack = store.blobs.pack_writer()
        try:
            for lf, res in _ingest_all(store, pack, small, large, link):
                out[lf.path] = (res.digest, res.size)
                ingested[lf.path] = res
                progress.advance(res.size)
            if pack is not None:
                pack.close()
        except BaseException:
            if pack is not None:
                pack.abort()
            raise
        finally:
            progress.finish()
    return out, ingested


def _batches(files: list[LocalFile]) -> Iterator[list[LocalFile]]:
    batch: list[LocalFile] = []
    held = 0
    for lf in files:
        batch.append(lf)
        held += lf.stat.st_size
        if len(batch) >= PACK_BATCH or held >= PACK_BATCH_BYTES:
            yield batch
            batch, held = [], 0
    if batch:
        yield batch


def _ingest_all(
    store: Store,
    pack: PackWriter | None,
    small: list[LocalFile],
    large: list[LocalFile],
    link: str = "copy",
) -> Iterator[tuple[LocalFile, IngestResult]]:
    ingest = store.blobs.ingest_file
    if pack is None:
        for lf in small:
            yield lf, ingest(lf.source)
    else:
        for batch in _batches(small):
            results = store.blobs.ingest_packable(
                [lf.source for lf in batch], pack, [lf.stat for lf in batch]
            )
            yield from zip(batch, results, strict=True)
    if large:

        def run(lf: LocalFile) -> IngestResult:
            if link != "copy":
                return store.blobs.ingest_linked(lf.source, link)
            return ingest(lf.source)

        yield from zip(large, pooled(run, large), strict=True)


def _record(
    store: Store,
    draft: Draft,
    manifest: mf.Manifest,
    digest: str,
    ingested: dict[str, IngestResult],
    aliases: list[str],
    tags: list[str],
    run_id: str | None,
    ttl_seconds: int | None,
    reuse_identical: bool = False,
) -> PutResult:
    cat = store.catalog
    now = iso(store.now())
    sizes = {e.digest: e.size for e in manifest.entries if e.ref is None}
    new_blobs = {r.digest: r.size for r in ingested.values() if r.written}
    with cat.write(durable=store.durable):
        art = q.ensure_artifact(cat, draft.name, draft.type, now)
        latest = q.latest_committed(cat, art.id)
        if reuse_identical and (latest is None or latest.digest != digest):
            same = [v for v in q.versions_of(cat, draft.name) if v.digest == digest]
            latest = same[-1] if same else latest  # an identical older version (link_model)
        created = latest is None or latest.digest != digest
        if created:
            needed = set(sizes) | {digest}
            packed = _installed_packs(store, ingested)
            missing = _missing_blobs(store, needed, packed)
            if missing:
                raise _MissingBlobs(missing)
            number = q.allocate_number(cat, art.id)
            expires = None
            if ttl_seconds is not None:
                expires = iso(store.now() + timedelta(seconds=ttl_seconds))
            version_id = q.insert_version(
                cat,
                artifact_id=art.id,
                number=number,
                state=q.COMMITTED,
                digest=digest,
                size=manifest.size,
                file_count=len(manifest),
                description=draft.description,
                metadata=draft.metadata,
                now=now,
                ttl_seconds=ttl_seconds,
                expires_at=expires,
                run_id=run_id,
            )
            blobrefs.record_blobs(
                cat,
                {**sizes, digest: _manifest_size(store, digest)},
                now,
                {d: (loc.pack, loc.offset) for d, loc in packed.items()},
            )
            blobrefs.link_version(cat, version_id, needed)
            q.set_alias(cat, art.id, "latest", version_id, now, run_id=run_id)
        else:
            assert latest is not None
            version_id, number = latest.id, latest.number
        for alias in aliases:
            q.set_alias(cat, art.id, alias, version_id, now, run_id=run_id)
        q.add_tags(cat, version_id, tags)
        _remember_stats(store, draft, ingested)
        linked = [r for r in ingested.values() if r.linked]
        if linked:  # so that a later in-place edit of the workspace file is caught by put
            hardlinks.record(cat, [(r.stat.st_dev, r.stat.st_ino, r.digest, now) for r in linked])
    final = q.version_by_id(cat, version_id)
    assert final is not None
    return PutResult(
        name=draft.name,
        version=f"{draft.name}:v{number}",
        number=number,
        digest=digest,
        created=created,
        file_count=len(manifest),
        size=manifest.size,
        new_bytes=sum(new_blobs.values()) if created else 0,
        new_blobs=len(new_blobs) if created else 0,
        hashed_files=len(ingested),
        aliases=final.aliases,
        tags=final.tags,
    )


def _installed_packs(store: Store, ingested: dict[str, IngestResult]) -> dict[str, PackLoc]:
    """Where this command packed each new blob, for those whose pack is still on disk (one
    removed under us, by a `gc --grace 0s` during the put, is not recorded)."""
    packed = {r.digest: r.pack for r in ingested.values() if r.pack is not None}
    present = {
        p: os.path.exists(store.blobs.reader.path(p)) for p in {x.pack for x in packed.values()}
    }
    return {d: loc for d, loc in packed.items() if present[loc.pack]}


def _missing_blobs(store: Store, needed: set[str], packed: dict[str, PackLoc]) -> set[str]:
    """Those of ``needed`` the store does not hold (run inside the write transaction): not a
    recorded blob row, not in ``packed``, and no loose file."""
    rest = needed - blobrefs.known_digests(store.catalog, needed)
    return {d for d in rest if d not in packed and not store.blobs.exists(d)}


def _manifest_size(store: Store, digest: str) -> int:
    return store.blobs.path(digest).stat().st_size


def _remember_stats(store: Store, draft: Draft, ingested: dict[str, IngestResult]) -> None:
    horizon = time.time_ns() - RACY_NS
    rows = []
    for path, res in ingested.items():
        st = res.stat
        if st.st_ctime_ns < horizon:
            rows.append(
                (
                    draft.files[path].source,
                    st.st_ino,
                    st.st_size,
                    st.st_mtime_ns,
                    st.st_ctime_ns,
                    res.digest,
                )
            )
    if rows:
        statcache.remember(store.catalog, rows)
