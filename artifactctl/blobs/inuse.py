"""Marking temporary files as in use, so that ``gc`` never removes one a live command writes.

A command holds an exclusive ``flock`` on each temporary file it writes under ``tmp/`` (a blob
before its rename, a pack being filled, a put's scratch database) for as long as the file is open.
``gc`` removes a temporary file only if it can take that lock itself: a crashed command's
debris is unlocked (the kernel drops the lock with the process), a live one's is not, whatever
grace period ``gc`` was given.
"""

from __future__ import annotations

import contextlib
import fcntl
import os


def hold(fd: int) -> None:
    """Mark the open file ``fd`` as in use until it is closed."""
    with contextlib.suppress(OSError):  # a file system without flock: the grace period remains
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def in_use(path: str) -> bool:
    """Whether a live process holds ``path`` (see :func:`hold`)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(fd)
    return False
