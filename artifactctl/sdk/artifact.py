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
from datetime import timedelta
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
from artifactctl.sdk import lifecycle

if TYPE_CHECKING:
    from artifactctl.sdk.run import Run
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
        if self._row and self._row.link is not None:  # a link is named for its portfolio
            return self._row.link.portfolio
        return self._row.name if self._row else self._need_draft().name

    @property
    def type(self) -> str:
        return self._row.type if self._row else self._need_draft().type

    @property
    def description(self) -> str | None:
        return self._row.description if self._row else self._need_draft().description

    @description.setter
    def description(self, value: str | None) -> None:
        lifecycle.set_description(self, value)  # committed: written by save()

    @property
    def metadata(self) -> dict[str, Any]:
        return self._row.metadata if self._row else self._need_draft().metadata

    @metadata.setter
    def metadata(self, value: dict[str, Any]) -> None:
        lifecycle.set_metadata(self, value)  # committed: written by save()

    @property
    def is_draft(self) -> bool:
        return self._row is None

    # -- committed properties ------------------------------------------------------------------

    @property
    def version(self) -> str:
        row = self._need_row()
        return f"v{row.link.number if row.link is not None else row.number}"

    @property
    def qualified_name(self) -> str:
        row = self._need_row()
        return row.link.label if row.link is not None else row.label

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
        row = self._need_row()
        return list(row.link.aliases if row.link is not None else row.aliases)

    @aliases.setter
    def aliases(self, value: list[str]) -> None:
        lifecycle.set_aliases(self, value)  # written by save(); `latest` stays where it is

    @property
    def tags(self) -> list[str]:
        return list(self._need_row().tags)

    @tags.setter
    def tags(self, value: list[str]) -> None:
        lifecycle.set_tags(self, value)  # written by save()

    @property
    def ttl(self) -> timedelta | None:
        """Time to live (a ``timedelta``), counted from creation; None: never expires."""
        return lifecycle.get_ttl(self)

    @ttl.setter
    def ttl(self, value: timedelta | None) -> None:
        lifecycle.set_ttl(self, value)  # committed: written by save()

    @property
    def expires_at(self) -> str | None:
        return self._need_row().expires_at

    def save(self) -> None:
        """Write changed description, metadata, aliases, tags and ttl (one transaction)."""
        lifecycle.save(self)

    def delete(self, delete_aliases: bool = False) -> None:
        """Delete this version; refused while it has aliases other than latest unless
        ``delete_aliases``. ``gc`` frees its bytes."""
        lifecycle.delete(self, delete_aliases)

    def new_draft(self) -> Artifact:
        """A draft holding this version's files: change it, then ``store.log_artifact``."""
        return lifecycle.new_draft(self)

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

    def add_reference(
        self,
        uri: str,
        name: str | None = None,
        checksum: bool = True,
        max_objects: int | None = None,
    ) -> str:
        """Track an object (or every object under a prefix/directory) by URI without copying it:
        s3://, gs://, az://, abfs://, file:// or http(s)://. The URI is checked now; objects are
        listed and pinned when the artifact is logged (with the store's settings). Returns the
        URI as it will be recorded. ``checksum=False`` records it unpinned (downloads then fetch
        the latest bytes). See docs/references.md."""
        from artifactctl.core.refs import RefRequest, check_max_objects, parse_ref_uri

        draft = self._need_draft()
        parsed = parse_ref_uri(uri)
        check_max_objects(max_objects)
        if name is not None:
            name = normalize_entry_path(name)
        draft.references.append(RefRequest(uri, name, checksum, max_objects))
        return parsed.uri

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

    # -- lineage (docs/runs.md) -----------------------------------------------------------------

    def logged_by(self) -> Run | None:
        """The run that logged this version (None when it was logged outside a run)."""
        from artifactctl.ops.lineage import producer_of
        from artifactctl.sdk.run import Run

        row = producer_of(self._need_store(), self._need_row())
        return Run(self._need_store(), row) if row else None

    def used_by(self) -> list[Run]:
        """The runs that used this version as an input."""
        from artifactctl.ops.lineage import consumers_of
        from artifactctl.sdk.run import Run

        store = self._need_store()
        return [Run(store, r) for r in consumers_of(store, self._need_row())]

    # -- links (docs/registry.md) ---------------------------------------------------------------

    @property
    def is_link(self) -> bool:
        """True when this is a portfolio member (``registry/name:vK``), not the source."""
        return self._need_row().link is not None

    @property
    def source_artifact(self) -> Artifact:
        """The source version (itself when not a link)."""
        from dataclasses import replace

        row = self._need_row()
        if row.link is None:
            return self
        return Artifact._committed(self._need_store(), replace(row, link=None))

    @property
    def linked_artifacts(self) -> list[Artifact]:
        """The portfolio members this version (or a link's source) is, one per portfolio."""
        from dataclasses import replace

        from artifactctl.ops.portfolio import linked_into

        row = self._need_row()
        store = self._need_store()
        return [
            Artifact._committed(store, replace(row, link=m)) for m in linked_into(store, row.id)
        ]

    def link(self, target_path: str, aliases: list[str] | None = None) -> Artifact:
        """Link this version (a link's source) into portfolio ``target_path``; returns the link."""
        from artifactctl.ops.link import link
        from artifactctl.ops.resolve import resolve

        row = self._need_row()
        store = self._need_store()
        result = link(
            store,
            row.label,
            target_path,
            aliases=aliases,
            run_id=os.environ.get("ARTIFACTCTL_RUN_ID") or None,
        )
        return Artifact._committed(store, resolve(store, result.link.label))

    def unlink(self) -> None:
        """Remove this link from its portfolio (the source stays); raises on a non-link."""
        from artifactctl.ops.link import unlink

        row = self._need_row()
        if row.link is None:
            raise ArtifactctlError(
                f"{row.label} is not a link", hint="unlink a portfolio member, e.g. reg/name:v0"
            )
        unlink(self._need_store(), row.link.label, run_id=os.environ.get("ARTIFACTCTL_RUN_ID"))

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
