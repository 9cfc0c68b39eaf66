"""The blob store: ``blobs/ab/cdef…``, one read-only file per digest, written once.

Writes go to ``tmp/`` first and are renamed into place, so a blob file that exists is whole.
Bytes are hashed while they are copied, so each byte of input is read once; the source is
``fstat``-ed before and after, and a file that changed while it was read is refused (its bytes
may not match any single state of the file).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import os
import secrets
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from artifactctl.blobs import inuse
from artifactctl.blobs.fastcopy import CHUNK, copy_hashing, copy_in_kernel, hash_mapped, write_all
from artifactctl.blobs.packs import (
    DEFAULT_MAX_BLOB,
    PackLoc,
    PackMissing,
    PackReader,
    PackWriter,
)
from artifactctl.blobs.packs import write_error as _storage_error
from artifactctl.core.digest import (
    HEX_LENGTHS,
    format_digest,
    hash_bytes,
    is_lower_hex,
    new_hasher,
    split_digest,
)
from artifactctl.core.filestat import FileStat, StatLike
from artifactctl.errors import IntegrityError, NotFoundError, StorageError, UsageError

_COUNTER = itertools.count()
SMALL = 4 * 1024 * 1024  # files up to this size are read in one call
BLOB_MODE = 0o444
FICLONE = 0x40049409


@dataclass(slots=True, frozen=True)
class IngestResult:
    digest: str
    size: int
    written: bool  # False when the store already had these bytes
    stat: FileStat  # of the source, as read
    pack: PackLoc | None = None  # where it was appended, when written to a pack
    linked: bool = False  # the source file itself became the blob (put --link hardlink)


class BlobIndex(Protocol):
    """What the blob store needs to know from the catalog (catalog/packs.PackIndex)."""

    def known(self, digests: Iterable[str]) -> set[str]: ...

    def locate(self, digests: Iterable[str]) -> dict[str, tuple[str, int, int]]: ...


class BlobStore:
    def __init__(
        self,
        root: Path,
        tmp: Path,
        algorithm: str,
        *,
        durable: bool = False,
        packs: Path | None = None,
        pack_max: int = DEFAULT_MAX_BLOB,
        index: BlobIndex | None = None,
    ) -> None:
        self.root = root
        self.tmp = tmp
        self.algorithm = algorithm
        self.durable = durable
        self.packs = packs if packs is not None else root.parent / "packs"
        # blobs of at most this size go into packs when a put passes a PackWriter (0: never)
        self.pack_max = pack_max if index is not None else 0
        self.index = index
        self.reader = PackReader(self.packs)
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
        self.packs.mkdir(parents=True, exist_ok=True)

    def pack_writer(self) -> PackWriter | None:
        """A writer for this command's small blobs, or None when packing is off."""
        if self.pack_max <= 0:
            return None
        return PackWriter(self.packs, self.tmp, durable=self.durable)

    # -- writing ------------------------------------------------------------------------------

    def _tmp_fd(self) -> tuple[int, str]:
        """A new temp file, created read-only (the fd is still writable): no fchmod later."""
        name = f"{self._tmp}/blob-{os.getpid()}-{next(_COUNTER)}"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        try:
            fd = os.open(name, flags, BLOB_MODE)
        except FileExistsError:  # debris of an earlier process with the same pid
            name = f"{self._tmp}/blob-{os.getpid()}-{secrets.token_hex(8)}"
            try:
                fd = os.open(name, flags, BLOB_MODE)
            except OSError as exc:
                raise _storage_error(exc, self.tmp) from None
        except OSError as exc:
            raise _storage_error(exc, self.tmp) from None
        inuse.hold(fd)  # gc leaves it alone while this process lives
        return fd, name

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
        return self.put_chunks([data])

    def put_chunks(self, parts: Iterable[bytes | memoryview]) -> tuple[str, bool]:
        """Store the concatenation of ``parts`` (written as they come, hashed on the way) as a
        loose blob: for a document too large to build in memory (a manifest of 1M entries)."""
        hasher = new_hasher(self.algorithm)
        fd, name = self._tmp_fd()
        try:
            for part in parts:
                hasher.update(part)
                write_all(fd, part)
        except BaseException as exc:
            os.close(fd)
            os.unlink(name)
            if isinstance(exc, OSError):
                raise _storage_error(exc, self.tmp) from None
            raise
        digest = format_digest(self.algorithm, hasher.hexdigest())
        return digest, self._install(fd, name, digest)

    def ingest_packable(
        self,
        sources: list[str],
        pack: PackWriter,
        listed: list[FileStat] | None = None,
        written: Callable[[list[str]], set[str]] | None = None,
    ) -> list[IngestResult]:
        """Hash and store a batch of small files: blobs of at most ``pack_max`` bytes the store
        does not have are appended to ``pack``, with one catalog query for the whole batch
        (bytes are held for one batch only); larger files are stored as loose blobs.
        ``written``: which of some digests this command already stored (in an earlier batch)."""
        results: list[IngestResult | None] = []
        held: list[tuple[int, str, bytes, FileStat]] = []
        for k, source in enumerate(sources):
            read = self._read_small(source, listed[k] if listed is not None else None)
            if read is None:  # grew past pack_max since it was listed
                results.append(self.ingest_file(source))
                continue
            digest, data, st = read
            held.append((len(results), digest, data, st))
            results.append(None)
        fresh = [d for _, d, _, _ in held if d not in pack.members]
        have = self.index.known(fresh) if self.index is not None and fresh else set()
        if written is not None and fresh:
            have |= written([d for d in fresh if d not in have])
        added: set[str] = set()  # (a pack installed mid-batch forgets its members)
        for i, digest, data, st in held:
            if digest in pack.members or digest in have or digest in added:
                results[i] = IngestResult(digest, len(data), False, st)
            else:
                results[i] = IngestResult(digest, len(data), True, st, pack.add(digest, data))
                added.add(digest)
        return [r for r in results if r is not None]

    def _read_small(
        self, source: str, listed: FileStat | None = None
    ) -> tuple[str, bytes, FileStat] | None:
        """(digest, bytes, stat) of a file of at most ``pack_max`` bytes; None if larger.
        ``listed``: the file's status when it was listed, returned (instead of a new object:
        a million of them are memory) when the file as read still has it."""
        fd, before = _open_source(source)
        try:
            if before.st_size > self.pack_max:
                return None
            data = _read_all(fd, before.st_size)
            after = os.fstat(fd)
        finally:
            os.close(fd)
        _check_unchanged(source, before, after, len(data))
        digest = format_digest(self.algorithm, hash_bytes(self.algorithm, data))
        if listed is not None and _same_stat(listed, after):
            return digest, data, listed
        return digest, data, FileStat(after)

    def ingest_file(self, source: str) -> IngestResult:
        """Hash ``source`` and store its bytes as a loose blob unless the store has them."""
        fd, before = _open_source(source)
        try:
            if before.st_size <= SMALL:
                data = _read_all(fd, before.st_size)
                after = os.fstat(fd)
                _check_unchanged(source, before, after, len(data))
                digest = format_digest(self.algorithm, hash_bytes(self.algorithm, data))
                if self.exists(digest):
                    return IngestResult(digest, len(data), False, FileStat(after))
                tfd, tname = self._tmp_fd()
                try:
                    write_all(tfd, data)
                except OSError as exc:
                    os.close(tfd)
                    os.unlink(tname)
                    raise _storage_error(exc, self.tmp) from None
                installed = self._install(tfd, tname, digest, checked=True)
                return IngestResult(digest, len(data), installed, FileStat(after))
            return self._ingest_stream(fd, source, before)
        finally:
            os.close(fd)

    def ingest_linked(self, source: str, mode: str) -> IngestResult:
        """Store ``source`` without copying its bytes: hash it (one read), then make the file
        itself the blob (``hardlink``: the source becomes read-only, its inode is the blob) or
        a copy-on-write clone of it (``reflink``). The source must not change meanwhile."""
        fd, before = _open_source(source)
        try:
            digest, size = hash_fd(fd, self.algorithm)
            after = os.fstat(fd)
            _check_unchanged(source, before, after, size)
            if self.exists(digest):
                return IngestResult(digest, size, False, FileStat(after))
            name = f"{self._tmp}/blob-{os.getpid()}-{next(_COUNTER)}-{secrets.token_hex(4)}"
            if mode == "hardlink":
                tfd = self._link_source(source, name, after)
            else:
                tfd = self._clone_source(fd, name)
            try:
                _check_unchanged(source, after, os.fstat(fd), size)
            except UsageError:
                os.close(tfd)
                os.unlink(name)
                raise
            installed = self._install(tfd, name, digest)
            return IngestResult(digest, size, installed, FileStat(after), linked=mode == "hardlink")
        finally:
            os.close(fd)

    def _link_source(self, source: str, name: str, st: os.stat_result) -> int:
        try:
            os.link(source, name, follow_symlinks=False)
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                raise StorageError(
                    f"cannot hardlink {source} into the store: another file system",
                    hint="use --link copy, or keep the data on the store's file system",
                ) from None
            raise _storage_error(exc, self.tmp) from None
        tfd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW)
        linked = os.fstat(tfd)
        if (linked.st_dev, linked.st_ino) != (st.st_dev, st.st_ino):
            os.close(tfd)
            os.unlink(name)
            raise UsageError(
                f"{source} was replaced while it was being stored",
                hint="run the command again once the file is no longer being written",
            )
        os.fchmod(tfd, BLOB_MODE)  # the workspace file is the blob now: read-only
        return tfd

    def _clone_source(self, src_fd: int, name: str) -> int:
        tfd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, BLOB_MODE)
        try:
            fcntl.ioctl(tfd, FICLONE, src_fd)
        except OSError as exc:
            os.close(tfd)
            os.unlink(name)
            if exc.errno in (errno.EOPNOTSUPP, errno.EXDEV, errno.EINVAL, errno.ENOTTY):
                raise StorageError(
                    "the file system does not support reflinks between the data and the store",
                    hint="use --link copy (or hardlink)",
                ) from None
            raise _storage_error(exc, self.tmp) from None
        return tfd

    def _ingest_stream(self, fd: int, source: str, before: os.stat_result) -> IngestResult:
        """Store a large file: copied in the kernel and the copy hashed through a memory map
        (blobs/fastcopy.py), else read, hashed and written through one buffer."""
        tfd, tname = self._tmp_fd()
        try:
            if copy_in_kernel(fd, tfd, before.st_size):
                size = before.st_size
                rfd = os.open(tname, os.O_RDONLY)
                try:
                    digest = hash_mapped(rfd, self.algorithm)
                finally:
                    os.close(rfd)
            else:
                copied, size = copy_hashing(fd, tfd, self.algorithm)
                assert copied is not None  # an algorithm was given
                digest = copied
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
        return IngestResult(digest, size, self._install(tfd, tname, digest), FileStat(after))

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
        return self.read(digest, self.locate([digest]).get(digest))

    def read(self, digest: str, loc: PackLoc | None, *, verify: bool = True) -> bytes:
        """A small blob's bytes, from its pack when ``loc`` is given, else its loose file."""
        if loc is not None:
            data = self._read_packed(digest, loc)
        else:
            fd = self.open_fd(digest)
            try:
                data = _read_all(fd, os.fstat(fd).st_size)
            finally:
                os.close(fd)
        if verify:
            actual = format_digest(self.algorithm, hash_bytes(self.algorithm, data))
            if actual != digest:
                raise corrupt(digest, actual)
        return data

    def _read_packed(self, digest: str, loc: PackLoc) -> bytes:
        data = self._packed_bytes(digest, loc)
        if data is None:
            raise IntegrityError(
                f"blob {digest} is missing from the store (its pack {loc.pack} is gone)",
                hint="run `artifactctl fsck` to list damaged versions",
            )
        return data

    def _packed_bytes(self, digest: str, loc: PackLoc) -> bytes | None:
        """The blob's bytes from its pack, looked up again if gc rewrote the pack since it was
        located (or from a loose copy); None when the store no longer has it."""
        try:
            return self.reader.read(loc)
        except PackMissing:
            pass
        again = self.locate([digest]).get(digest)
        if again is not None and again != loc:
            return self.reader.read(again)
        if self.exists(digest):
            return self.read(digest, None, verify=False)
        return None

    def locate(self, digests: Iterable[str]) -> dict[str, PackLoc]:
        """Pack locations of the packed ones among ``digests`` (the others are loose files)."""
        if self.index is None:
            return {}
        return {d: PackLoc(*loc) for d, loc in self.index.locate(digests).items()}

    def stream(self, digest: str) -> Iterator[bytes]:
        """A blob's bytes in chunks, not verified (callers hash what they stream)."""
        loc = self.locate([digest]).get(digest)
        if loc is not None:
            yield self._read_packed(digest, loc)
            return
        fd = self.open_fd(digest)
        try:
            while chunk := os.read(fd, CHUNK):
                yield chunk
        finally:
            os.close(fd)

    def hash_blob(self, digest: str, loc: PackLoc | None = None) -> str:
        """Re-hash a stored blob (from its pack when ``loc`` is given) and return its actual
        digest. FileNotFoundError when the store does not have it; IntegrityError when its pack
        is too short."""
        if loc is None:
            return hash_path(self.fspath(digest), self.algorithm)
        data = self._packed_bytes(digest, loc)
        if data is None:
            raise FileNotFoundError(errno.ENOENT, f"blob {digest} is gone", loc.pack)
        return format_digest(self.algorithm, hash_bytes(self.algorithm, data))

    def ensure_loose(self, digest: str, loc: PackLoc | None) -> bool:
        """Give a packed blob a loose file too (hard links and symlinks need one); True when one
        was written. The bytes are verified on the way out of the pack."""
        if loc is None or self.exists(digest):
            return False
        _, written = self.put_bytes(self.read(digest, loc))
        return written

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


def _same_stat(a: StatLike, b: StatLike) -> bool:
    return (
        a.st_ino == b.st_ino
        and a.st_dev == b.st_dev
        and a.st_size == b.st_size
        and a.st_mtime_ns == b.st_mtime_ns
        and a.st_ctime_ns == b.st_ctime_ns
        and a.st_nlink == b.st_nlink
    )


def _open_source(source: str) -> tuple[int, os.stat_result]:
    """A read descriptor on a regular file to store (never following a final symlink)."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise _source_error(exc, source) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise UsageError(f"{source} is not a regular file")
    return fd, st


def corrupt(expected: str, actual: str) -> IntegrityError:
    return IntegrityError(
        f"blob {expected} is corrupt: its bytes hash to {actual}",
        hint="run `artifactctl fsck` to list affected versions; restore the blob from a copy",
    )


def hash_path(path: str | os.PathLike[str], algorithm: str, *, dir_fd: int | None = None) -> str:
    """The digest of a file's bytes (with ``dir_fd``: ``path`` is relative to it, and a final
    symlink is not followed)."""
    flags = os.O_RDONLY if dir_fd is None else os.O_RDONLY | os.O_NOFOLLOW
    fd = os.open(path, flags, dir_fd=dir_fd)
    try:
        size = os.fstat(fd).st_size
        if size <= SMALL:  # one read, no buffer to allocate
            return format_digest(algorithm, hash_bytes(algorithm, _read_all(fd, size)))
        return hash_fd(fd, algorithm)[0]
    finally:
        os.close(fd)


def hash_fd(fd: int, algorithm: str) -> tuple[str, int]:
    """(digest, size) of what ``fd`` reads from its position to the end, in 1 MiB reads."""
    hasher = new_hasher(algorithm)
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    size = 0
    while n := os.readv(fd, [buf]):
        hasher.update(view[:n])
        size += n
    return format_digest(algorithm, hasher.hexdigest()), size


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


def _check_unchanged(source: str, before: StatLike, after: StatLike, n: int) -> None:
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
