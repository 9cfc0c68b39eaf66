"""Digests as ``ALGO:HEX`` strings: the only place that parses, prints and computes them."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from artifactctl.errors import MissingDependencyError, UsageError

DEFAULT_ALGORITHM = "xxh3-128"

#: algorithm name -> length of its hex digest
HEX_LENGTHS: dict[str, int] = {"xxh3-128": 32, "blake3": 64, "sha256": 64}


class Hasher(Protocol):
    def update(self, data: bytes | memoryview, /) -> object: ...
    def hexdigest(self) -> str: ...


def _xxh3_128() -> Hasher:
    import xxhash

    return xxhash.xxh3_128()


def _blake3() -> Hasher:
    try:
        import blake3
    except ImportError as exc:
        raise MissingDependencyError(
            "this store uses blake3 digests, but the blake3 package is not installed",
            hint="pip install 'artifactctl[blake3]'",
        ) from exc
    hasher: Hasher = blake3.blake3()
    return hasher


def _sha256() -> Hasher:
    return hashlib.sha256()


_FACTORIES: dict[str, Callable[[], Hasher]] = {
    "xxh3-128": _xxh3_128,
    "blake3": _blake3,
    "sha256": _sha256,
}


def check_algorithm(algorithm: str) -> str:
    if algorithm not in _FACTORIES:
        raise UsageError(
            f"unknown hash algorithm {algorithm!r}",
            hint="choose one of: " + ", ".join(_FACTORIES),
        )
    return algorithm


def new_hasher(algorithm: str) -> Hasher:
    return _FACTORIES[check_algorithm(algorithm)]()


def hash_bytes(algorithm: str, data: bytes | memoryview) -> str:
    """Return the hex digest of ``data``."""
    if algorithm == "xxh3-128":
        import xxhash

        return xxhash.xxh3_128_hexdigest(data)
    h = new_hasher(algorithm)
    h.update(data)
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Digest:
    algorithm: str
    hex: str

    def __str__(self) -> str:
        return f"{self.algorithm}:{self.hex}"

    @classmethod
    def parse(cls, text: str) -> Digest:
        algorithm, sep, hexpart = text.partition(":")
        if not sep or algorithm not in HEX_LENGTHS:
            raise UsageError(f"not a digest: {text!r} (expected ALGO:HEX, e.g. xxh3-128:9f…)")
        if len(hexpart) != HEX_LENGTHS[algorithm] or not is_lower_hex(hexpart):
            raise UsageError(
                f"not a digest: {text!r} ({algorithm} digests have "
                f"{HEX_LENGTHS[algorithm]} lowercase hex digits)"
            )
        return cls(algorithm, hexpart)


_LOWER_HEX = re.compile(r"[0-9a-f]+")


def is_lower_hex(text: str) -> bool:
    return _LOWER_HEX.fullmatch(text) is not None


def format_digest(algorithm: str, hexdigest: str) -> str:
    return f"{algorithm}:{hexdigest}"


def split_digest(text: str) -> tuple[str, str]:
    """Split a digest string known to be well formed (from our own catalog or manifest)."""
    d = Digest.parse(text)
    return d.algorithm, d.hex


def short(digest: str, n: int = 12) -> str:
    """A short printable form: ``xxh3-128:9f3a…`` → ``9f3a0c1b2d4e``."""
    return digest.partition(":")[2][:n]
