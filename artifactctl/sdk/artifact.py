"""``artifactctl.Artifact``: a draft you add files to, or a committed version you read.

Names follow the W&B SDK where the concept is the same (``add_file``, ``add_dir``, ``new_file``,
``remove``, ``download``, ``checkout``, ``verify``, ``files``, ``get_entry``, ``file``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from artifactctl.catalog.rows import VersionRow
from artifactctl.core.manifest import Entry, Manifest
from artifactctl.core.metadata import check_metadata
from artifactctl.core.names import check_name, check_type
from artifactctl.core.paths import normalize_entry_path
from artifactctl.errors import ArtifactctlError, ConflictError, IntegrityError, NotFoundError
from artifactctl.ops.commit import Draft
from artifactctl.ops.inputs import LocalFile, collect

if TYPE_CHECKING:
    from artifactctl.store import Store as LowStore


@dataclass(slots=True)
class ArtifactEntry:
    """One file of a committed version."""

    path: str
    digest: str
    size: int
    ref: dict[str, Any] | None
    _artifact: Artifact

    def download(self, root: str | os.PathLike[str] | None = None) -> str:
        """Materialize just this entry; returns the local path of the file."""
        root_dir = self._artifact.download(root, path_prefix=self.path)
        return str(Path(root_dir) / self.path)


class Artifact:
    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._draft: Draft | None = Draft(
            check_name(name), check_type(type), description, dict(check_metadata(metadata))
        )
        self._row: VersionRow | None = None
        self._store: LowStore | None = None
        self._manifest: Manifest | None = None
        self._staging: str | None = None

    # -- construction from the catalog ---------------------------------------------------------

    @classmethod
    def _committed(cls, store: LowStore, row: VersionRow) -> Artifact:
        art = cls.__new__(cls)
        art._draft = None
        art._row = row
        art._store = store
        art._manifest = None
        art._staging = None
        return art

    # -- common properties ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._row.name if self._row else self._need_draft().name

    @property
    def type(self) -> str:
        return self._row.type if self._row else self._need_draft().type

    @property
    def description(self) -> str | None:
        return self._row.description if self._row else self._need_draft().description

    @property
    def metadata(self) -> dict[str, Any]:
        return self._row.metadata if self._row else self._need_draft().metadata

    @property
    def is_draft(self) -> bool:
        return self._row is None

    # -- committed properties ------------------------------------------------------------------

    @property
    def version(self) -> str:
        return f"v{self._need_row().number}"

    @property
    def qualified_name(self) -> str:
        return self._need_row().label

    @property
    def digest(self) -> str:
        return self._need_row().digest

    @property
    def size(self) -> int:
        return self._need_row().size

    @property
    def file_count(self) -> int:
        return self._need_row().file_count

    @property
    def aliases(self) -> list[str]:
        return list(self._need_row().aliases)

    @property
    def tags(self) -> list[str]:
        return list(self._need_row().tags)

    @property
    def state(self) -> str:
        return self._row.state if self._row else "PENDING"

    @property
    def created_at(self) -> str:
        return self._need_row().created_at

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = self._need_store().read_manifest(self.digest)
        return self._manifest

    def __repr__(self) -> str:
        if self._row:
            return f"<Artifact {self._row.label} {self._row.digest}>"
        return f"<Artifact draft {self.name!r} ({self.type})>"

    # -- draft methods -------------------------------------------------------------------------

    def add_file(
        self,
        local_path: str | os.PathLike[str],
        name: str | None = None,
        *,
        overwrite: bool = False,
    ) -> str:
        """Add one file at entry path ``name`` (default: its basename)."""
        draft = self._need_draft()
        (item,) = collect([str(local_path)])
        item.path = normalize_entry_path(name) if name else item.path
        self._add(draft, item, overwrite)
        return item.path

    def add_dir(self, local_path: str | os.PathLike[str], name: str | None = None) -> list[str]:
        """Add a directory's files, under entry-path prefix ``name`` if given."""
        draft = self._need_draft()
        if not Path(local_path).is_dir():
            raise NotFoundError(f"{local_path} is not a directory")
        added = []
        for item in collect([str(local_path)], prefix=name):
            self._add(draft, item, False)
            added.append(item.path)
        return added

    @contextlib.contextmanager
    def new_file(
        self, name: str, mode: str = "x", encoding: str | None = None
    ) -> Iterator[IO[Any]]:
        """Open a new file that becomes entry ``name`` (written to a staging directory)."""
        draft = self._need_draft()
        path = normalize_entry_path(name)
        if path in draft.paths():
            raise ConflictError(f"the draft already has an entry {path!r}")
        if self._staging is None:
            self._staging = tempfile.mkdtemp(prefix="artifactctl-new-file-")
        local = Path(self._staging) / path
        local.parent.mkdir(parents=True, exist_ok=True)
        with open(local, mode, encoding=encoding) as fh:
            yield fh
        (item,) = collect([str(local)])
        item.path = path
        self._add(draft, item, False)

    def remove(self, name: str) -> None:
        """Remove an entry (or every entry under a directory prefix) from the draft."""
        draft = self._need_draft()
        path = normalize_entry_path(name.rstrip("/"))
        gone = [p for p in draft.paths() if p == path or p.startswith(path + "/")]
        if not gone:
            raise NotFoundError(f"the draft has no entry {name!r}")
        for p in gone:
            draft.files.pop(p, None)
            draft.entries.pop(p, None)

    def _add(self, draft: Draft, item: LocalFile, overwrite: bool) -> None:
        if item.path in draft.paths() and not overwrite:
            raise ConflictError(
                f"the draft already has an entry {item.path!r}", hint="pass overwrite=True"
            )
        draft.entries.pop(item.path, None)
        draft.files[item.path] = item

    # -- committed methods ---------------------------------------------------------------------

    def download(
        self,
        root: str | os.PathLike[str] | None = None,
        path_prefix: str | None = None,
        *,
        link: str = "auto",
        force: bool = False,
    ) -> str:
        from artifactctl.ops.get import get

        return get(
            self._need_store(),
            self.qualified_name,
            root=root,
            path_prefix=path_prefix,
            link=link,
            force=force,
        ).root

    def checkout(self, root: str | os.PathLike[str] | None = None) -> str:
        from artifactctl.ops.checkout import checkout
        from artifactctl.ops.get import default_root

        target = root if root is not None else default_root(self._need_row())
        return checkout(self._need_store(), self.qualified_name, target, force=True).root

    def verify(self, root: str | os.PathLike[str] | None = None) -> None:
        """Raise IntegrityError unless ``root`` (or the store's copy) matches exactly."""
        from artifactctl.ops.verify import verify

        result = verify(self._need_store(), self.qualified_name, root)
        if not result.ok:
            bad = [m.path for m in result.missing + result.modified]
            raise IntegrityError(
                f"{self.qualified_name} does not match {result.target}: "
                f"{len(result.missing)} missing, {len(result.modified)} modified "
                f"({', '.join(bad[:5])}{'…' if len(bad) > 5 else ''})"
            )

    def files(self) -> list[ArtifactEntry]:
        return [self._entry(e) for e in self.manifest.entries]

    def get_entry(self, name: str) -> ArtifactEntry:
        path = normalize_entry_path(name)
        for e in self.manifest.entries:
            if e.path == path:
                return self._entry(e)
        raise NotFoundError(f"{self.qualified_name} has no entry {name!r}")

    def file(self, root: str | os.PathLike[str] | None = None) -> str:
        """Download a single-file artifact and return the file's path."""
        entries = self.manifest.entries
        if len(entries) != 1:
            raise ArtifactctlError(
                f"{self.qualified_name} has {len(entries)} files; file() needs exactly one",
                hint="use download() or get_entry(name).download()",
            )
        return str(Path(self.download(root)) / entries[0].path)

    def _entry(self, e: Entry) -> ArtifactEntry:
        return ArtifactEntry(e.path, e.digest, e.size, e.ref, self)

    # -- internals -----------------------------------------------------------------------------

    def _need_draft(self) -> Draft:
        if self._draft is None:
            raise ArtifactctlError(
                "this artifact is committed and immutable",
                hint="start a new Artifact(...) to make another version",
            )
        return self._draft

    def _need_row(self) -> VersionRow:
        if self._row is None:
            raise ArtifactctlError(
                "this artifact is a draft; log it first with store.log_artifact(artifact)"
            )
        return self._row

    def _need_store(self) -> LowStore:
        self._need_row()
        assert self._store is not None
        return self._store

    def _cleanup_staging(self) -> None:
        if self._staging:
            shutil.rmtree(self._staging, ignore_errors=True)
            self._staging = None
