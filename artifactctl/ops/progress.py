"""Progress reporting from ops to whoever renders it (the CLI's progress bar, or nothing)."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """``total``: bytes, or None when not known in advance (a put streams its files)."""

    def start(self, description: str, total: int | None) -> None: ...
    def advance(self, amount: int) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    def start(self, description: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def finish(self) -> None:
        pass


NO_PROGRESS = NoProgress()
