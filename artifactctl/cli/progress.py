"""A rich progress bar on stderr, only when stderr is a terminal and the work is long."""

from __future__ import annotations

import sys
import time
from typing import Any

from artifactctl.ops.progress import NO_PROGRESS, Progress

MIN_BYTES = 64 * 1024 * 1024


class RichProgress:
    def __init__(self) -> None:
        self._progress: Any = None
        self._task: Any = None
        self._started = 0.0

    def start(self, description: str, total: int) -> None:
        if total < MIN_BYTES:
            return
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
        if self._progress is not None:
            self._progress.advance(self._task, amount)

    def finish(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


def progress_for(quiet: bool) -> Progress:
    if quiet or not sys.stderr.isatty():
        return NO_PROGRESS
    return RichProgress()
