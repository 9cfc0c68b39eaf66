"""Pack files: many small blobs in one file, so a put of 20,000 small files creates a handful.

Creating a file costs more than writing a few KiB into one on the file systems this tool runs on
(ext4 here: a put of 20,000 small files took 2-4 s as loose blobs, 0.75 s appended to packs), so
blobs of at most ``pack-max-size`` bytes (default 1 MiB) are appended to pack files, as git and
restic do. Large blobs stay loose files, so they can be reflinked or hard-linked.

A pack is written under ``tmp/`` and renamed to ``packs/<id>.pack`` only when it is complete, so
a pack file that exists is whole. Its layout::

    b"ACTPACK1"                     8 bytes of magic
    member bytes, back to back      each blob's bytes, nothing in between
    trailer                         one JSON object per line: {"d": digest, "o": offset, "s": size}
    trailer length                  8 bytes, big-endian
    b"ACTPEND1"                     8 bytes of magic

The catalog (``blobs.pack``, ``blobs.pack_offset``) is the index readers use; the trailer makes a
pack self-describing, so ``fsck`` can cross-check the two and a lost catalog row is recoverable.
Rows point at a pack only once the commit that wrote it is recorded: a pack no row points at
(an interrupted put) is debris that ``gc`` removes after the grace period.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from artifactctl.blobs import inuse
from artifactctl.errors import IntegrityError, StorageError

MAGIC = b"ACTPACK1"
END = b"ACTPEND1"
HEADER = len(MAGIC)
DEFAULT_MAX_BLOB = 1024 * 1024  # blobs up to this size are packed (config: pack-max-size)
PACK_TARGET = 32 * 1024 * 1024  # a pack is closed once it holds this many bytes,
PACK_MEMBERS = 16384  # or this many blobs (its index is held in memory until it is closed)
_FLUSH = 1024 * 1024  # member bytes are buffered and written in writes of about this size
SUFFIX = ".pack"


@dataclass(slots=True, frozen=True)
class PackLoc:
    """Where a packed blob's bytes are: pack id, byte offset in the pack file, size."""

    pack: str
    offset: int
    size: int


def new_pack_id() -> str:
    return secrets.token_hex(10)


def is_pack_id(name: str) -> bool:
    return len(name) == 20 and all(c in "0123456789abcdef" for c in name)


class PackWriter:
    """Appends blobs to packs under ``tmp/``; :meth:`close` installs them in ``packs/``.

    One writer per command, used from one thread. ``members`` lists the blobs of the pack being
    written (not of those already installed: a put of a million files would hold them all), so
    that a blob is not appended to one pack twice; callers remember what they wrote."""

    def __init__(
        self, packs: Path, tmp: Path, *, durable: bool = False, target: int = PACK_TARGET
    ) -> None:
        self.packs = packs
        self.tmp = tmp
        self.durable = durable
        self.target = target
        self.members: dict[str, PackLoc] = {}
        self.installed: list[str] = []
        self._fd: int | None = None
        self._id = ""
        self._tmp_name = ""
        self._offset = 0
        self._buf: list[bytes | memoryview] = []
        self._buffered = 0
        self._trailer: list[str] = []

    def add(self, digest: str, data: bytes | memoryview) -> PackLoc:
        if digest in self.members:
            return self.members[digest]
        if self._fd is None:
            self._open()
        loc = PackLoc(self._id, self._offset, len(data))
        self._buf.append(data)
        self._buffered += len(data)
        self._offset += len(data)
        self._trailer.append(f'{{"d":"{digest}","o":{loc.offset},"s":{loc.size}}}\n')
        self.members[digest] = loc
        if self._buffered >= _FLUSH:
            self._flush()
        if self._offset >= self.target or len(self.members) >= PACK_MEMBERS:
            self._install()
        return loc

    def close(self) -> list[str]:
        """Install the open pack (if any); returns the ids of every pack this writer installed."""
        if self._fd is not None:
            self._install()
        return self.installed

    def abort(self) -> None:
        """Drop the pack being written (installed packs stay: gc removes them if unused)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            with contextlib.suppress(OSError):
                os.unlink(self._tmp_name)
            self._fd = None

    # -- internals ----------------------------------------------------------------------------

    def _open(self) -> None:
        self._id = new_pack_id()
        self._tmp_name = f"{self.tmp}/pack-{os.getpid()}-{self._id}"
        try:
            self._fd = os.open(self._tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except OSError as exc:
            raise write_error(exc, self.tmp) from None
        inuse.hold(self._fd)  # gc leaves it alone while this process lives
        self._offset = HEADER
        self._buf = [MAGIC]
        self._buffered = HEADER
        self._trailer = []
        self.members = {}

    def _flush(self) -> None:
        assert self._fd is not None
        data = b"".join(self._buf)
        self._buf, self._buffered = [], 0
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            self.abort()
            raise write_error(exc, self.tmp) from None

    def _install(self) -> None:
        assert self._fd is not None
        trailer = "".join(self._trailer).encode()
        self._buf.extend([trailer, len(trailer).to_bytes(8, "big"), END])
        self._flush()
        fd, self._fd = self._fd, None
        try:
            if self.durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        final = f"{self.packs}/{self._id}{SUFFIX}"
        try:
            os.rename(self._tmp_name, final)
        except FileNotFoundError:
            if not os.path.exists(self._tmp_name):
                raise StorageError(
                    f"the temporary pack {self._tmp_name} vanished before it was installed",
                    hint="run the command again; do not run `gc --grace 0s` during writes",
                ) from None
            os.makedirs(self.packs, exist_ok=True)
            os.rename(self._tmp_name, final)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp_name)
            raise write_error(exc, self.packs) from None
        if self.durable:
            _fsync_dir(self.packs)
        self.installed.append(self._id)


class PackMissing(Exception):
    """A pack file is gone (gc repacked it meanwhile): look the blob up again."""


class PackReader:
    """Reads packed blobs by location, keeping one descriptor per pack (thread-safe)."""

    def __init__(self, packs: Path) -> None:
        self.packs = packs
        self._fds: dict[str, int] = {}
        self._lock = threading.Lock()

    def path(self, pack: str) -> str:
        return f"{self.packs}/{pack}{SUFFIX}"

    def read(self, loc: PackLoc) -> bytes:
        fd = self._fd(loc.pack)
        data = os.pread(fd, loc.size, loc.offset)
        if len(data) != loc.size:
            raise IntegrityError(
                f"pack {loc.pack} is truncated: {loc.size} bytes expected at offset {loc.offset},"
                f" {len(data)} found",
                hint="run `artifactctl fsck` to list affected versions",
            )
        return data

    def _fd(self, pack: str) -> int:
        fd = self._fds.get(pack)
        if fd is not None:
            return fd
        with self._lock:
            fd = self._fds.get(pack)
            if fd is None:
                try:
                    fd = os.open(self.path(pack), os.O_RDONLY)
                except FileNotFoundError:
                    raise PackMissing(pack) from None
                self._fds[pack] = fd
            return fd

    def close(self) -> None:
        with self._lock:
            for fd in self._fds.values():
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._fds.clear()


def read_trailer(path: str | os.PathLike[str]) -> list[tuple[str, int, int]]:
    """The (digest, offset, size) list a pack file describes itself with."""
    with open(path, "rb") as fh:
        if fh.read(HEADER) != MAGIC:
            raise IntegrityError(f"{path} is not an artifactctl pack (bad magic)")
        fh.seek(-16, os.SEEK_END)
        tail = fh.read(16)
        if len(tail) != 16 or tail[8:] != END:
            raise IntegrityError(f"{path} is not a whole pack (no end marker)")
        length = int.from_bytes(tail[:8], "big")
        end = fh.seek(0, os.SEEK_END) - 16
        if length > end - HEADER:
            raise IntegrityError(f"{path} has a trailer longer than the pack")
        fh.seek(end - length)
        raw = fh.read(length)
    members = []
    try:
        for line in raw.decode().splitlines():
            item = json.loads(line)
            members.append((str(item["d"]), int(item["o"]), int(item["s"])))
    except (ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(f"{path} has a damaged trailer: {exc}") from None
    return members


def member_bytes(path: str | os.PathLike[str]) -> int:
    """The bytes of the blobs a pack holds (its size less magic, trailer and end marker); 0 for
    a pack that is unreadable or not whole (fsck reports those)."""
    try:
        with open(path, "rb") as fh:
            end = fh.seek(0, os.SEEK_END)
            if end < HEADER + 16:
                return 0
            fh.seek(end - 16)
            tail = fh.read(16)
    except OSError:
        return 0
    if tail[8:] != END:
        return 0
    return max(0, end - HEADER - 16 - int.from_bytes(tail[:8], "big"))


def file_size(path: str | os.PathLike[str]) -> int:
    """A pack's size on disk; 0 when it is gone."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def list_packs(packs: Path) -> list[tuple[str, Path]]:
    """Every pack file as (id, path); other names are ignored."""
    if not packs.is_dir():
        return []
    found = []
    for entry in os.scandir(packs):
        stem = entry.name[: -len(SUFFIX)]
        if entry.name.endswith(SUFFIX) and is_pack_id(stem):
            found.append((stem, Path(entry.path)))
    return sorted(found)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_error(exc: OSError, where: str | os.PathLike[str]) -> StorageError:
    if exc.errno == errno.ENOSPC:
        return StorageError(f"no space left on the device holding {where}")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(f"cannot write {where}: {exc.strerror}", hint="check permissions")
    return StorageError(f"cannot write {where}: {exc.strerror}")
