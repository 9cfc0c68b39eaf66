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
import os
import stat
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
    root: str  # the input directory it came from (for the stat cache)


def collect(
    paths: list[str],
    *,
    prefix: str | None = None,
    excludes: list[str] | None = None,
    follow_symlinks: bool = False,
) -> list[LocalFile]:
    excludes = excludes or []
    found: dict[str, LocalFile] = {}
    for raw in paths:
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
            for item in _walk(root, excludes, follow_symlinks):
                _add(found, item, prefix, raw)
        elif stat.S_ISREG(st.st_mode):
            source = os.path.realpath(p)
            name = _entry_name(os.path.basename(os.path.abspath(p)), raw)
            _add(found, LocalFile(name, source, FileStat(st), os.path.dirname(source)), prefix, raw)
        else:
            raise UsageError(f"{raw} is {_kind(st.st_mode)}; only files and directories can be put")
    return list(found.values())


def _add(found: dict[str, LocalFile], item: LocalFile, prefix: str | None, raw: str) -> None:
    item.path = join_prefix(prefix, item.path) if prefix else item.path
    other = found.get(item.path)
    if other is not None:
        raise UsageError(
            f"two inputs map to the entry path {item.path!r}: {other.source} and {item.source}",
            hint="use --prefix, or put them separately",
        )
    found[item.path] = item


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


def _walk(root: str, excludes: list[str], follow_symlinks: bool) -> list[LocalFile]:
    out: list[LocalFile] = []
    visited: set[tuple[int, int]] = set()
    root_prefix = root.rstrip("/") + "/"
    stack: list[tuple[str, str]] = [(root, "")]
    while stack:
        directory, rel_dir = stack.pop()
        try:
            dst = os.stat(directory)
        except OSError as exc:
            raise StorageError(f"cannot read {directory}: {exc.strerror}") from None
        key = (dst.st_dev, dst.st_ino)
        if key in visited:
            raise UsageError(f"symbolic link loop at {directory}")
        visited.add(key)
        try:
            entries = list(os.scandir(directory))
        except PermissionError:
            raise StorageError(f"permission denied reading directory {directory}") from None
        except OSError as exc:
            raise StorageError(f"cannot read {directory}: {exc.strerror}") from None
        for de in entries:
            name = de.name
            rel = f"{rel_dir}/{name}" if rel_dir else name
            if excludes and _excluded(rel, excludes):
                continue
            shown = de.path
            try:
                st = de.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue  # vanished between listing and stat: not part of this snapshot
            except OSError as exc:  # e.g. a path longer than the system allows (ENAMETOOLONG)
                raise _unreadable(shown, exc) from None
            mode = st.st_mode
            source = de.path
            if stat.S_ISLNK(mode):
                target = os.path.realpath(de.path)
                inside = target.startswith(root_prefix)
                if not inside and not follow_symlinks:
                    raise UsageError(
                        f"{shown} is a symbolic link to {target}, outside the input directory",
                        hint="use --follow-symlinks to store what it points to",
                    )
                try:
                    st = os.stat(de.path)
                except OSError:
                    raise UsageError(f"{shown} is a dangling symbolic link or a loop") from None
                mode = st.st_mode
                source = target
            if stat.S_ISDIR(mode):
                stack.append((source, rel))
            elif stat.S_ISREG(mode):
                out.append(LocalFile(_entry_name(rel, shown), source, FileStat(st), root))
            else:
                raise UsageError(f"{shown} is {_kind(mode)}; it cannot be stored")
    return out


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
