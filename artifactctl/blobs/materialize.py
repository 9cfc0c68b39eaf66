"""Materialization: placing blobs at entry paths in a target directory.

Modes: ``copy``; ``reflink`` (FICLONE, a copy-on-write clone); ``hardlink`` and ``symlink`` (the
file *is* the read-only blob: editing it in place would change the stored bytes, so artifactctl
keeps blobs read-only and ``verify``/``fsck`` detect such edits); ``auto`` reflinks where the
file system can and copies otherwise, probed once per file system.

Blobs stored in packs (blobs/packs.py, located by the caller: ``packed``) are copied in ``auto``
and ``reflink`` modes (a range of a pack cannot be cloned). ``hardlink`` and ``symlink`` need blob
files: the caller gives packed blobs a loose file first (ops/get.py).

A file in a directory the Target created (a staged directory, renamed into place whole: see
blobs/target.py) is written straight to its name; elsewhere each file is written to a temporary
name and renamed into place, so a crash never leaves a half-written file at an entry path. Large
copies are made by the kernel (copy_file_range). Blob bytes are re-hashed on the way (check on
read) in copy mode; in link modes (reflink, hardlink, symlink) the file *is* (a clone of) the blob
and nothing is read, unless ``verify=True``: then each blob is re-hashed once. ``verify=False``
turns checking off for copies too.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import stat
import threading
from dataclasses import dataclass

from artifactctl.blobs.fastcopy import copy_hashing, copy_in_kernel, hash_mapped, write_all
from artifactctl.blobs.packs import PackLoc
from artifactctl.blobs.store import CHUNK, FICLONE, SMALL, BlobStore, corrupt, hash_path
from artifactctl.blobs.target import Target, tmp_name
from artifactctl.core.digest import hash_bytes
from artifactctl.errors import ConflictError, StorageError, UsageError

LINK_MODES = ("auto", "copy", "reflink", "hardlink", "symlink")

ADDED, UNCHANGED, REPLACED = "added", "unchanged", "replaced"


def check_link_mode(mode: str) -> str:
    if mode not in LINK_MODES:
        raise UsageError(f"unknown link mode {mode!r}", hint="use one of: " + ", ".join(LINK_MODES))
    return mode


@dataclass(slots=True)
class Placed:
    path: str
    outcome: str  # added | unchanged | replaced
    size: int


class Materializer:
    def __init__(
        self,
        blobs: BlobStore,
        target: Target,
        *,
        mode: str = "auto",
        force: bool = False,
        verify: bool | None = None,
        packed: dict[str, PackLoc] | None = None,
    ) -> None:
        self.blobs = blobs
        self.packed = packed or {}  # digest → pack location, for blobs stored in packs
        self.target = target
        self.mode = check_link_mode(mode)
        self.force = force
        self.verify = verify is not False  # copies are checked as they stream
        self.verify_links = verify is True  # link modes read nothing unless asked
        self._reflink_ok: dict[int, bool] = {}
        self._verified: set[str] = set()
        self._lock = threading.Lock()

    # -- public --------------------------------------------------------------------------------

    def place(self, path: str, digest: str, size: int) -> Placed:
        parent, _, name = path.rpartition("/")
        dfd = self.target.dir_fd(parent)
        # in a directory this get created (staged: blobs/target.py), nothing exists yet and
        # nobody sees it before it is complete: no lstat, and no temporary name per file
        fresh = self.target.is_fresh(parent)
        existing = None if fresh else _lstat(name, dfd)
        outcome = ADDED
        if existing is not None:
            if self._same(existing, name, dfd, digest, size):
                return Placed(path, UNCHANGED, size)
            if stat.S_ISDIR(existing.st_mode):
                raise ConflictError(f"{self.target.root / path} is a directory in the target")
            if not self.force:
                raise ConflictError(
                    f"{self.target.root / path} exists with different content",
                    hint="use --force to overwrite it, or choose another --root",
                )
            outcome = REPLACED
        try:
            self._write(name, dfd, digest, size, absent=existing is None, direct=fresh)
        except (IsADirectoryError, NotADirectoryError):
            raise ConflictError(
                f"{self.target.root / path} is a directory in the target (or the version has "
                "both a file and a directory at that path)"
            ) from None
        return Placed(path, outcome, size)

    def place_bytes(self, path: str, data: bytes) -> Placed:
        """Write bytes that are not a blob (e.g. a downloaded reference) at ``path``."""
        parent, _, name = path.rpartition("/")
        dfd = self.target.dir_fd(parent)
        existing = _lstat(name, dfd)
        if existing is not None and stat.S_ISREG(existing.st_mode):
            if existing.st_size == len(data) and _read_at(name, dfd) == data:
                return Placed(path, UNCHANGED, len(data))
            if not self.force:
                raise ConflictError(f"{self.target.root / path} exists with different content")
        tmp = tmp_name(name)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=dfd)
        try:
            write_all(fd, data)
        finally:
            os.close(fd)
        os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        return Placed(path, ADDED if existing is None else REPLACED, len(data))

    # -- helpers -------------------------------------------------------------------------------

    def _same(self, st: os.stat_result, name: str, dfd: int, digest: str, size: int) -> bool:
        if stat.S_ISLNK(st.st_mode):
            if self.mode != "symlink":
                return False
            try:
                return os.readlink(name, dir_fd=dfd) == str(self.blobs.path(digest))
            except OSError:
                return False
        if not stat.S_ISREG(st.st_mode) or st.st_size != size:
            return False
        try:
            blob_st = os.stat(self.blobs.path(digest))
            if (blob_st.st_ino, blob_st.st_dev) == (st.st_ino, st.st_dev):
                return self.mode == "hardlink"
        except OSError:
            pass
        if self.mode in ("hardlink", "symlink"):
            return False
        return hash_path(name, self.blobs.algorithm, dir_fd=dfd) == digest

    def _write(
        self, name: str, dfd: int, digest: str, size: int, *, absent: bool, direct: bool = False
    ) -> None:
        mode = self.mode
        if absent and mode in ("hardlink", "symlink"):
            # link() and symlink() create the name atomically or fail: no temp name needed
            self._check_blob(digest)
            try:
                if mode == "hardlink":
                    self._hardlink(digest, name, dfd)
                else:
                    os.symlink(self.blobs.fspath(digest), name, dir_fd=dfd)
                return
            except FileExistsError:
                pass  # created meanwhile: replace it through a temp name below
        tmp = name if direct else tmp_name(name)
        try:
            if mode in ("hardlink", "symlink"):
                self._check_blob(digest)
                if mode == "hardlink":
                    self._hardlink(digest, tmp, dfd)
                else:
                    os.symlink(self.blobs.fspath(digest), tmp, dir_fd=dfd)
            elif (
                mode in ("auto", "reflink")
                and digest not in self.packed  # a range of a pack cannot be cloned: copied
                and self._try_reflink(digest, tmp, dfd, mode)
            ):
                pass
            else:
                self._copy(digest, size, tmp, dfd)
            if not direct:
                os.rename(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            raise

    def _check_blob(self, digest: str) -> None:
        if not self.verify_links or digest in self._verified:
            return
        actual = self.blobs.hash_blob(digest)
        if actual != digest:
            raise corrupt(digest, actual)
        with self._lock:
            self._verified.add(digest)

    def _hardlink(self, digest: str, tmp: str, dfd: int) -> None:
        try:
            os.link(self.blobs.fspath(digest), tmp, dst_dir_fd=dfd)
        except OSError as exc:
            if exc.errno == errno.EXDEV:
                raise StorageError(
                    f"cannot hardlink across file systems ({self.target.root} and the store)",
                    hint="use --link copy, or put the store on the same file system",
                ) from None
            if exc.errno == errno.EMLINK:
                raise StorageError("too many hard links to one blob; use --link copy") from None
            raise

    def _try_reflink(self, digest: str, tmp: str, dfd: int, mode: str) -> bool:
        dev = os.fstat(dfd).st_dev
        if self._reflink_ok.get(dev) is False:
            if mode == "reflink":
                raise StorageError(
                    f"the file system of {self.target.root} does not support reflinks",
                    hint="use --link auto or --link copy",
                )
            return False
        src = self.blobs.open_fd(digest)
        try:
            fd = os.open(
                tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=dfd
            )
            try:
                fcntl.ioctl(fd, FICLONE, src)
            except OSError as exc:
                os.close(fd)
                os.unlink(tmp, dir_fd=dfd)
                if exc.errno in (
                    errno.EOPNOTSUPP,
                    errno.EXDEV,
                    errno.EINVAL,
                    errno.ENOTTY,
                    errno.ENOSYS,
                    errno.EBADF,
                ):
                    self._reflink_ok[dev] = False
                    if mode == "reflink":
                        raise StorageError(
                            f"the file system of {self.target.root} does not support reflinks",
                            hint="use --link auto or --link copy",
                        ) from None
                    return False
                raise
            os.close(fd)
        finally:
            os.close(src)
        self._reflink_ok[dev] = True
        self._check_blob(digest)
        return True

    def _copy(self, digest: str, size: int, tmp: str, dfd: int) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        if size <= SMALL:
            data = self.blobs.read(digest, self.packed.get(digest), verify=self.verify)
            fd = os.open(tmp, flags, 0o666, dir_fd=dfd)
            try:
                write_all(fd, data)
            finally:
                os.close(fd)
            return
        src = self.blobs.open_fd(digest)
        fd = os.open(tmp, flags, 0o666, dir_fd=dfd)
        try:
            # by the kernel (no copy through this process), then what the file now holds is
            # hashed from the page cache; through a buffer, hashed on the way, where it cannot
            actual: str | None
            if copy_in_kernel(src, fd, size):
                actual = _hash_mapped(tmp, dfd, self.blobs.algorithm) if self.verify else None
            else:
                actual, _ = copy_hashing(src, fd, self.blobs.algorithm if self.verify else None)
        finally:
            os.close(fd)
            os.close(src)
        if actual is not None and actual != digest:
            raise corrupt(digest, actual)


def _hash_mapped(name: str, dfd: int, algorithm: str) -> str:
    """Hash a file this get just wrote through read-only mapped windows (blobs/fastcopy.py)."""
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
    try:
        return hash_mapped(fd, algorithm)
    finally:
        os.close(fd)


def _lstat(name: str, dfd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _read_at(name: str, dfd: int) -> bytes:
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
    try:
        chunks = []
        while chunk := os.read(fd, CHUNK):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


__all__ = [
    "ADDED",
    "REPLACED",
    "UNCHANGED",
    "Materializer",
    "Placed",
    "check_link_mode",
    "hash_bytes",
]
