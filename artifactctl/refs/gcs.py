"""``gs://bucket/key`` over gcsfs (imported only when a gs:// URI is used).

Pin: ``generation``, ``md5`` and ``crc32c`` (base64, as GCS reports them) and ``size``. A prefix
is one paginated objects.list (full object resources, so no request per object). The pinned
generation is read directly (``path#generation``); on a bucket without object versioning an
overwritten object fails with the expected and found generation.
"""

from __future__ import annotations

import os
from typing import IO, Any

from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, RefURI, parse_ref_uri
from artifactctl.errors import NotFoundError
from artifactctl.refs._fsspec import FsspecHandler, import_backend
from artifactctl.refs.base import RefChangedError, RefObject, RefVanishedError, too_many
from artifactctl.refs.s3 import _Guarded


def _pin(info: dict[str, Any]) -> dict[str, Any]:
    gen = info.get("generation")
    return {
        "generation": str(gen) if gen not in (None, "") else None,
        "md5": info.get("md5Hash") or None,
        "crc32c": info.get("crc32c") or None,
        "size": int(info.get("size") or 0),
    }


class GCSHandler(FsspecHandler):
    family = "gcs"

    def _make_fs(self) -> Any:
        o = self.options
        endpoint = o.get("gcs.endpoint_url")
        if endpoint or os.environ.get("STORAGE_EMULATOR_HOST"):
            # emulators do not implement the gRPC bucket-type probe gcsfs would otherwise retry
            os.environ.setdefault("GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT", "false")
        import_backend("gcsfs", "gcs", "gs")
        import fsspec

        kwargs: dict[str, Any] = {
            "version_aware": True,
            "skip_instance_cache": True,
            "requests_timeout": o.read_timeout,
        }
        if endpoint:
            kwargs["endpoint_url"] = endpoint
        if o.get("gcs.project"):
            kwargs["project"] = o.get("gcs.project")
        from artifactctl.refs.options import truthy

        if o.get("gcs.anon") is not None and truthy(o.get("gcs.anon")):
            kwargs["token"] = "anon"
        return fsspec.filesystem("gs", **kwargs)

    def _info(self, path: str, uri: str) -> dict[str, Any] | None:
        try:
            info = self.call(uri, self.fs.info, path)
        except NotFoundError:
            return None
        return dict(info)

    def _find(self, path: str, uri: str) -> dict[str, dict[str, Any]]:
        found = self.call(uri, self.fs.find, path, detail=True)
        return {k: v for k, v in found.items() if v.get("type") != "directory"}

    def list_objects(self, ref: RefURI, max_objects: int = DEFAULT_MAX_OBJECTS) -> list[RefObject]:
        if not ref.is_prefix:
            info = self._info(f"{ref.bucket}/{ref.key}", ref.uri)
            if info is not None and info.get("type") == "file":
                pin = _pin(info)
                return [RefObject("", ref.uri, pin["size"], pin)]
        prefix = ref.key if ref.is_prefix else ref.key + "/"
        found = self._find(f"{ref.bucket}/{prefix}".rstrip("/"), ref.uri)
        rows = {
            k: v
            for k, v in found.items()
            if k.startswith(f"{ref.bucket}/{prefix}")
            and not (k.endswith("/") and int(v.get("size") or 0) == 0)
        }
        if not rows:
            raise NotFoundError(f"no object at or below {ref.uri}")
        if len(rows) > max_objects:
            raise too_many(ref.uri, len(rows), max_objects)
        out = []
        start = len(ref.bucket) + 1 + len(prefix)
        for path in sorted(rows):
            pin = _pin(rows[path])
            out.append(RefObject(path[start:], f"gs://{path}", pin["size"], pin))
        return out

    def _listed_pins(self, bucket: str, prefix: str, scheme: str) -> dict[str, dict[str, Any]]:
        listed = self._find(f"{bucket}/{prefix}".rstrip("/"), f"gs://{bucket}/{prefix}")
        return {path[len(bucket) + 1 :]: _pin(info) for path, info in listed.items()}

    def _current_one(self, p: RefURI) -> dict[str, Any] | None:
        info = self._info(f"{p.bucket}/{p.key}", p.uri)
        return None if info is None else _pin(info)

    def open(self, ref: dict[str, Any], *, pinned: bool = True) -> IO[bytes]:
        p = parse_ref_uri(ref["uri"])
        path = f"{p.bucket}/{p.key}"
        gen = ref.get("generation") if pinned else None
        try:
            with self.errors(p.uri):
                f = self.fs.open(f"{path}#{gen}" if gen else path, "rb")
        except NotFoundError:
            now = self._current_one(p)
            if now is None:
                raise RefVanishedError(p.uri) from None
            raise RefChangedError(
                p.uri,
                f"generation {gen!r} (not kept: the bucket has no object versioning), "
                f"found generation {now.get('generation')!r}",
            ) from None
        return _Guarded(f, self, p.uri)  # type: ignore[return-value]
