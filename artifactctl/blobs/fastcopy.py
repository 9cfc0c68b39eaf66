"""Copying a large file in the kernel, and hashing a file through read-only mapped windows.

``copy_file_range`` moves the bytes without passing them through Python (and, where the file
system can, without copying them at all); the copy is then hashed through a memory map, so the
hasher reads the page cache directly. Used by ``get`` for the files it places and by ``put`` for
the blobs it stores: in both, what is hashed is the new file itself, so a digest always describes
the bytes that were written, even if the source changed meanwhile.
"""

from __future__ import annotations

import errno
import mmap
import os

from artifactctl.core.digest import format_digest, new_hasher

MAP_STEP = 16 * 1024 * 1024  # a multiple of mmap.ALLOCATIONGRANULARITY
CHUNK = 1024 * 1024  # bytes per read when copying through a buffer


def copy_in_kernel(src: int, dst: int, size: int) -> bool:
    """Copy with copy_file_range; False (nothing copied) where the kernel or the file systems
    cannot, so the caller copies through a buffer instead."""
    done = 0
    try:
        while done < size:
            n = os.copy_file_range(src, dst, size - done)
            if n == 0:
                break
            done += n
    except OSError as exc:
        if done == 0 and exc.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
            return False
        raise
    if done != size or os.read(src, 1):  # the blob is not the size the manifest says
        os.lseek(src, 0, os.SEEK_SET)
        os.ftruncate(dst, 0)
        os.lseek(dst, 0, os.SEEK_SET)
        return False
    return True


def copy_hashing(src: int, dst: int, algorithm: str | None) -> tuple[str | None, int]:
    """Copy ``src`` (from its position to the end) to ``dst`` through one buffer, where the
    kernel cannot copy: (digest of the bytes copied when ``algorithm`` is given, bytes copied)."""
    hasher = new_hasher(algorithm) if algorithm else None
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    size = 0
    while n := os.readv(src, [buf]):
        if hasher is not None:
            hasher.update(view[:n])
        write_all(dst, view[:n])
        size += n
    if hasher is None or algorithm is None:
        return None, size
    return format_digest(algorithm, hasher.hexdigest()), size


def write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def hash_mapped(fd: int, algorithm: str) -> str:
    """The digest of the whole file ``fd`` (opened for reading), one mapped window at a time:
    resident memory stays flat in file size. Only for files this process just wrote: a mapped
    file truncated by someone else would raise SIGBUS."""
    size = os.fstat(fd).st_size
    hasher = new_hasher(algorithm)
    for start in range(0, size, MAP_STEP):
        length = min(MAP_STEP, size - start)
        with (
            mmap.mmap(fd, length, prot=mmap.PROT_READ, offset=start) as mapped,
            memoryview(mapped) as view,
        ):
            hasher.update(view)
    return format_digest(algorithm, hasher.hexdigest())
