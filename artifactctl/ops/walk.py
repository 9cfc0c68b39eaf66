"""Listing the files of a directory tree without following symlinks."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from artifactctl.blobs.target import TMP_SUFFIX


def list_tree(root: Path) -> dict[str, os.stat_result]:
    """Relative POSIX path → lstat, for every non-directory below ``root``; symlinks are listed,
    not followed; temporary files and staged directories of an interrupted artifactctl write are
    skipped."""
    out: dict[str, os.stat_result] = {}
    if not root.is_dir():
        return out
    stack = [(str(root), "")]
    while stack:
        directory, rel_dir = stack.pop()
        with os.scandir(directory) as it:
            for de in it:
                rel = f"{rel_dir}/{de.name}" if rel_dir else de.name
                st = de.stat(follow_symlinks=False)
                if de.name.endswith(TMP_SUFFIX):
                    continue  # debris of an interrupted write (a temp file or staged directory)
                if stat.S_ISDIR(st.st_mode):
                    stack.append((de.path, rel))
                else:
                    out[rel] = st
    return out


def remove_empty_dirs(root: Path) -> None:
    for dirpath, _dirnames, _files in os.walk(root, topdown=False):
        if dirpath != str(root):
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)
