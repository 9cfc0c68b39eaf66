"""``checkout``: make a directory exactly a version (adding, replacing and removing files)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artifactctl.blobs.store import hash_path
from artifactctl.catalog import checkouts
from artifactctl.core.timefmt import iso
from artifactctl.errors import ConflictError
from artifactctl.ops.get import GetResult, materialize, select_entries
from artifactctl.ops.progress import NO_PROGRESS, Progress
from artifactctl.ops.resolve import resolve
from artifactctl.ops.walk import list_tree, remove_empty_dirs
from artifactctl.store import Store


@dataclass(slots=True)
class CheckoutResult:
    root: str
    version: str
    digest: str
    dry_run: bool
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "root": self.root,
            "version": self.version,
            "digest": self.digest,
            "dry_run": self.dry_run,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
        }


def checkout(
    store: Store,
    spec: str,
    directory: str | os.PathLike[str],
    *,
    dry_run: bool = False,
    force: bool = False,
    link: str = "auto",
    progress: Progress = NO_PROGRESS,
) -> CheckoutResult:
    version = resolve(store, spec)
    root = Path(directory).absolute()
    entries = select_entries(store.read_manifest(version.digest).entries, None)
    existing = list_tree(root)
    if existing and not force and not checkouts.is_checkout(store.catalog, str(root)):
        raise ConflictError(
            f"{root} is not empty and was not created by `artifactctl checkout`",
            hint="use --force to make it exactly the version (files not in it are removed)",
        )
    result = CheckoutResult(str(root), version.label, version.digest, dry_run)
    wanted = {e.path: e for e in entries}
    for path, st in sorted(existing.items()):
        entry = wanted.get(path)
        if entry is None:
            result.removed.append(path)
        elif (
            not stat.S_ISREG(st.st_mode)
            or st.st_size != entry.size
            or hash_path(root / path, store.algorithm) != entry.digest
        ):
            result.changed.append(path)
        else:
            result.unchanged += 1
    result.added = sorted(p for p in wanted if p not in existing)
    if dry_run:
        return result
    for path in result.removed:
        os.unlink(root / path)
    remove_empty_dirs(root)
    todo = [wanted[p] for p in result.added + result.changed]
    materialize(
        store,
        [[e for e in todo if e.ref is None]],
        root,
        refs=[e for e in todo if e.ref is not None],
        total=sum(e.size for e in todo),
        link=link,
        force=True,
        verify=True,
        result=GetResult(str(root), version.label, version.digest),
        progress=progress,
    )
    with store.catalog.write():
        checkouts.record(store.catalog, str(root), version.id, iso(store.now()))
    return result
