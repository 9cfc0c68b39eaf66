"""Reference handlers, one per URI scheme family, behind :class:`RefHandler`.

``handler_for(family_or_uri, options)`` builds one; backends (s3fs, gcsfs, adlfs, aiohttp) are
imported only when a handler first talks to its storage.
"""

from __future__ import annotations

from artifactctl.core.refs import FAMILY, parse_ref_uri
from artifactctl.refs.base import (
    CHANGED,
    OK,
    VANISHED,
    RefChangedError,
    RefHandler,
    RefObject,
    RefStatus,
    RefVanishedError,
)
from artifactctl.refs.options import RefOptions


def handler_for(uri_or_scheme: str, options: RefOptions) -> RefHandler:
    scheme = uri_or_scheme if "://" not in uri_or_scheme else parse_ref_uri(uri_or_scheme).scheme
    family = FAMILY[scheme]
    if family == "s3":
        from artifactctl.refs.s3 import S3Handler

        return S3Handler(options, scheme)
    if family == "gcs":
        from artifactctl.refs.gcs import GCSHandler

        return GCSHandler(options, "gs")
    if family == "azure":
        from artifactctl.refs.azure import AzureHandler

        return AzureHandler(options, scheme)
    if family == "http":
        from artifactctl.refs.http import HTTPHandler

        return HTTPHandler(options, scheme)
    from artifactctl.refs.local import FileHandler

    return FileHandler(options)


class Handlers:
    """One handler per scheme for the length of a command (clients are reused)."""

    def __init__(self, options: RefOptions) -> None:
        self.options = options
        self._by_scheme: dict[str, RefHandler] = {}

    def for_uri(self, uri: str) -> RefHandler:
        scheme = parse_ref_uri(uri).scheme
        if scheme not in self._by_scheme:
            self._by_scheme[scheme] = handler_for(scheme, self.options)
        return self._by_scheme[scheme]


__all__ = [
    "CHANGED",
    "FAMILY",
    "OK",
    "VANISHED",
    "Handlers",
    "RefChangedError",
    "RefHandler",
    "RefObject",
    "RefOptions",
    "RefStatus",
    "RefVanishedError",
    "handler_for",
]
