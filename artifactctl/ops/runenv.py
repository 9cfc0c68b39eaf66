"""What a run records about where it ran: command, working directory, git, Python, OS, host."""

from __future__ import annotations

import os
import platform
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any


def _git(cwd: str, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout if proc.returncode == 0 else None


def git_state(cwd: str) -> tuple[dict[str, Any] | None, str | None]:
    """``({commit, branch, dirty, remote, root}, diff text or None)``; None outside a repo."""
    root = _git(cwd, "rev-parse", "--show-toplevel")
    if root is None:
        return None, None
    commit = (_git(cwd, "rev-parse", "HEAD") or "").strip() or None
    branch = (_git(cwd, "rev-parse", "--abbrev-ref", "HEAD") or "").strip() or None
    remote = (_git(cwd, "config", "--get", "remote.origin.url") or "").strip() or None
    status = _git(cwd, "status", "--porcelain", "--untracked-files=no") or ""
    dirty = bool(status.strip())
    diff = _git(cwd, "diff", "HEAD") if dirty and commit else None
    info = {
        "root": root.strip(),
        "commit": commit,
        "branch": branch,
        "remote": remote,
        "dirty": dirty,
    }
    return info, diff


def collect(
    command: list[str] | None = None, cwd: str | None = None
) -> tuple[dict[str, Any], str | None]:
    """The run's metadata and the git diff (to save as diff.patch) when the tree is dirty."""
    where = cwd or os.getcwd()
    git, diff = git_state(where)
    meta: dict[str, Any] = {
        "cwd": where,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "os": platform.platform(),
        "hostname": socket.gethostname(),
        "pid": os.getpid(),
    }
    if command is not None:
        meta["command"] = list(command)
        meta["command_line"] = shlex.join(command)
    else:
        meta["command"] = [Path(sys.argv[0]).name if sys.argv else "python", *sys.argv[1:]]
        meta["command_line"] = shlex.join(meta["command"])
    if git is not None:
        meta["git"] = git
    return meta, diff
