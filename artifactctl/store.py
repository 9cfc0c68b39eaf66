"""The store: one catalog + one blob store in one directory. The library's front door below ops.

Found, in order: an explicit path (``--store DIR``), ``ARTIFACTCTL_DIR``, a ``.artifactctl/`` in
the working directory or a parent, else the user's default store
(``$XDG_DATA_HOME/artifactctl`` or ``~/.local/share/artifactctl``), created on first use.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from artifactctl.blobs import BlobStore
from artifactctl.blobs.packs import DEFAULT_MAX_BLOB
from artifactctl.blobs.store import corrupt, hash_fd
from artifactctl.catalog import Catalog
from artifactctl.catalog.packs import PackIndex
from artifactctl.core import manifest as manifest_fmt
from artifactctl.core.digest import DEFAULT_ALGORITHM, check_algorithm, new_hasher
from artifactctl.core.manifest import Entry, Manifest
from artifactctl.errors import (
    ConflictError,
    IntegrityError,
    NotFoundError,
    StorageError,
    UsageError,
)

STORE_DIRNAME = ".artifactctl"
FORMAT = 1
CONFIG = "config.toml"

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The store's default clock: the system's, unless ``ARTIFACTCTL_NOW`` fixes it.

    ``ARTIFACTCTL_NOW=2030-01-01T00:00:00Z`` (ISO 8601) pins "now" for every catalog time
    (creation, expiry, gc's TTL and pending checks). It exists for tests and rehearsals
    ("what would gc delete next month?"); this is the only place that reads it.
    """
    fixed = os.environ.get("ARTIFACTCTL_NOW")
    if fixed:
        try:
            moment = datetime.fromisoformat(fixed.strip())
        except ValueError:
            raise UsageError(
                f"ARTIFACTCTL_NOW={fixed!r} is not an ISO 8601 time",
                hint="use e.g. 2030-01-01T00:00:00Z, or unset it",
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)


@dataclass(slots=True)
class StoreConfig:
    format: int = FORMAT
    hash: str = DEFAULT_ALGORITHM
    settings: dict[str, Any] = field(default_factory=dict)

    def to_toml(self) -> str:
        lines = [
            "# artifactctl store configuration (edit with `artifactctl config`)",
            f"format = {self.format}",
            f'hash = "{self.hash}"',
        ]
        if self.settings:
            lines.append("")
            lines.append("[settings]")
            for key in sorted(self.settings):
                lines.append(f"{_toml_key(key)} = {_toml_value(self.settings[key])}")
        return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if key.replace("-", "").replace("_", "").isalnum() else f'"{key}"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


PACK_MAX_KEY = "pack-max-size"


def pack_max_size(config: StoreConfig) -> int:
    """Blobs up to this many bytes are packed (setting ``pack-max-size``; 0 turns packing off)."""
    value = config.settings.get(PACK_MAX_KEY, DEFAULT_MAX_BLOB)
    return value if isinstance(value, int) and value >= 0 else DEFAULT_MAX_BLOB


def read_config(path: Path) -> StoreConfig:
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NotFoundError(f"{path.parent} is not an artifactctl store (no {CONFIG})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise IntegrityError(f"{path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise StorageError(f"cannot read {path}: {exc.strerror}") from None
    fmt = doc.get("format")
    if not isinstance(fmt, int):
        raise IntegrityError(f"{path} has no format number")
    if fmt > FORMAT:
        raise IntegrityError(
            f"the store {path.parent} has format {fmt}, newer than this artifactctl ({FORMAT})",
            hint="upgrade artifactctl: pip install -U artifactctl",
        )
    algorithm = doc.get("hash", DEFAULT_ALGORITHM)
    check_algorithm(str(algorithm))
    settings = doc.get("settings", {})
    return StoreConfig(fmt, str(algorithm), dict(settings) if isinstance(settings, dict) else {})


def default_store_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "artifactctl"


def discover(explicit: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Path:
    """Where the store is, by the rules in the module docstring (it may not exist yet)."""
    if explicit:
        return Path(explicit).expanduser().absolute()
    env = os.environ.get("ARTIFACTCTL_DIR")
    if env:
        return Path(env).expanduser().absolute()
    here = (cwd or Path.cwd()).absolute()
    for d in (here, *here.parents):
        candidate = d / STORE_DIRNAME
        if (candidate / CONFIG).is_file():
            return candidate
    return default_store_path()


class Store:
    """An open store. Use :meth:`open` (find or create) or :meth:`init` (create)."""

    def __init__(self, path: Path, *, durable: bool = False, clock: Clock = utc_now) -> None:
        self.path = path
        self.config = read_config(path / CONFIG)
        self.algorithm = self.config.hash
        self.clock = clock
        self.durable = durable
        self.catalog = Catalog(path / "catalog.db")
        self.blobs = BlobStore(
            path / "blobs",
            path / "tmp",
            self.algorithm,
            durable=durable,
            packs=path / "packs",
            pack_max=pack_max_size(self.config),
            index=PackIndex(self.catalog),
        )

    # -- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        create: bool = True,
        durable: bool = False,
        clock: Clock = utc_now,
    ) -> Store:
        where = discover(path)
        try:
            found = (where / CONFIG).is_file()
        except OSError as exc:  # e.g. a store directory this user may not enter
            raise StorageError(
                f"cannot open the store {where}: {exc.strerror}",
                hint="check the permissions of the store directory and its parents",
            ) from None
        if not found:
            if where.exists() and (not where.is_dir() or any(where.iterdir())):
                raise NotFoundError(
                    f"{where} is not an artifactctl store",
                    hint="name an empty or new directory, or run `artifactctl init`",
                )
            if not create:
                raise NotFoundError(f"no store at {where}", hint="run `artifactctl init`")
            _create(where, DEFAULT_ALGORITHM)
        return cls(where, durable=durable, clock=clock)

    @classmethod
    def init(
        cls, directory: str | os.PathLike[str], *, algorithm: str = DEFAULT_ALGORITHM
    ) -> Store:
        """Create ``DIRECTORY/.artifactctl``; refuses to re-initialise (ConflictError)."""
        check_algorithm(algorithm)
        new_hasher(algorithm)  # a missing optional hasher is reported before anything is created
        where = Path(directory).expanduser().absolute() / STORE_DIRNAME
        if where.exists():
            raise ConflictError(
                f"a store already exists at {where}", hint="use it, or choose another directory"
            )
        _create(where, algorithm)
        return cls(where)

    def close(self) -> None:
        self.blobs.reader.close()
        self.catalog.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        return self.clock()

    # -- manifests ----------------------------------------------------------------------------

    def read_manifest(self, digest: str) -> Manifest:
        data = self.blobs.read_verified(digest)
        return manifest_fmt.parse(data, expect_algorithm=self.algorithm)

    def manifest_mentions(self, digest: str, needle: bytes) -> bool:
        """Whether the manifest's bytes contain ``needle`` (a quick look, without parsing:
        ``b'"ref":'`` appears only in manifests with references, as escaped paths cannot hold
        a bare quote). Damage is reported by the full read that follows, not here."""
        if self.blobs.locate([digest]).get(digest) is not None:
            return needle in self.blobs.read_verified(digest)
        fd = self.blobs.open_fd(digest)
        try:
            if os.fstat(fd).st_size == 0:
                return False
            with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as mapped:
                return mapped.find(needle) >= 0
        finally:
            os.close(fd)

    def iter_manifest(self, digest: str) -> Iterator[list[Entry]]:
        """The manifest's entries a batch at a time, for manifests too large to hold as objects
        (a million entries: about 300 MB). Its bytes are hashed first, in one streaming read,
        so nothing of a damaged manifest is ever yielded."""
        if self.blobs.locate([digest]).get(digest) is not None:  # packed: small by definition
            yield self.read_manifest(digest).entries
            return
        fd = self.blobs.open_fd(digest)  # IntegrityError when it is missing
        with open(fd, "rb") as fh:
            actual, _ = hash_fd(fh.fileno(), self.algorithm)
            if actual != digest:
                raise corrupt(digest, actual)
            fh.seek(0)
            yield from manifest_fmt.iter_parse(fh, expect_algorithm=self.algorithm)

    def set_setting(self, key: str, value: Any) -> None:
        if value is None:
            self.config.settings.pop(key, None)
        else:
            self.config.settings[key] = value
        _write_atomic(self.path / CONFIG, self.config.to_toml())


def _create(where: Path, algorithm: str) -> None:
    try:
        where.mkdir(parents=True, exist_ok=True)
        config = StoreConfig(FORMAT, algorithm)
        BlobStore(where / "blobs", where / "tmp", algorithm).create_layout()
        Catalog(where / "catalog.db", create=True).close()
        _write_atomic(where / CONFIG, config.to_toml())
    except PermissionError as exc:
        raise StorageError(f"cannot create a store at {where}: {exc.strerror}") from None
    except OSError as exc:
        raise StorageError(f"cannot create a store at {where}: {exc.strerror}") from None


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    with contextlib.suppress(OSError):
        fd = os.open(tmp, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)
    os.replace(tmp, path)
