"""A rich progress bar on stderr, only when stderr is a terminal and the work is long."""

from __future__ import annotations

import sys
import time
from typing import Any

from artifactctl.ops.progress import NO_PROGRESS, Progress

MIN_BYTES = 64 * 1024 * 1024


class RichProgress:
    """A bar with a total and time remaining; for work of unknown size (a put streams its
    files), a running count of bytes that appears once ``MIN_BYTES`` have gone by."""

    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._started = 0.0
        self._pending: str | None = None  # description of unknown-size work not shown yet
        self._done = 0

    def start(self, description: str, total: int | None) -> None:
        if total is None:
            self._pending, self._done = description, 0
            return
        if total < MIN_BYTES:
            return
        self._show(description, total)

    def _show(self, description: str, total: int | None) -> None:
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        from artifactctl.cli.render import err_console

        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=err_console(),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(description, total=total)
        self._started = time.monotonic()

    def advance(self, amount: int) -> None:
        if self._pending is not None:
            self._done += amount
            if self._done < MIN_BYTES:
                return
            description, self._pending = self._pending, None
            self._show(description, None)
            amount = self._done
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        self._pending = None
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def progress_for(quiet: bool) -> Progress:
    if quiet or not sys.stderr.isatty():
        return NO_PROGRESS
    return RichProgress()
