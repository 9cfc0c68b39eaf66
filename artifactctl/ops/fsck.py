"""``fsck``: check the whole store and say what to do about each problem."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from artifactctl.blobs.store import hash_path
from artifactctl.catalog import blobrefs, integrity
from artifactctl.errors import ArtifactctlError
from artifactctl.ops.commit import WORKERS
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

    def check(item: tuple[str, Any]) -> tuple[str, str | None]:
        digest, path = item
        try:
            return digest, hash_path(path, store.algorithm)
        except OSError as exc:
            return digest, f"unreadable ({exc.strerror})"

    corrupt: set[str] = set()
    with ThreadPoolExecutor(WORKERS) as pool:
        for digest, actual in pool.map(check, files):
            result.blobs_checked += 1
            if actual != digest:
                corrupt.add(digest)
                result.problems.append(
                    Problem(
                        "corrupt-blob",
                        digest,
                        f"bytes hash to {actual}",
                        "restore the blob from another copy; `artifactctl fsck --json` lists the"
                        " versions that use it",
                    )
                )
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
