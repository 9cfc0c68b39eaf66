"""Committing a draft: ingest local files, write the manifest, then one catalog transaction.

Write order (DESIGN §4, never reversed): blobs (temp file, rename) → manifest blob → one catalog
transaction (version row, blob references, aliases, tags, stat cache). Files are streamed in
manifest order a chunk at a time: each chunk's manifest lines go to a spool file and its rows to
scratch tables (catalog/staging.py), so memory stays flat at any file count. Inside the transaction,
which holds the write lock, every blob the version needs is checked to exist on disk; ``gc``
deletes blobs only while holding the same lock, so a committed version can never refer to a
blob that is gone.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from artifactctl.blobs import IngestResult, inuse
from artifactctl.blobs.packs import PackWriter
from artifactctl.catalog import statcache
from artifactctl.catalog import versions as q
from artifactctl.catalog.staging import Staging
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
# files are streamed through ingest this many at a time (one stat cache query, one staging write)
CHUNK = 2048
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
    # more files, listed lazily in manifest order (a directory walk: ops/inputs.iter_collect),
    # so that a put of a million files never holds them all; called again if commit retries
    walk: Callable[[], Iterator[LocalFile]] | None = None

    def paths(self) -> set[str]:
        """The paths of ``files`` and ``entries`` (not of ``walk``, which is not listed yet)."""
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
    def __init__(self, digests: set[str], unrecoverable: bool) -> None:
        self.digests = digests
        self.unrecoverable = unrecoverable


def validate_draft(draft: Draft, aliases: list[str], tags: list[str]) -> None:
    check_name(draft.name)
    check_type(draft.type)
    for a in aliases:
        if a == "latest":
            raise UsageError("'latest' is moved by artifactctl itself; it cannot be given")
        check_alias(a)
    for t in tags:
        check_tag(t)


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
    args = (aliases, tags, run_id, ttl_seconds, reuse_identical)
    with Staging(store.catalog, store.blobs.tmp, inuse.hold) as stage:
        built = _build(store, draft, stage, progress, link)
        try:
            return _record(store, draft, stage, built, *args)
        except _MissingBlobs as missing:
            if missing.unrecoverable:  # of a base version's entries: not read from a file here
                raise _lost(missing) from None
            again = missing.digests
    # gc removed blobs between ingest and commit (only a `gc --grace` shorter than the put can):
    # store them again while holding the catalog's write lock, which gc needs to delete anything
    with (
        Staging(store.catalog, store.blobs.tmp, inuse.hold) as stage,
        store.catalog.write(durable=store.durable),
    ):
        built = _build(store, draft, stage, progress, link, again)
        try:
            return _record(store, draft, stage, built, *args, locked=True)
        except _MissingBlobs as still:
            raise _lost(still) from None


def _lost(missing: _MissingBlobs) -> IntegrityError:
    return IntegrityError(
        f"{len(missing.digests)} blob(s) the new version needs are missing from the store",
        hint="run `artifactctl fsck`",
    )


@dataclass(slots=True)
class _Built:
    """What streaming the draft through ingest produced (the rest is in the staging tables)."""

    digest: str  # of the manifest
    length: int = 0  # of the manifest
    count: int = 0
    size: int = 0
    hashed: int = 0


def _items(draft: Draft) -> Iterator[LocalFile | Entry]:
    """Every file and entry of the draft, in manifest order (each source is sorted)."""
    streams: list[Iterable[LocalFile | Entry]] = [
        sorted(draft.files.values(), key=_path_of),
        sorted(draft.entries.values(), key=_path_of),
    ]
    if draft.walk is not None:
        streams.append(draft.walk())
    previous = ""
    for item in heapq.merge(*streams, key=_path_of):
        path = item.path
        if path <= previous:
            if path == previous:
                raise UsageError(
                    f"entry path {path!r} is given twice",
                    hint="two inputs, or a file and a reference, map to it: use --prefix or"
                    " --ref-name NAME=URI",
                )
            raise AssertionError(f"entries out of order at {path!r}")  # a walk bug: never write
        previous = path
        yield item


def _path_of(item: LocalFile | Entry) -> str:
    return item.path


def _chunks(items: Iterator[LocalFile | Entry]) -> Iterator[list[LocalFile | Entry]]:
    chunk: list[LocalFile | Entry] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _build(
    store: Store,
    draft: Draft,
    stage: Staging,
    progress: Progress,
    link: str,
    again: AbstractSet[str] = frozenset(),
) -> _Built:
    """Stream the draft a chunk at a time: stat cache, ingest, manifest lines to a spool file,
    rows to the staging tables. Then store the manifest. Memory does not grow with file count."""
    with tempfile.TemporaryFile(dir=store.blobs.tmp, prefix="manifest-") as spool:
        built = _Built("")
        pack = store.blobs.pack_writer()
        progress.start("hashing and storing", None)
        try:
            for chunk in _chunks(_items(draft)):
                spool.write(_ingest_chunk(store, stage, pack, chunk, link, again, built, progress))
            if pack is not None:
                pack.close()
        except BaseException:
            if pack is not None:
                pack.abort()
            raise
        finally:
            progress.finish()
        header = mf.header_line(store.algorithm, built.count)
        length = len(header) + spool.tell()
        spool.seek(0)
        body = iter(lambda: spool.read(1024 * 1024), b"")
        built.digest, _ = store.blobs.put_chunks(itertools.chain([header], body))
        built.length = length
    return built


def _ingest_chunk(
    store: Store,
    stage: Staging,
    pack: PackWriter | None,
    chunk: list[LocalFile | Entry],
    link: str,
    again: AbstractSet[str],
    built: _Built,
    progress: Progress,
) -> bytes:
    """One chunk: digests from the stat cache where it can be trusted, the rest read and stored;
    returns the chunk's manifest lines and appends its rows to the staging tables."""
    files = [x for x in chunk if isinstance(x, LocalFile)]
    cached = statcache.lookup(store.catalog, [lf.source for lf in files]) if files else {}
    known: dict[str, tuple[str, int]] = {}  # source → (digest, size)
    todo: list[LocalFile] = []
    for lf in files:
        hit = cached.get(lf.source)
        st = lf.stat
        if (
            hit
            and hit[0] == (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            and hit[1] not in again
        ):
            known[lf.source] = (hit[1], st.st_size)
        else:
            todo.append(lf)
    ingested: dict[str, IngestResult] = {}  # entry path → result
    sources = {lf.path: lf.source for lf in todo}
    if todo:
        for lf, res in _ingest_all(store, stage, pack, todo, link):
            ingested[lf.path] = res
            known[lf.source] = (res.digest, res.size)
            progress.advance(res.size)
        if any(r.stat.st_nlink > 1 for r in ingested.values()):  # an edited hard-linked file?
            from artifactctl.ops.hardlinks import check_ingested

            check_ingested(store, ingested, sources)
    lines: list[str] = []
    for item in chunk:
        if isinstance(item, LocalFile):
            digest, size = known[item.source]
            lines.append(mf.file_line(item.path, digest, size))
        else:
            lines.append(mf.entry_line(item))
            size = item.size
        built.count += 1
        built.size += size
    built.hashed += len(ingested)
    stage.add(
        [
            (r.digest, r.size, *((r.pack.pack, r.pack.offset) if r.pack else (None, None)))
            for r in ingested.values()
            if r.written
        ],
        [
            (sources[p], r.stat.st_ino, r.size, r.stat.st_mtime_ns, r.stat.st_ctime_ns, r.digest)
            for p, r in ingested.items()
        ],
        [(r.stat.st_dev, r.stat.st_ino, r.digest) for r in ingested.values() if r.linked],
    )
    return "".join(lines).encode("utf-8")


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
    stage: Staging,
    pack: PackWriter | None,
    todo: list[LocalFile],
    link: str = "copy",
) -> Iterator[tuple[LocalFile, IngestResult]]:
    """Small files one after another (appended to packs), large ones in a pool (ops/workers.py
    says why); with ``link`` other than copy every file too large for a pack is linked."""
    limit = max(PARALLEL_ABOVE, store.blobs.pack_max) if link == "copy" else store.blobs.pack_max
    small = [lf for lf in todo if lf.stat.st_size <= limit]
    large = [lf for lf in todo if lf.stat.st_size > limit]
    ingest = store.blobs.ingest_file
    if pack is None:
        for lf in small:
            yield lf, ingest(lf.source)
    else:
        for batch in _batches(small):
            results = store.blobs.ingest_packable(
                [lf.source for lf in batch], pack, [lf.stat for lf in batch], stage.written_of
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
    stage: Staging,
    built: _Built,
    aliases: list[str],
    tags: list[str],
    run_id: str | None,
    ttl_seconds: int | None,
    reuse_identical: bool = False,
    *,
    locked: bool = False,
) -> PutResult:
    """The commit transaction (``locked``: the caller already holds the write lock)."""
    cat = store.catalog
    now = iso(store.now())
    digest = built.digest
    new_blobs, new_bytes = stage.written_totals()
    with contextlib.nullcontext() if locked else cat.write(durable=store.durable):
        art = q.ensure_artifact(cat, draft.name, draft.type, now)
        latest = q.latest_committed(cat, art.id)
        if reuse_identical and (latest is None or latest.digest != digest):
            same = [v for v in q.versions_of(cat, draft.name) if v.digest == digest]
            latest = same[-1] if same else latest  # an identical older version (link_model)
        created = latest is None or latest.digest != digest
        if created:
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
                size=built.size,
                file_count=built.count,
                description=draft.description,
                metadata=draft.metadata,
                now=now,
                ttl_seconds=ttl_seconds,
                expires_at=expires,
                run_id=run_id,
            )
            _record_blobs(store, draft, stage, built, version_id, now)
            q.set_alias(cat, art.id, "latest", version_id, now, run_id=run_id)
        else:
            assert latest is not None
            version_id, number = latest.id, latest.number
        for alias in aliases:
            q.set_alias(cat, art.id, alias, version_id, now, run_id=run_id)
        q.add_tags(cat, version_id, tags)
        # stat cache rows (not for files changed this recently: see RACY_NS) and the inodes of
        # files that became blobs (so that a later in-place edit of one is caught by put)
        stage.remember(now, time.time_ns() - RACY_NS)
    final = q.version_by_id(cat, version_id)
    assert final is not None
    return PutResult(
        name=draft.name,
        version=f"{draft.name}:v{number}",
        number=number,
        digest=digest,
        created=created,
        file_count=built.count,
        size=built.size,
        new_bytes=new_bytes if created else 0,
        new_blobs=new_blobs if created else 0,
        hashed_files=built.hashed,
        aliases=final.aliases,
        tags=final.tags,
    )


def _record_blobs(
    store: Store, draft: Draft, stage: Staging, built: _Built, version_id: int, now: str
) -> None:
    """Inside the write transaction: check that every blob the version needs is in the store
    (``gc`` deletes blobs only while holding the same lock) and record the version's references
    to them, read back from the manifest into the scratch tables. Raises _MissingBlobs."""
    gone = [p for p in stage.written_packs() if not os.path.exists(store.blobs.reader.path(p))]
    if gone:  # removed under us by a `gc --grace 0s` during the put: those rows are not kept
        stage.forget_packs(gone)
    stage.record_written(now)
    for pairs in _manifest_blobs(store, built):
        stage.add_used(pairs)
    missing = {d for d in stage.unrecorded_used() if not store.blobs.exists(d)}
    if missing:
        entries = {e.digest for e in draft.entries.values()}  # not read from a file here
        raise _MissingBlobs(missing, bool(missing & entries))
    stage.record_used(version_id, now)


def _manifest_blobs(store: Store, built: _Built) -> Iterator[list[tuple[str, int]]]:
    """(digest, size) of the manifest itself, then of its entries that are blobs (not
    references), a batch at a time, read back from the manifest blob this put just wrote."""
    try:
        fh = open(store.blobs.fspath(built.digest), "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:  # removed by a racing gc: stored again by the retry
        raise _MissingBlobs({built.digest}, False) from None
    with fh:
        yield [(built.digest, built.length)]
        yield from mf.iter_blob_sizes(fh)
