"""What the fsspec-based handlers share: lazy backend import, error mapping, bounded calls."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from artifactctl.core.refs import parse_ref_uri, redact
from artifactctl.errors import ArtifactctlError, MissingDependencyError, NotFoundError, StorageError
from artifactctl.refs.base import RefHandler, scrub
from artifactctl.refs.listing import group_for_check
from artifactctl.refs.options import RefOptions

T = TypeVar("T")

_BACKEND_LOGGERS = (
    "fsspec",
    "s3fs",
    "gcsfs",
    "adlfs",
    "aiobotocore",
    "botocore",
    "azure",
    "google",
    "aiohttp",
    "urllib3",
)

_SECRET_ENV = (
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AZURE_STORAGE_KEY",
    "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_SAS_TOKEN",
    "AZURE_CLIENT_SECRET",
    "AZURE_STORAGE_CONNECTION_STRING",
)
_AUTH_CODES = {
    "AccessDenied",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
    "InvalidToken",
    "ExpiredToken",
    "AuthorizationHeaderMalformed",
    "AuthenticationFailed",
    "AuthorizationFailure",
    "AllAccessDisabled",
    "403",
    "401",
}
_MISSING_CODES = {"NoSuchKey", "NoSuchBucket", "NoSuchVersion", "404", "BlobNotFound"}


def import_backend(module: str, extra: str, scheme: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"{scheme}:// references need the {module} package",
            hint=f"pip install 'artifactctl[{extra}]'",
        ) from None


def _code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        err = response.get("Error", {})
        code = err.get("Code") if isinstance(err, dict) else None
        if code:
            return str(code)
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status:
            return str(status)
    for attr in ("error_code", "status_code", "code", "status"):
        value = getattr(exc, attr, None)
        if isinstance(value, int | str) and value not in ("", None):
            return str(value)
    return None


def _is_missing(exc: BaseException) -> bool:
    return isinstance(exc, FileNotFoundError) or _code(exc) in _MISSING_CODES


def quiet_backend_logs() -> None:
    """Backends log retries and failures with tracebacks (and sometimes request details) to
    stderr through logging's last-resort handler; artifactctl reports errors itself."""
    for name in _BACKEND_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())
        logger.propagate = False


def map_error(exc: BaseException, uri: str, scheme: str) -> ArtifactctlError:
    """A backend exception as an artifactctl error, with credentials scrubbed from the text."""
    if isinstance(exc, ArtifactctlError):
        return exc
    cause = exc.__cause__
    if isinstance(exc, FileNotFoundError) and cause is not None and not _is_missing(cause):
        # fsspec's HTTP filesystem reports any failure (refused connection, 403…) as "not found"
        return map_error(cause, uri, scheme)
    where = redact(uri)
    secrets = tuple(os.environ.get(k, "") for k in _SECRET_ENV)
    chain = [exc, exc.__cause__, exc.__context__]
    codes = {c for c in (_code(e) for e in chain if e is not None) if c}
    text = scrub(f"{type(exc).__name__}: {exc}", secrets)
    if isinstance(exc, FileNotFoundError) or codes & _MISSING_CODES:
        return NotFoundError(f"{where} does not exist ({text})")
    if isinstance(exc, PermissionError) or codes & _AUTH_CODES or "credential" in text.lower():
        return StorageError(
            f"{scheme} storage refused access to {where}: {text}",
            hint=f"check the credentials and endpoint for {scheme}:// (see docs/references.md)",
        )
    if isinstance(exc, TimeoutError | asyncio.TimeoutError) or "Timeout" in type(exc).__name__:
        return StorageError(
            f"{scheme} storage did not answer in time for {where}",
            hint="check the endpoint, or raise refs.timeout / refs.read_timeout",
        )
    if isinstance(exc, ImportError):
        return MissingDependencyError(f"{scheme}:// support is incomplete: {text}")
    return StorageError(
        f"{scheme} storage failed for {where}: {text}",
        hint=f"check that the {scheme} endpoint is reachable and the credentials are right",
    )


class FsspecHandler(RefHandler):
    """Base of the s3/gcs/azure/http handlers: builds the fsspec filesystem on first use."""

    scheme = ""

    def __init__(self, options: RefOptions, scheme: str) -> None:
        self.options = options
        self.scheme = scheme
        self._fs: Any = None

    @property
    def fs(self) -> Any:
        if self._fs is None:
            quiet_backend_logs()
            with self.errors(f"{self.scheme}://"):
                self._fs = self._make_fs()
        return self._fs

    def _make_fs(self) -> Any:
        raise NotImplementedError

    def current(self, refs: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Current pins, batched: objects sharing a prefix are answered by one listing
        (:meth:`_listed_pins`), the others by one metadata call each (:meth:`_current_one`)."""
        parsed = [parse_ref_uri(r["uri"]) for r in refs]
        found: dict[str, dict[str, Any] | None] = {}
        for bucket, prefix, members in group_for_check(parsed):
            if prefix is not None:
                listed = self._listed_pins(bucket, prefix, members[0].scheme)
                for p in members:
                    found[p.uri] = listed.get(p.key)
            else:
                pins = self.parallel(self._current_one, members)
                for p, pin in zip(members, pins, strict=True):
                    found[p.uri] = pin
        return [found[p.uri] for p in parsed]

    def _listed_pins(self, bucket: str, prefix: str, scheme: str) -> dict[str, dict[str, Any]]:
        """Object key → pin for everything under ``bucket/prefix``, from one listing."""
        raise NotImplementedError

    def _current_one(self, p: Any) -> dict[str, Any] | None:
        """The pin of one object, or None when it is gone."""
        raise NotImplementedError

    @contextlib.contextmanager
    def errors(self, uri: str) -> Iterator[None]:
        try:
            yield
        except ArtifactctlError:
            raise
        except Exception as exc:  # every backend failure becomes a documented error
            raise map_error(exc, uri, self.scheme) from None

    def call(self, uri: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn`` (a sync fsspec method) bounded by ``refs.timeout``, errors mapped."""
        with self.errors(uri):
            return fn(*args, timeout=self.options.timeout, **kwargs)

    def parallel(self, fn: Callable[[Any], T], items: list[Any]) -> list[T]:
        if len(items) <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(min(self.options.workers * 2, 32)) as pool:
            return list(pool.map(fn, items))
