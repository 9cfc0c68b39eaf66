"""``fsck``: check the whole store and say what to do about each problem."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import Any

from artifactctl.blobs.packs import PackLoc, list_packs, read_trailer
from artifactctl.blobs.store import hash_path
from artifactctl.catalog import blobrefs, integrity, packs
from artifactctl.core.digest import format_digest, hash_bytes
from artifactctl.errors import ArtifactctlError
from artifactctl.ops.workers import pooled
from artifactctl.store import Store

DEFAULT_GRACE_SECONDS = 3600


@dataclass(slots=True)
class Problem:
    kind: str  # catalog, corrupt-blob, missing-blob, bad-manifest, dangling-alias, …
    subject: str
    detail: str
    fix: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "detail": self.detail, "fix": self.fix}


@dataclass(slots=True)
class FsckResult:
    blobs_checked: int = 0
    versions_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "blobs_checked": self.blobs_checked,
            "versions_checked": self.versions_checked,
            "problems": [p.to_json() for p in self.problems],
        }


def fsck(store: Store, *, grace_seconds: int = DEFAULT_GRACE_SECONDS) -> FsckResult:
    result = FsckResult()
    cat = store.catalog
    for message in integrity.quick_check(cat):
        result.problems.append(
            Problem("catalog", "catalog.db", message, "restore catalog.db from a backup")
        )
    if result.problems:
        return result
    files = store.blobs.iter_files()
    on_disk = {d for d, _ in files}
    with cat.read():
        packed_rows = packs.packed_blobs(cat)
    pack_files = dict(list_packs(store.blobs.packs))

    def check(item: tuple[str, Any]) -> tuple[str, str | None]:
        digest, path = item
        try:
            return digest, hash_path(path, store.algorithm)
        except OSError as exc:
            return digest, f"unreadable ({exc.strerror})"

    corrupt: set[str] = set()
    for digest, actual in pooled(check, files):
        result.blobs_checked += 1
        if actual != digest:
            corrupt.add(digest)
            result.problems.append(_corrupt_blob(digest, f"bytes hash to {actual}"))
    on_disk |= _check_packs(store, result, packed_rows, pack_files, corrupt, grace_seconds)
    with cat.read():
        for version_label, version_digest, needed in integrity.committed_versions(cat):
            result.versions_checked += 1
            missing = [d for d in needed if d not in on_disk]
            for d in missing:
                result.problems.append(
                    Problem(
                        "missing-blob",
                        version_label,
                        f"blob {d} is missing",
                        f"restore the blob, or delete {version_label}",
                    )
                )
            bad = [d for d in needed if d in corrupt]
            for d in bad:
                result.problems.append(
                    Problem(
                        "corrupt-blob",
                        version_label,
                        f"uses corrupt blob {d}",
                        f"restore the blob, or delete {version_label}",
                    )
                )
            if version_digest in on_disk and version_digest not in corrupt:
                try:
                    store.read_manifest(version_digest)
                except ArtifactctlError as exc:
                    result.problems.append(
                        Problem(
                            "bad-manifest", version_label, exc.message, f"delete {version_label}"
                        )
                    )
        for label, alias in integrity.dangling_aliases(cat):
            result.problems.append(
                Problem(
                    "dangling-alias",
                    f"{label.partition(':')[0]}:{alias}",
                    f"points at {label}, which is not committed",
                    "move it with `artifactctl alias set` or remove it",
                )
            )
        horizon = time.time() - grace_seconds
        for label in integrity.stale_pending(cat, store.now().timestamp() - grace_seconds):
            result.problems.append(
                Problem(
                    "stale-pending",
                    label,
                    "an interrupted write left this version pending",
                    "run `artifactctl gc`",
                )
            )
        known = {d for d, _ in blobrefs.all_blobs(cat)}
    for digest in sorted(on_disk - known):
        path = store.blobs.path(digest)
        if path.stat().st_mtime < horizon:
            result.problems.append(
                Problem(
                    "orphan-blob",
                    digest,
                    "a blob no version refers to (left by an interrupted put)",
                    "run `artifactctl gc`",
                )
            )
    tmp = store.path / "tmp"
    if tmp.is_dir():
        for name in sorted(os.listdir(tmp)):
            full = tmp / name
            try:
                if full.stat().st_mtime < horizon:
                    result.problems.append(
                        Problem(
                            "temp-file",
                            str(full),
                            "debris of an interrupted write",
                            "run `artifactctl gc`",
                        )
                    )
            except FileNotFoundError:
                continue
    return result


def _corrupt_blob(digest: str, detail: str) -> Problem:
    return Problem(
        "corrupt-blob",
        digest,
        detail,
        "restore it from another copy; `artifactctl fsck --json` lists the versions that use it",
    )


def _check_packs(
    store: Store,
    result: FsckResult,
    rows: list[tuple[str, str, int, int]],
    files: dict[str, Any],
    corrupt: set[str],
    grace_seconds: int,
) -> set[str]:
    """Check every packed blob against its digest, each pack's trailer against the catalog,
    and report packs nothing refers to; returns the packed digests that are present."""
    present: set[str] = set()
    by_pack: dict[str, list[tuple[str, int, int]]] = {}
    for digest, pack, offset, size in rows:
        by_pack.setdefault(pack, []).append((digest, offset, size))
    for pack, members in sorted(by_pack.items()):
        if pack not in files:
            continue  # its blobs are reported missing by the versions that use them
        try:
            described = {(d, o, s) for d, o, s in read_trailer(files[pack])}
        except (ArtifactctlError, OSError) as exc:
            detail = exc.message if isinstance(exc, ArtifactctlError) else str(exc)
            result.problems.append(
                Problem("bad-pack", pack, detail, "restore the pack file from a copy")
            )
            described = None
        for digest, offset, size in members:
            result.blobs_checked += 1
            try:
                data = store.blobs.reader.read(PackLoc(pack, offset, size))
            except (ArtifactctlError, OSError):
                data = None
            actual = (
                format_digest(store.algorithm, hash_bytes(store.algorithm, data))
                if data is not None
                else "nothing (the pack is too short)"
            )
            if described is not None and (digest, offset, size) not in described:
                result.problems.append(
                    Problem(
                        "bad-pack",
                        pack,
                        f"the catalog places blob {digest} at offset {offset}, which the pack's"
                        " own index does not list",
                        "restore catalog.db or the pack file from a backup",
                    )
                )
            if actual != digest:
                corrupt.add(digest)
                detail = f"bytes at offset {offset} of pack {pack} hash to {actual}"
                result.problems.append(_corrupt_blob(digest, detail))
            present.add(digest)
    horizon = time.time() - grace_seconds
    for pack, path in sorted(files.items()):
        if pack in by_pack:
            continue
        try:
            old = path.stat().st_mtime < horizon
        except FileNotFoundError:
            continue
        if old:
            result.problems.append(
                Problem(
                    "orphan-pack",
                    pack,
                    "a pack no blob row refers to (left by an interrupted put, or emptied by gc)",
                    "run `artifactctl gc`",
                )
            )
    return present
