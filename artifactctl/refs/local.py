"""``file:///path``: files on a local or mounted file system (NFS, SMB, FUSE).

Pin: ``size``, ``mtime_ns`` and ``content_digest`` (the store's hash of the bytes). A directory
expands to its regular files (symlinked directories are not followed). Checking re-hashes a file
only when its size or mtime moved; a touched file with the same bytes is still OK. File systems
keep no versions: a changed file fails the fetch with the expected and found content digest.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO, Any, TypeVar
from urllib.parse import quote

from artifactctl.core.digest import format_digest, new_hasher
from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, RefURI, parse_ref_uri
from artifactctl.errors import NotFoundError, StorageError
from artifactctl.refs.base import RefChangedError, RefHandler, RefObject, RefVanishedError, too_many
from artifactctl.refs.options import RefOptions

T = TypeVar("T")
CHUNK = 1 << 20


def hash_file(path: str, algorithm: str) -> str:
    hasher = new_hasher(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return format_digest(algorithm, hasher.hexdigest())


class FileHandler(RefHandler):
    family = "file"

    def __init__(self, options: RefOptions) -> None:
        self.options = options

    def _map(self, fn: Callable[[Any], T], items: list[Any]) -> list[T]:
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(min(self.options.workers * 2, 32)) as pool:
            return list(pool.map(fn, items))

    def _pin(self, path: str, st: os.stat_result, old: dict[str, Any] | None = None) -> dict:
        if old and old.get("size") == st.st_size and old.get("mtime_ns") == st.st_mtime_ns:
            digest = old.get("content_digest")
        else:
            try:
                digest = hash_file(path, self.options.algorithm)
            except OSError as exc:
                raise StorageError(f"cannot read {path}: {exc.strerror}") from None
        return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "content_digest": digest}

    def list_objects(self, ref: RefURI, max_objects: int = DEFAULT_MAX_OBJECTS) -> list[RefObject]:
        path = "/" + ref.key.rstrip("/") if ref.key.strip("/") else "/"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise NotFoundError(f"{ref.uri} does not exist") from None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from None
        if stat.S_ISREG(st.st_mode):
            pin = self._pin(path, st)
            return [RefObject("", ref.uri, st.st_size, pin)]
        if not stat.S_ISDIR(st.st_mode):
            raise NotFoundError(f"{ref.uri} is neither a regular file nor a directory")
        files: list[tuple[str, str, os.stat_result]] = []
        for dirpath, dirnames, filenames in os.walk(path, onerror=_raise):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                try:
                    fst = os.stat(full, follow_symlinks=False)
                except OSError:
                    continue
                if stat.S_ISREG(fst.st_mode):
                    files.append((os.path.relpath(full, path).replace(os.sep, "/"), full, fst))
        if len(files) > max_objects:
            raise too_many(ref.uri, len(files), max_objects)
        if not files:
            raise NotFoundError(f"{ref.uri} holds no files")
        pins = self._map(lambda item: self._pin(item[1], item[2]), files)
        base = ref.uri if ref.uri.endswith("/") else ref.uri + "/"
        return [
            RefObject(rel, base + quote(rel), fst.st_size, pin)
            for (rel, _, fst), pin in zip(files, pins, strict=True)
        ]

    def _current_one(self, ref: dict[str, Any]) -> dict[str, Any] | None:
        path = "/" + parse_ref_uri(ref["uri"]).key
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from None
        if not stat.S_ISREG(st.st_mode):
            return None
        return self._pin(path, st, ref)

    def current(self, refs: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        return self._map(self._current_one, refs)

    def open(self, ref: dict[str, Any], *, pinned: bool = True) -> IO[bytes]:
        uri = ref["uri"]
        path = "/" + parse_ref_uri(uri).key
        try:
            fh = open(path, "rb")  # noqa: SIM115 (the caller closes it)
        except FileNotFoundError:
            raise RefVanishedError(uri) from None
        except OSError as exc:
            raise StorageError(f"cannot read {path}: {exc.strerror}") from None
        if pinned and ref.get("size") is not None:
            size = os.fstat(fh.fileno()).st_size
            if size != ref["size"]:
                fh.close()
                raise RefChangedError(
                    uri, f"size {ref['size']} (files keep no versions), found size {size}"
                )
        return fh


def _raise(exc: OSError) -> None:
    raise StorageError(f"cannot list {exc.filename}: {exc.strerror}")
