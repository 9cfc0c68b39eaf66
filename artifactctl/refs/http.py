"""``http://`` and ``https://`` objects over fsspec's HTTPFileSystem (aiohttp).

Pin: ``etag`` (as sent, quotes included), ``size`` (Content-Length) and ``last_modified``, from
a HEAD request. A URI ending in ``/`` is a directory listing page: its links below the URL are
followed (HTTP has no bulk metadata call, so the HEAD requests run concurrently). HTTP keeps no
versions: when the object changed, the fetch fails naming the expected and found ETag.
"""

from __future__ import annotations

from typing import IO, Any
from urllib.parse import unquote

from artifactctl.core.refs import DEFAULT_MAX_OBJECTS, RefURI
from artifactctl.errors import NotFoundError
from artifactctl.refs._fsspec import FsspecHandler
from artifactctl.refs.base import RefChangedError, RefObject, RefVanishedError, too_many
from artifactctl.refs.s3 import _Guarded


def _pin(info: dict[str, Any]) -> dict[str, Any]:
    size = info.get("size")
    return {
        "etag": info.get("ETag") or None,
        "size": int(size) if size is not None else None,
        "last_modified": info.get("Last-Modified") or None,
    }


class HTTPHandler(FsspecHandler):
    family = "http"

    def _make_fs(self) -> Any:
        import aiohttp
        import fsspec

        o = self.options
        timeout = aiohttp.ClientTimeout(
            total=None, connect=o.connect_timeout, sock_connect=o.connect_timeout,
            sock_read=o.read_timeout,
        )  # fmt: skip
        return fsspec.filesystem(
            "https" if self.scheme == "https" else "http",
            skip_instance_cache=True,
            client_kwargs={"timeout": timeout, "trust_env": True},
        )

    def _info(self, url: str) -> dict[str, Any] | None:
        try:
            return dict(self.call(url, self.fs.info, url))
        except NotFoundError:
            return None

    def list_objects(self, ref: RefURI, max_objects: int = DEFAULT_MAX_OBJECTS) -> list[RefObject]:
        if not ref.is_prefix:
            info = self._info(ref.uri)
            if info is None:
                raise NotFoundError(f"{ref.uri} does not exist (HTTP 404)")
            pin = _pin(info)
            return [RefObject("", ref.uri, pin["size"] or 0, pin)]
        urls = sorted(
            u
            for u in self.call(ref.uri, self.fs.find, ref.uri)
            if u.startswith(ref.uri) and not u.endswith("/")
        )
        if not urls:
            raise NotFoundError(f"no links below {ref.uri}")
        if len(urls) > max_objects:
            raise too_many(ref.uri, len(urls), max_objects)
        infos = self.parallel(self._info, urls)
        out = []
        for url, info in zip(urls, infos, strict=True):
            if info is None:
                raise NotFoundError(f"{url} is linked from {ref.uri} but does not exist")
            pin = _pin(info)
            out.append(RefObject(unquote(url[len(ref.uri) :]), url, pin["size"] or 0, pin))
        return out

    def current(self, refs: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        infos = self.parallel(self._info, [r["uri"] for r in refs])
        return [None if i is None else _pin(i) for i in infos]

    def open(self, ref: dict[str, Any], *, pinned: bool = True) -> IO[bytes]:
        url = ref["uri"]
        if pinned:
            (now,) = self.current([ref])
            if now is None:
                raise RefVanishedError(url)
            for name in ("etag", "size", "last_modified"):
                if ref.get(name) is not None and ref[name] != now.get(name):
                    raise RefChangedError(
                        url,
                        f"{name} {ref[name]!r} (HTTP keeps no versions), "
                        f"found {name} {now.get(name)!r}",
                    )
        try:
            with self.errors(url):
                f = self.fs.open(url, "rb", block_size=0)
        except NotFoundError:
            raise RefVanishedError(url) from None
        return _Guarded(f, self, url)  # type: ignore[return-value]
