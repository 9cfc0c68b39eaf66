"""The blob store: ``blobs/ab/cdef…``, one read-only file per digest, written once.

Writes go to ``tmp/`` first and are renamed into place, so a blob file that exists is whole.
Bytes are hashed while they are copied, so each byte of input is read once; the source is
``fstat``-ed before and after, and a file that changed while it was read is refused (its bytes
may not match any single state of the file).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from artifactctl.core.digest import (
    HEX_LENGTHS,
    format_digest,
    hash_bytes,
    is_lower_hex,
    new_hasher,
    split_digest,
)
from artifactctl.errors import IntegrityError, NotFoundError, StorageError, UsageError

_COUNTER = itertools.count()
SMALL = 4 * 1024 * 1024  # files up to this size are read in one call
CHUNK = 1024 * 1024
BLOB_MODE = 0o444


@dataclass(slots=True, frozen=True)
class IngestResult:
    digest: str
    size: int
    written: bool  # False when the store already had these bytes
    stat: os.stat_result  # of the source, as read


class BlobStore:
    def __init__(self, root: Path, tmp: Path, algorithm: str, *, durable: bool = False) -> None:
        self.root = root
        self.tmp = tmp
        self.algorithm = algorithm
        self.durable = durable
        self._root = str(root)
        self._tmp = str(tmp)
        self._prefix = f"{algorithm}:"
        self._length = len(self._prefix) + HEX_LENGTHS[algorithm]

    # -- naming -------------------------------------------------------------------------------

    def fspath(self, digest: str) -> str:
        """The blob's file name as a string (the hot path: no pathlib, one check)."""
        prefix = self._prefix
        if not digest.startswith(prefix) or len(digest) != self._length:
            algorithm, _ = split_digest(digest)  # raises UsageError for malformed digests
            raise IntegrityError(f"digest {digest} is not of this store's algorithm ({algorithm})")
        hexdigest = digest[len(prefix) :]
        if not is_lower_hex(hexdigest):
            raise IntegrityError(f"not a digest: {digest!r}")
        return f"{self._root}/{hexdigest[:2]}/{hexdigest[2:]}"

    def path(self, digest: str) -> Path:
        return Path(self.fspath(digest))

    def exists(self, digest: str) -> bool:
        return os.path.exists(self.fspath(digest))

    def create_layout(self) -> None:
        for i in range(256):
            (self.root / f"{i:02x}").mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    # -- writing ------------------------------------------------------------------------------

    def _tmp_fd(self) -> tuple[int, str]:
        """A new temp file, created read-only (the fd is still writable): no fchmod later."""
        name = f"{self._tmp}/blob-{os.getpid()}-{next(_COUNTER)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            return os.open(name, flags, BLOB_MODE), name
        except FileExistsError:  # debris of an earlier process with the same pid
            name = f"{self._tmp}/blob-{os.getpid()}-{secrets.token_hex(8)}"
            try:
                return os.open(name, flags, BLOB_MODE), name
            except OSError as exc:
                raise _storage_error(exc, self.tmp) from None
        except OSError as exc:
            raise _storage_error(exc, self.tmp) from None

    def _install(self, fd: int, tmp_name: str, digest: str, *, checked: bool = False) -> bool:
        """Make the temp file the blob named ``digest``; False when it already existed.
        ``checked``: the caller just found no such blob (renaming identical bytes over one that
        appeared meanwhile is harmless, so the check is not repeated)."""
        final = self.fspath(digest)
        try:
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        if not checked and os.path.exists(final):
            os.unlink(tmp_name)
            return False
        try:
            os.rename(tmp_name, final)
        except FileNotFoundError:
            if not os.path.exists(tmp_name):  # removed under us: a `gc --grace 0s` meanwhile?
                raise StorageError(
                    f"the temporary file {tmp_name} vanished before it became blob {digest}",
                    hint="run the command again; do not run `gc --grace 0s` during writes",
                ) from None
            os.makedirs(os.path.dirname(final), exist_ok=True)
            os.rename(tmp_name, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
            raise _storage_error(exc, final) from None
        return True

    def put_bytes(self, data: bytes | memoryview) -> tuple[str, bool]:
        digest = format_digest(self.algorithm, hash_bytes(self.algorithm, data))
        if self.exists(digest):
            return digest, False
        fd, name = self._tmp_fd()
        try:
            _write_all(fd, data)
        except OSError as exc:
            os.close(fd)
            os.unlink(name)
            raise _storage_error(exc, self.tmp) from None
        return digest, self._install(fd, name, digest)

    def ingest_file(self, source: str, *, known: set[str] | None = None) -> IngestResult:
        """Hash ``source`` and store its bytes unless the store has them already."""
        try:
            fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError as exc:
            raise _source_error(exc, source) from None
        try:
            before = os.fstat(fd)
            if not stat.S_ISREG(before.st_mode):
                raise UsageError(f"{source} is not a regular file")
            if before.st_size <= SMALL:
                data = _read_all(fd, before.st_size)
                after = os.fstat(fd)
                _check_unchanged(source, before, after, len(data))
                digest = format_digest(self.algorithm, hash_bytes(self.algorithm, data))
                if (known is not None and digest in known) or self.exists(digest):
                    return IngestResult(digest, len(data), False, after)
                tfd, tname = self._tmp_fd()
                try:
                    _write_all(tfd, data)
                except OSError as exc:
                    os.close(tfd)
                    os.unlink(tname)
                    raise _storage_error(exc, self.tmp) from None
                installed = self._install(tfd, tname, digest, checked=True)
                return IngestResult(digest, len(data), installed, after)
            return self._ingest_stream(fd, source, before)
        finally:
            os.close(fd)

    def _ingest_stream(self, fd: int, source: str, before: os.stat_result) -> IngestResult:
        hasher = new_hasher(self.algorithm)
        tfd, tname = self._tmp_fd()
        size = 0
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        try:
            while True:
                n = os.readv(fd, [buf])
                if n == 0:
                    break
                hasher.update(view[:n])
                _write_all(tfd, view[:n])
                size += n
        except OSError as exc:
            os.close(tfd)
            os.unlink(tname)
            raise _storage_error(exc, self.tmp) from None
        after = os.fstat(fd)
        try:
            _check_unchanged(source, before, after, size)
        except UsageError:
            os.close(tfd)
            os.unlink(tname)
            raise
        digest = format_digest(self.algorithm, hasher.hexdigest())
        return IngestResult(digest, size, self._install(tfd, tname, digest), after)

    # -- reading ------------------------------------------------------------------------------

    def open_fd(self, digest: str) -> int:
        try:
            return os.open(self.fspath(digest), os.O_RDONLY)
        except FileNotFoundError:
            raise IntegrityError(
                f"blob {digest} is missing from the store",
                hint="run `artifactctl fsck` to list damaged versions",
            ) from None

    def read_verified(self, digest: str) -> bytes:
        """The whole blob (for small blobs), re-hashed on the way: mismatch → IntegrityError."""
        fd = self.open_fd(digest)
        try:
            data = _read_all(fd, os.fstat(fd).st_size)
        finally:
            os.close(fd)
        actual = format_digest(self.algorithm, hash_bytes(self.algorithm, data))
        if actual != digest:
            raise corrupt(digest, actual)
        return data

    def hash_blob(self, digest: str) -> str:
        """Re-hash a stored blob and return its actual digest."""
        return hash_path(self.path(digest), self.algorithm)

    def remove(self, digest: str) -> int:
        path = self.path(digest)
        try:
            size = path.stat().st_size
            path.unlink()
        except FileNotFoundError:
            return 0
        return size

    def iter_files(self) -> list[tuple[str, Path]]:
        """Every blob file as (digest, path); names that are not digests are skipped."""
        found: list[tuple[str, Path]] = []
        if not self.root.is_dir():
            return found
        for sub in sorted(os.scandir(self.root), key=lambda e: e.name):
            if not sub.is_dir(follow_symlinks=False) or len(sub.name) != 2:
                continue
            for f in os.scandir(sub.path):
                found.append((format_digest(self.algorithm, sub.name + f.name), Path(f.path)))
        return found


def corrupt(expected: str, actual: str) -> IntegrityError:
    return IntegrityError(
        f"blob {expected} is corrupt: its bytes hash to {actual}",
        hint="run `artifactctl fsck` to list affected versions; restore the blob from a copy",
    )


def hash_path(path: str | os.PathLike[str], algorithm: str) -> str:
    hasher = new_hasher(algorithm)
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    fd = os.open(path, os.O_RDONLY)
    try:
        while n := os.readv(fd, [buf]):
            hasher.update(view[:n])
    finally:
        os.close(fd)
    return format_digest(algorithm, hasher.hexdigest())


def _read_all(fd: int, size_hint: int) -> bytes:
    """Read a file of (expected) size ``size_hint``. One read when the size is right: callers
    compare ``fstat`` before and after, which catches a file that grew or shrank meanwhile."""
    data = os.read(fd, max(size_hint, 1))
    if len(data) == size_hint:
        return data
    if len(data) < size_hint:
        chunks = [data]
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
        data = b"".join(chunks) if len(chunks) > 1 else data
    else:
        rest = []
        while chunk := os.read(fd, CHUNK):
            rest.append(chunk)
        data = data + b"".join(rest)
    return data


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _check_unchanged(source: str, before: os.stat_result, after: os.stat_result, n: int) -> None:
    if (
        before.st_size != after.st_size
        or before.st_mtime_ns != after.st_mtime_ns
        or n != after.st_size
    ):
        raise UsageError(
            f"{source} changed while it was being read",
            hint="run the command again once the file is no longer being written",
        )


def _source_error(exc: OSError, source: str) -> Exception:
    if exc.errno == errno.ENOENT:
        return NotFoundError(f"{source} vanished while being read")
    if exc.errno in (errno.EACCES, errno.EPERM):
        return StorageError(f"permission denied reading {source}")
    if exc.errno == errno.ELOOP:
        return UsageError(f"{source} is a symbolic link loop")
    return StorageError(f"cannot read {source}: {exc.strerror}")


def _storage_error(exc: OSError, where: str | os.PathLike[str]) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(f"no space left on the device holding {where}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"cannot write {where}: {exc.strerror}", hint="check permissions")
    return StorageError(f"cannot write {where}: {exc.strerror}")
