"""Fetching referenced entries: download into the store's reference cache, then place.

Every referenced entry is downloaded before anything is placed in the target, so a failure
(changed or vanished object, bad credentials, unreachable endpoint) leaves the target as it was.
Pinned bytes are kept in ``<store>/refcache/KK/KEY`` where KEY is the sha256 of the canonical
``ref`` object (URI + pin): a second get of the same pin reads the cache, and ``cache cleanup``
may evict it (files are touched on every hit, for LRU). Unpinned (``--no-checksum``) entries are
fetched fresh every time and not cached.

While streaming, bytes are checked against what the pin can prove: the size, the file's content
digest, GCS/Azure Content-MD5, and a single-part S3 ETag (an md5).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import secrets
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artifactctl.blobs.target import Target
from artifactctl.core.digest import format_digest, new_hasher
from artifactctl.core.manifest import Entry
from artifactctl.core.paths import normalize_entry_path
from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, cache_key, parse_ref_uri, redact
from artifactctl.errors import (
    ArtifactctlError,
    ConflictError,
    IntegrityError,
    NotFoundError,
    StorageError,
)
from artifactctl.ops.refs_put import ref_options
from artifactctl.refs import Handlers, RefChangedError
from artifactctl.store import Store

CACHE_DIR = "refcache"
CHUNK = 1 << 20


@dataclass(slots=True)
class Fetched:
    """A local file holding an entry's bytes, ready to place."""

    path: str  # entry path in the target
    source: Path
    size: int
    temporary: bool  # delete after placing (unpinned bytes are not cached)
    cached: bool = False  # served from the reference cache, no download


@dataclass(slots=True)
class SkippedRef:
    path: str
    uri: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "uri": redact(self.uri), "reason": self.reason}


@dataclass(slots=True)
class FetchResult:
    ready: list[Fetched] = field(default_factory=list)
    skipped: list[SkippedRef] = field(default_factory=list)
    downloaded: int = 0
    cached: int = 0
    unpinned: int = 0

    def cleanup(self) -> None:
        for f in self.ready:
            if f.temporary:
                with contextlib.suppress(OSError):
                    os.unlink(f.source)


def cache_root(store: Store) -> Path:
    return store.path / CACHE_DIR


def _cache_path(store: Store, ref: dict[str, Any]) -> Path:
    key = cache_key(ref)
    return cache_root(store) / key[:2] / key


def _tmp_path(store: Store) -> Path:
    tmp = cache_root(store) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp / f"{secrets.token_hex(8)}.part"


class _Checker:
    """Hashes that the pin lets us verify, computed while the bytes stream by."""

    def __init__(self, ref: dict[str, Any], algorithm: str) -> None:
        self.ref = ref
        self.size = 0
        self.content = new_hasher(algorithm) if "content_digest" in ref else None
        self.algorithm = algorithm
        etag = str(ref.get("etag", ""))
        s3_md5 = ref["uri"].startswith("s3://") and len(etag) == 32 and "-" not in etag
        self.md5 = hashlib.md5(usedforsecurity=False) if ("md5" in ref or s3_md5) else None
        self.s3_md5 = s3_md5

    def update(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.content is not None:
            self.content.update(chunk)
        if self.md5 is not None:
            self.md5.update(chunk)

    def problem(self) -> str | None:
        ref = self.ref
        if ref.get("size") is not None and self.size != ref["size"]:
            return f"size {ref['size']}, found {self.size} bytes"
        if self.content is not None:
            got = format_digest(self.algorithm, self.content.hexdigest())
            if got != ref["content_digest"]:
                return f"content_digest {ref['content_digest']}, found {got}"
        if self.md5 is not None:
            if self.s3_md5 and self.md5.hexdigest() != ref["etag"]:
                return f"etag (md5) {ref['etag']}, found md5 {self.md5.hexdigest()}"
            if "md5" in ref:
                got64 = base64.b64encode(self.md5.digest()).decode()
                if got64 != ref["md5"]:
                    return f"md5 {ref['md5']}, found {got64}"
        return None


def download(handlers: Handlers, ref: dict[str, Any], dest: Path, algorithm: str) -> int:
    """Stream the object into ``dest`` (a new file), checking it against the pin."""
    pinned = bool(ref.get("pinned", True))
    handler = handlers.for_uri(ref["uri"])
    checker = _Checker(ref, algorithm) if pinned else None
    size = 0
    try:
        with handler.open(ref, pinned=pinned) as stream, open(dest, "xb") as out:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
                size += len(chunk)
                if checker is not None:
                    checker.update(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(dest)
        raise
    problem = checker.problem() if checker is not None else None
    if problem:
        os.unlink(dest)
        raise RefChangedError(ref["uri"], problem)
    return size


def fetch_references(
    store: Store,
    entries: list[Entry],
    *,
    allow_missing: bool = False,
    workers: int | None = None,
) -> FetchResult:
    """Download (or find in the cache) every referenced entry; nothing is placed yet."""
    result = FetchResult()
    if not entries:
        return result
    options = ref_options(store)
    handlers = Handlers(options)
    n = max(1, workers or options.workers)
    jobs: list[tuple[str, dict[str, Any]]] = []
    for e in entries:
        assert e.ref is not None
        ref = e.ref
        if not ref.get("pinned", True) and ref.get("prefix"):
            # an unpinned prefix: whatever is below it now, one file per object
            parsed = parse_ref_uri(ref["uri"])
            for obj in handlers.for_uri(ref["uri"]).list_objects(parsed, DEFAULT_MAX_OBJECTS):
                path = normalize_entry_path(f"{e.path}/{obj.rel}")
                jobs.append((path, {"uri": obj.uri, "pinned": False}))
        else:
            jobs.append((e.path, ref))

    def one(job: tuple[str, dict[str, Any]]) -> Fetched | SkippedRef | ArtifactctlError:
        path, ref = job
        pinned = bool(ref.get("pinned", True))
        try:
            if pinned:
                target = _cache_path(store, ref)
                with contextlib.suppress(OSError):
                    st = os.stat(target)
                    if ref.get("size") is None or st.st_size == ref["size"]:
                        os.utime(target)  # LRU for `cache cleanup`
                        return Fetched(path, target, st.st_size, False, cached=True)
                tmp = _tmp_path(store)
                size = download(handlers, ref, tmp, store.algorithm)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
                return Fetched(path, target, size, False)
            tmp = _tmp_path(store)
            size = download(handlers, ref, tmp, store.algorithm)
            return Fetched(path, tmp, size, True)
        except (RefChangedError, NotFoundError) as exc:
            if allow_missing:
                return SkippedRef(path, ref["uri"], exc.message)
            return exc
        except ArtifactctlError as exc:
            return exc
        except OSError as exc:
            return StorageError(f"cannot write the reference cache: {exc.strerror}")

    with ThreadPoolExecutor(n) as pool:
        outcomes = list(pool.map(one, jobs))
    failures = [o for o in outcomes if isinstance(o, ArtifactctlError)]
    for o in outcomes:
        if isinstance(o, Fetched):
            result.ready.append(o)
            if o.cached:
                result.cached += 1
            elif o.temporary:
                result.unpinned += 1
            else:
                result.downloaded += 1
        elif isinstance(o, SkippedRef):
            result.skipped.append(o)
    if failures:
        result.cleanup()
        raise _combine(failures)
    return result


def _combine(failures: list[ArtifactctlError]) -> ArtifactctlError:
    storage = [f for f in failures if isinstance(f, StorageError)]
    if storage:
        return storage[0]
    if len(failures) == 1:
        return failures[0]
    lines = "; ".join(f.message for f in failures[:10])
    more = f" (and {len(failures) - 10} more)" if len(failures) > 10 else ""
    cls = NotFoundError if all(isinstance(f, NotFoundError) for f in failures) else IntegrityError
    return cls(
        f"{len(failures)} referenced objects cannot be fetched as pinned: {lines}{more}",
        hint="get with --allow-missing-references to skip them, or put a new version",
    )


def place_file(target: Target, path: str, source: Path, *, force: bool) -> str:
    """Copy ``source`` to ``path`` below the target (temp file + rename): added, unchanged or
    replaced."""
    parent, _, name = path.rpartition("/")
    dfd = target.dir_fd(parent)
    try:
        existing: os.stat_result | None = os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        existing = None
    src_size = os.stat(source).st_size
    if existing is not None:
        same_size = stat.S_ISREG(existing.st_mode) and existing.st_size == src_size
        if same_size and _same_bytes(source, name, dfd):
            return "unchanged"
        if stat.S_ISDIR(existing.st_mode):
            raise ConflictError(f"{target.root / path} is a directory in the target")
        if not force:
            raise ConflictError(
                f"{target.root / path} exists with different content",
                hint="use --force to overwrite it, or choose another --root",
            )
    tmp = f".{name[:100]}.{secrets.token_hex(6)}.artifactctl-tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    fd = os.open(tmp, flags, 0o666, dir_fd=dfd)
    try:
        with open(source, "rb") as src, os.fdopen(fd, "wb", closefd=True) as dst:
            fd = -1
            while chunk := src.read(CHUNK):
                dst.write(chunk)
        os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=dfd)
        raise
    return "added" if existing is None else "replaced"


def _same_bytes(source: Path, name: str, dfd: int) -> bool:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
    try:
        with open(source, "rb") as a, os.fdopen(fd, "rb", closefd=True) as b:
            fd = -1
            while True:
                x, y = a.read(CHUNK), b.read(CHUNK)
                if x != y:
                    return False
                if not x:
                    return True
    finally:
        if fd >= 0:
            os.close(fd)
