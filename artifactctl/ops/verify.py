"""``verify``: prove that a directory, or the store's copy, holds exactly a version's bytes."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artifactctl.blobs.store import hash_path
from artifactctl.core.manifest import Entry
from artifactctl.errors import IntegrityError
from artifactctl.ops.resolve import resolve
from artifactctl.ops.walk import list_tree
from artifactctl.ops.workers import by_size
from artifactctl.store import Store


@dataclass(slots=True)
class Mismatch:
    path: str
    expected: str
    actual: str | None  # None: missing

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "expected": self.expected, "actual": self.actual}


@dataclass(slots=True)
class VerifyResult:
    version: str
    digest: str
    target: str  # a directory, or "store"
    checked: int = 0
    missing: list[Mismatch] = field(default_factory=list)
    modified: list[Mismatch] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    skipped_references: int = 0
    references: Any = None  # ops.refs_verify.RefCheck, with verify(..., references=True)

    @property
    def ok(self) -> bool:
        refs_ok = self.references is None or self.references.ok
        return not self.missing and not self.modified and refs_ok

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "version": self.version,
            "digest": self.digest,
            "target": self.target,
            "checked": self.checked,
            "missing": [m.to_json() for m in self.missing],
            "modified": [m.to_json() for m in self.modified],
            "extra": self.extra,
            "skipped_references": self.skipped_references,
            **({"references": self.references.to_json()} if self.references is not None else {}),
        }


def verify(
    store: Store,
    spec: str,
    directory: str | os.PathLike[str] | None = None,
    *,
    references: bool = False,
    deep: bool = False,
) -> VerifyResult:
    """``references``: also check referenced objects against their pins (metadata only, or
    download and re-hash with ``deep``)."""
    version = resolve(store, spec)
    entries = store.read_manifest(version.digest).entries
    local = [e for e in entries if e.ref is None]
    target = "store" if directory is None else str(Path(directory).absolute())
    result = VerifyResult(version.label, version.digest, target)
    result.skipped_references = len(entries) - len(local)
    if references or deep:
        from artifactctl.ops.refs_verify import check_references

        result.references = check_references(
            store, [e for e in entries if e.ref is not None], deep=deep
        )
        result.skipped_references = result.references.unpinned
    if directory is None:
        _check(result, local, _store_hasher(store, local))
        return result
    root = Path(directory)
    present = list_tree(root)
    _check(result, local, lambda e: hash_path(root / e.path, store.algorithm), present)
    wanted = {e.path for e in entries}
    result.extra = sorted(p for p in present if p not in wanted)
    return result


def _store_hasher(store: Store, entries: list[Entry]) -> Callable[[Entry], str]:
    """Hash an entry's blob as stored: its pack range, or its loose file."""
    packed = store.blobs.locate(e.digest for e in entries)
    return lambda e: store.blobs.hash_blob(e.digest, packed.get(e.digest))


def _check(
    result: VerifyResult,
    entries: list[Entry],
    hash_one: Callable[[Entry], str],
    present: dict[str, os.stat_result] | None = None,
) -> None:
    def one(e: Entry) -> tuple[Entry, str | None]:
        if present is not None:
            st = present.get(e.path)
            if st is None:
                return e, None
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
                return e, "not a regular file"
        try:
            return e, hash_one(e)
        except FileNotFoundError:
            return e, None
        except OSError as exc:
            return e, f"unreadable: {exc.strerror}"
        except IntegrityError as exc:  # a pack too short to hold the blob
            return e, f"unreadable: {exc.message}"

    for e, actual in by_size(one, entries, lambda e: e.size):
        result.checked += 1
        if actual is None:
            result.missing.append(Mismatch(e.path, e.digest, None))
        elif actual != e.digest:
            result.modified.append(Mismatch(e.path, e.digest, actual))
