"""The reference-handler interface: one implementation per URI scheme family.

A handler lists objects in bulk (one listing per prefix, never one request per object), reads
their pins, checks many pinned refs against the backend at once, and opens a byte stream of an
object, at its pinned version where the backend keeps versions. Every backend failure leaves a
handler as an :mod:`artifactctl.errors` exception (StorageError for credentials, permissions,
timeouts and unreachable endpoints), never as a backend exception.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, RefURI, pin_difference, redact
from artifactctl.errors import ArtifactctlError, IntegrityError, NotFoundError, UsageError

#: Where a fetch or check found the object: the same, changed, or gone.
OK, CHANGED, VANISHED = "ok", "changed", "vanished"


@dataclass(slots=True)
class RefObject:
    """One object found by a listing: its path below the listed URI and its pin."""

    rel: str  # path relative to the listed prefix; "" when the URI named the object itself
    uri: str
    size: int
    pin: dict[str, Any]


@dataclass(slots=True)
class RefStatus:
    """The current state of one pinned ref."""

    uri: str
    state: str  # ok | changed | vanished
    detail: str | None = None
    found: dict[str, Any] | None = None


class RefChangedError(IntegrityError):
    """A referenced object no longer matches its pin and the pinned version cannot be read."""

    def __init__(self, uri: str, detail: str) -> None:
        super().__init__(
            f"{redact(uri)} changed since it was added: expected {detail}",
            hint="get it with --allow-missing-references to skip it, or put a new version",
        )
        self.uri = uri


class RefVanishedError(NotFoundError):
    """A referenced object is gone."""

    def __init__(self, uri: str) -> None:
        super().__init__(
            f"{redact(uri)} no longer exists",
            hint="get with --allow-missing-references to skip it",
        )
        self.uri = uri


def too_many(uri: str, count: int, limit: int) -> UsageError:
    return UsageError(
        f"{redact(uri)} holds {count:,} objects, more than --max-objects {limit:,}",
        hint=f"raise the limit: --max-objects {count} (Python: max_objects={count}), or add a"
        " narrower prefix",
    )


class RefHandler(ABC):
    """One backend. Subclasses are created by :func:`artifactctl.refs.handler_for`."""

    family: str = ""

    @abstractmethod
    def list_objects(self, ref: RefURI, max_objects: int = DEFAULT_MAX_OBJECTS) -> list[RefObject]:
        """The object ``ref`` names, or every object below it when it is a prefix/directory.

        Raises NotFoundError when nothing is there and UsageError beyond ``max_objects``."""

    @abstractmethod
    def current(self, refs: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """The current pin of each ref's object (None: gone), in as few calls as the backend
        allows."""

    @abstractmethod
    def open(self, ref: dict[str, Any], *, pinned: bool = True) -> IO[bytes]:
        """A binary stream of the object: its pinned version if the backend keeps versions,
        else the current one after checking it still matches the pin (RefChangedError,
        RefVanishedError). ``pinned=False``: the latest bytes, unchecked."""

    def check(self, refs: list[dict[str, Any]]) -> list[RefStatus]:
        """Compare each pinned ref with the object's current metadata (no download)."""
        out = []
        for ref, now in zip(refs, self.current(refs), strict=True):
            if now is None:
                out.append(RefStatus(ref["uri"], VANISHED))
                continue
            diff = pin_difference(self.family, ref, now)
            out.append(RefStatus(ref["uri"], OK if diff is None else CHANGED, diff, now))
        return out

    def close(self) -> None:  # noqa: B027 (optional hook)
        """Release clients (optional)."""


def iter_chunks(stream: IO[bytes], size: int = 1 << 20) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


_SECRETS = [
    re.compile(r"(AccountKey=)[^;\s]+", re.IGNORECASE),
    re.compile(r"(SharedAccessSignature=)[^;\s]+", re.IGNORECASE),
    re.compile(r"([?&](?:sig|X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token)=)[^&\s]+"),
    re.compile(r"(Authorization['\"]?\s*[:=]\s*['\"]?)[^'\"\s,]+", re.IGNORECASE),
]


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove anything that looks like a credential from a backend's error text."""
    for pattern in _SECRETS:
        text = pattern.sub(r"\1***", text)
    for s in secrets:
        if s and len(s) >= 6:
            text = text.replace(s, "***")
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:300]


__all__ = [
    "CHANGED",
    "OK",
    "VANISHED",
    "ArtifactctlError",
    "RefChangedError",
    "RefHandler",
    "RefObject",
    "RefStatus",
    "RefVanishedError",
    "iter_chunks",
    "scrub",
    "too_many",
]
