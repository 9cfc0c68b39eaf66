"""``az://container/blob`` and ``abfs://container/blob`` over adlfs (imported lazily).

Pin: ``etag`` (quotes stripped), ``version_id`` when the account keeps blob versions, ``md5``
(base64 Content-MD5, when the blob has one) and ``size``. A prefix is one paginated list_blobs.
Without a version id an overwritten blob cannot be read as it was: the fetch fails naming the
expected and found ETag.
"""

from __future__ import annotations

import base64
from typing import IO, Any

from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, RefURI, parse_ref_uri
from artifactctl.errors import NotFoundError
from artifactctl.refs._fsspec import FsspecHandler, import_backend
from artifactctl.refs.base import RefChangedError, RefObject, RefVanishedError, too_many
from artifactctl.refs.s3 import _Guarded


def _md5(info: dict[str, Any]) -> str | None:
    settings = info.get("content_settings")
    raw = None
    if isinstance(settings, dict):
        raw = settings.get("content_md5")
    elif settings is not None:
        raw = getattr(settings, "content_md5", None)
    if not raw:
        return None
    if isinstance(raw, bytes | bytearray):
        return base64.b64encode(bytes(raw)).decode()
    return str(raw)


def _pin(info: dict[str, Any]) -> dict[str, Any]:
    etag = info.get("etag")
    return {
        "etag": str(etag).strip('"') if etag else None,
        "version_id": info.get("version_id") or None,
        "md5": _md5(info),
        "size": int(info.get("size") or 0),
    }


def _is_dir(info: dict[str, Any]) -> bool:
    meta = info.get("metadata") or {}
    return info.get("type") == "directory" or str(meta.get("is_directory", "")).lower() == "true"


class AzureHandler(FsspecHandler):
    family = "azure"

    def _make_fs(self) -> Any:
        import_backend("adlfs", "azure", self.scheme)
        import fsspec

        o = self.options
        kwargs: dict[str, Any] = {
            "skip_instance_cache": True,
            "connection_timeout": int(o.connect_timeout),
            "read_timeout": int(o.read_timeout),
        }
        if o.get("azure.account_name"):
            kwargs["account_name"] = o.get("azure.account_name")
        if o.get("azure.account_url"):
            kwargs["account_host"] = str(o.get("azure.account_url")).split("://")[-1]
        from artifactctl.refs.options import truthy

        if o.get("azure.anon") is not None:
            kwargs["anon"] = truthy(o.get("azure.anon"))
        return fsspec.filesystem(self.scheme, **kwargs)

    def _info(self, path: str, uri: str) -> dict[str, Any] | None:
        try:
            return dict(self.call(uri, self.fs.info, path))
        except NotFoundError:
            return None

    def _find(self, path: str, uri: str) -> dict[str, dict[str, Any]]:
        found = self.call(uri, self.fs.find, path, detail=True)
        return {k: v for k, v in found.items() if not _is_dir(v)}

    def list_objects(self, ref: RefURI, max_objects: int = DEFAULT_MAX_OBJECTS) -> list[RefObject]:
        if not ref.is_prefix:
            info = self._info(f"{ref.bucket}/{ref.key}", ref.uri)
            if info is not None and not _is_dir(info):
                pin = _pin(info)
                return [RefObject("", ref.uri, pin["size"], pin)]
        prefix = ref.key if ref.is_prefix else ref.key + "/"
        found = self._find(f"{ref.bucket}/{prefix}".rstrip("/"), ref.uri)
        rows = {k: v for k, v in found.items() if k.startswith(f"{ref.bucket}/{prefix}")}
        if not rows:
            raise NotFoundError(f"no object at or below {ref.uri}")
        if len(rows) > max_objects:
            raise too_many(ref.uri, len(rows), max_objects)
        start = len(ref.bucket) + 1 + len(prefix)
        out = []
        for path in sorted(rows):
            pin = _pin(rows[path])
            out.append(RefObject(path[start:], f"{ref.scheme}://{path}", pin["size"], pin))
        return out

    def _listed_pins(self, bucket: str, prefix: str, scheme: str) -> dict[str, dict[str, Any]]:
        listed = self._find(f"{bucket}/{prefix}".rstrip("/"), f"{scheme}://{bucket}/{prefix}")
        return {path[len(bucket) + 1 :]: _pin(info) for path, info in listed.items()}

    def _current_one(self, p: RefURI) -> dict[str, Any] | None:
        info = self._info(f"{p.bucket}/{p.key}", p.uri)
        return None if info is None or _is_dir(info) else _pin(info)

    def open(self, ref: dict[str, Any], *, pinned: bool = True) -> IO[bytes]:
        p = parse_ref_uri(ref["uri"])
        path = f"{p.bucket}/{p.key}"
        version = ref.get("version_id") if pinned else None
        if pinned and not version:
            now = self._current_one(p)
            if now is None:
                raise RefVanishedError(p.uri)
            if ref.get("etag") and now.get("etag") != ref["etag"]:
                raise RefChangedError(
                    p.uri,
                    f"etag {ref['etag']!r} (no blob versioning to read it from), "
                    f"found etag {now.get('etag')!r}",
                )
        try:
            with self.errors(p.uri):
                f = self.fs.open(path, "rb", version_id=version) if version else self.fs.open(path)
        except NotFoundError:
            raise RefVanishedError(p.uri) from None
        return _Guarded(f, self, p.uri)  # type: ignore[return-value]
