"""``s3://bucket/key`` over s3fs (imported only when an s3:// URI is used).

Pin: ``etag`` (quotes stripped), ``version_id`` (when the bucket is versioned) and ``size``.
Prefixes are listed with ListObjectVersions (versioned buckets: the latest version of each key
comes with its VersionId) or ListObjectsV2, 1,000 keys per request. A pinned VersionId is read
directly, so an overwritten or deleted object is still fetched as it was.
"""

from __future__ import annotations

import contextlib
from typing import IO, Any

from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, RefURI, parse_ref_uri
from artifactctl.refs._fsspec import FsspecHandler, import_backend
from artifactctl.refs.base import RefChangedError, RefObject, RefVanishedError, too_many


def _etag(value: Any) -> str | None:
    return str(value).strip('"') if value else None


def _version(value: Any) -> str | None:
    return str(value) if value and value != "null" else None


class S3Handler(FsspecHandler):
    family = "s3"

    def _make_fs(self) -> Any:
        import_backend("s3fs", "s3", "s3")
        import fsspec

        o = self.options
        config: dict[str, Any] = {
            "connect_timeout": o.connect_timeout,
            "read_timeout": o.read_timeout,
            "retries": {"max_attempts": 3, "mode": "standard"},
        }
        kwargs: dict[str, Any] = {
            "version_aware": True,
            "skip_instance_cache": True,
            "config_kwargs": config,
        }
        if o.get("s3.endpoint_url"):
            kwargs["endpoint_url"] = o.get("s3.endpoint_url")
        if o.get("s3.profile"):
            kwargs["profile"] = o.get("s3.profile")
        if o.get("s3.region"):
            kwargs["client_kwargs"] = {"region_name": o.get("s3.region")}
        if o.get("s3.anon") is not None:
            from artifactctl.refs.options import truthy

            kwargs["anon"] = truthy(o.get("s3.anon"))
        return fsspec.filesystem("s3", **kwargs)

    # -- listing -------------------------------------------------------------------------------

    def _versioned(self, bucket: str, uri: str) -> bool:
        res = self.call(uri, self.fs.call_s3, "get_bucket_versioning", Bucket=bucket)
        return res.get("Status") in ("Enabled", "Suspended")

    def _list_prefix(self, bucket: str, prefix: str, uri: str) -> list[dict[str, Any]]:
        """Every current object below ``prefix``: dicts with Key, ETag, Size, VersionId."""
        out: list[dict[str, Any]] = []
        if self._versioned(bucket, uri):
            kw: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
            while True:
                page = self.call(uri, self.fs.call_s3, "list_object_versions", **kw)
                out.extend(v for v in page.get("Versions", []) if v.get("IsLatest"))
                # a key whose latest entry is a delete marker has no Versions entry marked latest
                if not page.get("IsTruncated"):
                    break
                kw["KeyMarker"] = page.get("NextKeyMarker")
                kw["VersionIdMarker"] = page.get("NextVersionIdMarker")
            return out
        kw = {"Bucket": bucket, "Prefix": prefix}
        while True:
            page = self.call(uri, self.fs.call_s3, "list_objects_v2", **kw)
            out.extend(page.get("Contents", []))
            if not page.get("IsTruncated"):
                break
            kw["ContinuationToken"] = page.get("NextContinuationToken")
        return out

    def _head(self, bucket: str, key: str, uri: str, version: str | None = None) -> dict[str, Any]:
        kw: dict[str, Any] = {"Bucket": bucket, "Key": key}
        if version:
            kw["VersionId"] = version
        return dict(self.call(uri, self.fs.call_s3, "head_object", **kw))

    def list_objects(self, ref: RefURI, max_objects: int = DEFAULT_MAX_OBJECTS) -> list[RefObject]:
        from artifactctl.errors import NotFoundError

        if not ref.is_prefix:
            try:
                head = self._head(ref.bucket, ref.key, ref.uri)
            except NotFoundError:
                head = None
            if head is not None:
                pin = {
                    "etag": _etag(head.get("ETag")),
                    "version_id": _version(head.get("VersionId")),
                    "size": int(head.get("ContentLength", 0)),
                }
                return [RefObject("", ref.uri, pin["size"], pin)]  # type: ignore[arg-type]
        prefix = ref.key if ref.is_prefix else ref.key + "/"
        rows = [
            r
            for r in self._list_prefix(ref.bucket, prefix, ref.uri)
            if not (r["Key"].endswith("/") and int(r.get("Size", 0)) == 0)
        ]
        if not rows:
            raise NotFoundError(f"no object at or below {ref.uri}")
        if len(rows) > max_objects:
            raise too_many(ref.uri, len(rows), max_objects)
        base = prefix if prefix == "" or prefix.endswith("/") else prefix + "/"
        out = []
        for r in rows:
            rel = r["Key"][len(prefix) :] if r["Key"].startswith(prefix) else r["Key"]
            pin = {
                "etag": _etag(r.get("ETag")),
                "version_id": _version(r.get("VersionId")),
                "size": int(r.get("Size", 0)),
            }
            out.append(RefObject(rel, f"s3://{ref.bucket}/{base}{rel}", pin["size"], pin))  # type: ignore[arg-type]
        return out

    # -- checking ------------------------------------------------------------------------------

    def _listed_pins(self, bucket: str, prefix: str, scheme: str) -> dict[str, dict[str, Any]]:
        rows = self._list_prefix(bucket, prefix, f"s3://{bucket}/{prefix}")
        return {
            r["Key"]: {
                "etag": _etag(r.get("ETag")),
                "version_id": _version(r.get("VersionId")),
                "size": int(r.get("Size", 0)),
            }
            for r in rows
        }

    def _current_one(self, p: RefURI) -> dict[str, Any] | None:
        from artifactctl.errors import NotFoundError

        try:
            head = self._head(p.bucket, p.key, p.uri)
        except NotFoundError:
            return None
        return {
            "etag": _etag(head.get("ETag")),
            "version_id": _version(head.get("VersionId")),
            "size": int(head.get("ContentLength", 0)),
        }

    # -- reading -------------------------------------------------------------------------------

    def open(self, ref: dict[str, Any], *, pinned: bool = True) -> IO[bytes]:
        from artifactctl.errors import NotFoundError

        p = parse_ref_uri(ref["uri"])
        path = f"{p.bucket}/{p.key}"
        version = ref.get("version_id") if pinned else None
        try:
            with self.errors(p.uri):
                f = self.fs.open(path, "rb", version_id=version) if version else self.fs.open(path)
        except NotFoundError:
            now = self._current_one(p)
            if now is None:
                raise RefVanishedError(p.uri) from None
            raise RefChangedError(
                p.uri,
                f"version_id {version!r} (no longer readable), found version_id "
                f"{now.get('version_id')!r} etag {now.get('etag')!r}",
            ) from None
        if pinned:
            etag = _etag(f.details.get("ETag"))
            if ref.get("etag") and etag != ref["etag"]:
                f.close()
                raise RefChangedError(p.uri, f"etag {ref['etag']!r}, found {etag!r}")
        return _Guarded(f, self, p.uri)  # type: ignore[return-value]


class _Guarded:
    """A backend file whose read errors come out as artifactctl errors."""

    def __init__(self, f: Any, handler: FsspecHandler, uri: str) -> None:
        self._f = f
        self._h = handler
        self._uri = uri

    def read(self, n: int = -1) -> bytes:
        with self._h.errors(self._uri):
            return bytes(self._f.read(n))

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a read stream: nothing to lose
            self._f.close()

    def __enter__(self) -> _Guarded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
