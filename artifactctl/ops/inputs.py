"""Turning the PATH arguments of ``put`` into entry paths and local files.

Rules: a directory contributes its files with paths relative to it; a file lands under its
basename; ``prefix`` goes in front of both. A symlink whose target lies inside the input directory
is stored as the target's content; one that points outside is refused unless
``follow_symlinks``; dangling links, loops, FIFOs, sockets and devices are refused. Two inputs that
map to one entry path are an error naming both.
"""

from __future__ import annotations

import errno
import fnmatch
import heapq
import os
import stat
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from artifactctl.core.filestat import FileStat
from artifactctl.core.paths import join_prefix, normalize_entry_path
from artifactctl.errors import NotFoundError, StorageError, UsageError


@dataclass(slots=True)
class LocalFile:
    path: str  # entry path
    source: str  # absolute path to read (symlinks resolved)
    stat: FileStat  # of what will be read


def collect(
    paths: list[str],
    *,
    prefix: str | None = None,
    excludes: list[str] | None = None,
    follow_symlinks: bool = False,
) -> list[LocalFile]:
    """Every file of ``paths``, sorted by entry path (see :func:`iter_collect`)."""
    return list(
        iter_collect(paths, prefix=prefix, excludes=excludes, follow_symlinks=follow_symlinks)
    )


def iter_collect(
    paths: list[str],
    *,
    prefix: str | None = None,
    excludes: list[str] | None = None,
    follow_symlinks: bool = False,
) -> Iterator[LocalFile]:
    """The files of ``paths`` one at a time, in manifest order (sorted by entry path), so that a
    put of a million files never holds them all. The arguments themselves are checked before the
    first file is yielded; a problem found inside a directory is raised when the walk reaches it.
    Two inputs that map to one entry path are an error naming both."""
    excludes = excludes or []
    # each input's stream is sorted; heapq.merge keeps the whole sorted
    streams = [_prefixed(_input(raw, excludes, follow_symlinks), prefix) for raw in paths]
    previous: LocalFile | None = None
    for item in heapq.merge(*streams, key=_path_of):
        if previous is not None and item.path == previous.path:
            raise UsageError(
                f"two inputs map to the entry path {item.path!r}: {previous.source} and"
                f" {item.source}",
                hint="use --prefix, or put them separately",
            )
        previous = item
        yield item


def _path_of(item: LocalFile) -> str:
    return item.path


def _prefixed(items: Iterator[LocalFile], prefix: str | None) -> Iterator[LocalFile]:
    if not prefix:
        return items
    return (_with_prefix(item, prefix) for item in items)


def _with_prefix(item: LocalFile, prefix: str) -> LocalFile:
    item.path = join_prefix(prefix, item.path)
    return item


def _input(raw: str, excludes: list[str], follow_symlinks: bool) -> Iterator[LocalFile]:
    """The files of one PATH argument, sorted; the argument is checked now, not when iterated."""
    p = Path(raw)
    try:
        st = os.stat(p, follow_symlinks=False)
    except FileNotFoundError:
        raise NotFoundError(f"{raw} does not exist") from None
    except OSError as exc:
        raise StorageError(f"cannot read {raw}: {exc.strerror}") from None
    except ValueError:  # a NUL byte (possible from the Python API, not from a shell)
        raise UsageError(f"{raw!r} is not a valid file name (it contains a NUL byte)") from None
    if stat.S_ISLNK(st.st_mode):
        try:
            st = os.stat(p)
        except OSError:
            raise UsageError(f"{raw} is a dangling symbolic link") from None
    if stat.S_ISDIR(st.st_mode):
        root = os.path.realpath(p)
        return _walk(root, excludes, follow_symlinks)
    if stat.S_ISREG(st.st_mode):
        source = os.path.realpath(p)
        name = _entry_name(os.path.basename(os.path.abspath(p)), raw)
        return iter([LocalFile(name, source, FileStat(st))])
    raise UsageError(f"{raw} is {_kind(st.st_mode)}; only files and directories can be put")


def _entry_name(name: str, shown: str) -> str:
    try:
        return normalize_entry_path(name)
    except UsageError as exc:
        raise UsageError(f"cannot store {shown!r}: {exc.message}", hint=exc.hint) from None


def _excluded(rel: str, excludes: list[str]) -> bool:
    base = rel.rpartition("/")[2]
    for pattern in excludes:
        pat = pattern.rstrip("/")
        if fnmatch.fnmatchcase(rel, pat) or fnmatch.fnmatchcase(base, pat):
            return True
    return False


def _walk(root: str, excludes: list[str], follow_symlinks: bool) -> Iterator[LocalFile]:
    """Depth first, each directory's children sorted so that entry paths come out sorted: a
    subdirectory sorts as its name plus "/" (so "a.txt" < "a/…", as the manifest orders them),
    by NFC name (entry paths are NFC). Only the directories on the current path are held, each
    as its sorted list of names; an explicit stack, not recursion, so that a tree as deep as
    entry paths allow (2,048 levels) is no problem."""
    visited: set[tuple[int, int]] = set()
    root_prefix = root.rstrip("/") + "/"

    def listing(directory: str, rel_dir: str) -> Iterator[tuple[str, str, str, int]]:
        return iter(_children(directory, rel_dir, root_prefix, visited, excludes, follow_symlinks))

    stack = [listing(root, "")]
    while stack:
        for _key, rel, source, kind in stack[-1]:
            if kind == _DIR:
                stack.append(listing(source, rel))
                break
            try:  # stat now, not when listing: a directory of a million files holds names only
                st = os.stat(source)
            except FileNotFoundError:
                continue  # vanished between listing and stat: not part of this snapshot
            except OSError as exc:
                raise _unreadable(source, exc) from None
            if not stat.S_ISREG(st.st_mode):
                raise UsageError(f"{source} is {_kind(st.st_mode)}; it cannot be stored")
            yield LocalFile(_entry_name(rel, source), source, FileStat(st))
        else:
            stack.pop()


def _children(
    directory: str,
    rel_dir: str,
    root_prefix: str,
    visited: set[tuple[int, int]],
    excludes: list[str],
    follow_symlinks: bool,
) -> list[tuple[str, str, str, int]]:
    """(sort key, rel, source, kind) of each entry of ``directory`` not excluded, sorted."""
    try:
        dst = os.stat(directory)
    except OSError as exc:
        raise StorageError(f"cannot read {directory}: {exc.strerror}") from None
    key = (dst.st_dev, dst.st_ino)
    if key in visited:
        raise UsageError(f"symbolic link loop at {directory}")
    visited.add(key)
    children: list[tuple[str, str, str, int]] = []
    try:
        with os.scandir(directory) as it:
            for de in it:
                name = de.name
                rel = f"{rel_dir}/{name}" if rel_dir else name
                if excludes and _excluded(rel, excludes):
                    continue
                child = _classify(de, rel, root_prefix, follow_symlinks)
                if child is not None:
                    children.append(child)
    except PermissionError:
        raise StorageError(f"permission denied reading directory {directory}") from None
    except OSError as exc:
        raise StorageError(f"cannot read {directory}: {exc.strerror}") from None
    children.sort()
    return children


_DIR, _FILE = 0, 1


def _classify(
    de: os.DirEntry[str], rel: str, root_prefix: str, follow_symlinks: bool
) -> tuple[str, str, str, int] | None:
    """(sort key, rel, source, _DIR or _FILE) of one directory entry, from the type the listing
    gave (no stat for plain files and directories); None when it vanished since the listing."""
    shown = de.path
    source = de.path
    try:
        if de.is_symlink():
            target = os.path.realpath(de.path)
            if not target.startswith(root_prefix) and not follow_symlinks:
                raise UsageError(
                    f"{shown} is a symbolic link to {target}, outside the input directory",
                    hint="use --follow-symlinks to store what it points to",
                )
            try:
                mode = os.stat(de.path).st_mode
            except OSError:
                raise UsageError(f"{shown} is a dangling symbolic link or a loop") from None
            source = target
        elif de.is_dir(follow_symlinks=False):
            mode = stat.S_IFDIR
        elif de.is_file(follow_symlinks=False):
            mode = stat.S_IFREG
        else:
            mode = de.stat(follow_symlinks=False).st_mode
    except FileNotFoundError:
        return None  # vanished between listing and stat: not part of this snapshot
    except OSError as exc:  # e.g. a path longer than the system allows (ENAMETOOLONG)
        raise _unreadable(shown, exc) from None
    name = de.name if de.name.isascii() else unicodedata.normalize("NFC", de.name)
    if stat.S_ISDIR(mode):
        return name + "/", rel, source, _DIR
    if stat.S_ISREG(mode):
        return name, rel, source, _FILE
    raise UsageError(f"{shown} is {_kind(mode)}; it cannot be stored")


def _unreadable(path: str, exc: OSError) -> Exception:
    if exc.errno == errno.ENAMETOOLONG:
        return UsageError(
            f"{path[:80]}… is longer than the system allows (over 4096 bytes)",
            hint="entry paths are at most 4096 bytes; move or --exclude that directory",
        )
    return StorageError(f"cannot read {path}: {exc.strerror}")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"
