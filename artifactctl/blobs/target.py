"""A directory tree that artifactctl writes into without ever following a symlink below its root.

Every directory below the root is opened component by component with ``O_NOFOLLOW`` relative
to its parent's descriptor, so a symlink planted in the target (``root/data -> /etc``) cannot
redirect a write outside the root: it is reported instead.

A directory that does not exist yet is built under a staging name in its parent
(``.NAME.RANDOM.artifactctl-tmp``) and renamed into place by :meth:`Target.commit` (on leaving
the ``with`` block without an error): a whole new subtree appears at once, so the files in it can
be written straight to their names (no temporary name and rename per file: half of what a get of
many small files costs in syscalls), and a crash never leaves a half-written file at an entry
path. On an error the staged subtrees are removed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import threading
from pathlib import Path

from artifactctl.errors import ConflictError, StorageError

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


TMP_SUFFIX = ".artifactctl-tmp"


def tmp_name(name: str) -> str:
    """A hidden name beside ``name`` for something not yet in place (``verify`` skips these)."""
    return f".{name[:100]}.{secrets.token_hex(6)}{TMP_SUFFIX}"


class Target:
    def __init__(self, root: Path, *, create: bool = True) -> None:
        self.root = root
        if create:
            try:
                root.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                raise ConflictError(f"{root} exists and is not a directory") from None
            except OSError as exc:
                raise StorageError(f"cannot create {root}: {exc.strerror}") from None
        try:
            self._root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise StorageError(f"cannot open {root}: {exc.strerror}") from None
        self._fds: dict[str, int] = {"": self._root_fd}
        self._fresh: set[str] = set()  # directories this Target created: known to be empty
        # new directories made under a staging name: (parent fd, staging name, name, rel_dir)
        self._staged: list[tuple[int, str, str, str]] = []
        self._lock = threading.Lock()

    def close(self) -> None:
        for fd in self._fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()

    def commit(self) -> None:
        """Rename every staged directory to its name (a directory that appeared there meanwhile
        is a conflict: nothing of ours is merged into it)."""
        staged, self._staged = self._staged, []
        for i, (parent_fd, tmp, name, rel_dir) in enumerate(staged):
            try:
                os.rename(tmp, name, src_dir_fd=parent_fd, dst_dir_fd=parent_fd)
            except OSError as exc:
                self._staged = staged[i:]
                self.discard()
                if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR, errno.EISDIR):
                    raise ConflictError(
                        f"{self.root / rel_dir} appeared while it was being written",
                        hint="run the command again",
                    ) from None
                raise StorageError(f"cannot create {self.root / rel_dir}: {exc.strerror}") from None

    def discard(self) -> None:
        """Remove every staged directory and what was written into it."""
        staged, self._staged = self._staged, []
        for parent_fd, tmp, _name, _rel in staged:
            with contextlib.suppress(OSError):
                shutil.rmtree(tmp, dir_fd=parent_fd)

    def __enter__(self) -> Target:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is None:
                self.commit()
            else:
                self.discard()
        finally:
            self.close()

    def dir_fd(self, rel_dir: str, *, create: bool = True) -> int:
        """The descriptor of ``rel_dir`` (``a/b``) below the root, creating it if asked: from
        the deepest ancestor already open, one level at a time (a loop, not recursion: entry
        paths may be 2,048 directories deep)."""
        fd = self._fds.get(rel_dir)
        if fd is not None:
            return fd
        with self._lock:
            below: list[str] = []
            here = rel_dir
            while here not in self._fds:  # the root ("") always is
                below.append(here)
                here = here.rpartition("/")[0]
            fd = self._fds[here]
            for rel in reversed(below):
                fd = self._open_child(fd, rel, rel.rpartition("/")[2], create)
                self._fds[rel] = fd
            return fd

    def is_fresh(self, rel_dir: str) -> bool:
        """True when this Target created ``rel_dir`` itself, in a staged subtree: nothing else
        is in it (except what this Target placed there) and nobody sees it before commit()."""
        return rel_dir in self._fresh

    def _open_child(self, parent_fd: int, rel_dir: str, name: str, create: bool) -> int:
        parent = rel_dir.rpartition("/")[0]
        if create and parent in self._fresh:  # inside a staged subtree: nobody else sees it
            try:
                os.mkdir(name, 0o777, dir_fd=parent_fd)
                self._fresh.add(rel_dir)
            except FileExistsError:
                pass
            except OSError as exc:
                raise StorageError(f"cannot create {self.root / rel_dir}: {exc.strerror}") from None
        elif create:
            try:
                return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
            except FileNotFoundError:
                return self._stage(parent_fd, rel_dir, name)
            except OSError:
                pass  # reported below, with the reason
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise ConflictError(
                    f"{self.root / rel_dir} is a symbolic link or a file, not a directory;"
                    " refusing to write through it",
                    hint="remove it, or choose another target directory",
                ) from None
            raise StorageError(f"cannot open {self.root / rel_dir}: {exc.strerror}") from None

    def _stage(self, parent_fd: int, rel_dir: str, name: str) -> int:
        tmp = tmp_name(name)
        try:
            os.mkdir(tmp, 0o777, dir_fd=parent_fd)
            fd = os.open(tmp, _DIR_FLAGS, dir_fd=parent_fd)
        except OSError as exc:
            raise StorageError(f"cannot create {self.root / rel_dir}: {exc.strerror}") from None
        self._staged.append((parent_fd, tmp, name, rel_dir))
        self._fresh.add(rel_dir)
        return fd

    def lstat(self, rel_path: str) -> os.stat_result | None:
        """``lstat`` of an entry (never following a symlink), or None when absent."""
        parent, _, name = rel_path.rpartition("/")
        try:
            return os.stat(name, dir_fd=self.dir_fd(parent, create=False), follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except ConflictError:
            raise

    def exists_dir(self, rel_dir: str) -> bool:
        try:
            self.dir_fd(rel_dir, create=False)
            return True
        except (ConflictError, StorageError):
            return False
