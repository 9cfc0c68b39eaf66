"""References: URI parsing and validation, and the digest of a reference entry. Pure, no I/O.

A reference is a manifest entry whose bytes stay where they are. Its ``ref`` object holds the
URI and the *pin*: what the backend reports to identify the object's current content (size,
ETag, VersionId, generation, md5, crc32c, …; see ``docs/references.md``). Fields whose value is
unknown are left out, never written as ``null``.

The entry digest of a reference is derived from its ``ref`` object alone::

    digest = ALGO:HEX( b"artifactctl.ref\\n" + canonical_json(ref) )

with the store's algorithm and the manifest's canonical JSON (keys sorted, compact separators,
UTF-8). So the artifact digest changes exactly when a pin field changes (the backend reports a
different object), and re-adding an unchanged object gives the same digest on every machine.

URIs that carry credentials (``user:password@host``, a SAS ``sig=``, a presigned
``X-Amz-Signature``, an access token in the query) are rejected: a secret must never reach a
manifest, the catalog, a log or ``--json`` output. Credentials come from each backend's standard
environment and configuration instead.
"""

from __future__ import annotations

import json
import posixpath
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from artifactctl.core.digest import format_digest, hash_bytes
from artifactctl.errors import UsageError

#: Default and hard ceiling of objects one prefix may expand to (``--max-objects``).
DEFAULT_MAX_OBJECTS = 10_000_000

#: scheme → the pip extra that provides its backend (None: no extra needed).
SCHEMES: dict[str, str | None] = {
    "s3": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "az": "azure",
    "abfs": "azure",
    "abfss": "azure",
    "file": None,
    "http": None,
    "https": None,
}

#: The handler family of each scheme.
FAMILY: dict[str, str] = {
    "s3": "s3",
    "gs": "gcs",
    "gcs": "gcs",
    "az": "azure",
    "abfs": "azure",
    "abfss": "azure",
    "file": "file",
    "http": "http",
    "https": "http",
}

# Query parameters that carry a credential (SAS tokens, presigned URLs, access tokens).
_SECRET_PARAMS = {
    "sig",
    "signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    "awsaccesskeyid",
    "x-goog-signature",
    "x-goog-credential",
    "googleaccessid",
    "access_token",
    "token",
    "api_key",
    "apikey",
    "key",
    "password",
    "secret",
}
_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,221}[a-z0-9]$", re.IGNORECASE)

REF_KIND_PREFIX = b"artifactctl.ref\n"


def looks_like_uri(text: str) -> bool:
    """True for ``scheme://…`` (what ``put`` treats as a reference rather than a local path)."""
    return bool(_SCHEME_RE.match(text))


@dataclass(frozen=True, slots=True)
class RefURI:
    """A validated reference URI. ``bucket`` is the bucket/container ('' for file and http);
    ``key`` is the object key or path below it (no leading ``/``; a trailing ``/`` names a
    prefix)."""

    uri: str
    scheme: str
    bucket: str
    key: str

    @property
    def family(self) -> str:
        return FAMILY[self.scheme]

    @property
    def extra(self) -> str | None:
        return SCHEMES[self.scheme]

    @property
    def is_prefix(self) -> bool:
        return self.key == "" or self.key.endswith("/")

    @property
    def basename(self) -> str:
        """The last non-empty component (the default entry name of a single object)."""
        stripped = self.key.rstrip("/")
        name = stripped.rsplit("/", 1)[-1] if stripped else self.bucket
        return unquote(name) if self.family == "http" else name

    def child(self, relkey: str) -> str:
        """The URI of the object ``relkey`` below this prefix."""
        base = self.uri if self.uri.endswith("/") else self.uri + "/"
        if self.family == "http":
            return base + quote(relkey)
        return base + relkey


def parse_ref_uri(uri: str) -> RefURI:
    """Validate a reference URI; raise UsageError saying what is wrong and what to do."""
    if not isinstance(uri, str) or not uri.strip():
        raise UsageError("a reference URI is empty")
    if any(ord(c) < 32 for c in uri):
        raise UsageError(f"reference URI {redact(uri)!r} contains control characters")
    m = _SCHEME_RE.match(uri)
    if not m:
        raise UsageError(
            f"{uri!r} is not a URI",
            hint="references are URIs such as s3://bucket/key; for a local file use file:///path",
        )
    scheme = m.group(1).lower()
    if scheme not in SCHEMES:
        raise UsageError(
            f"unsupported reference scheme {scheme}:// in {redact(uri)!r}",
            hint="supported: s3://, gs://, az:// and abfs://, file://, http:// and https://",
        )
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        raise UsageError(f"malformed reference URI {redact(uri)!r}: {exc}") from None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UsageError(
            f"reference URI {redact(uri)!r} embeds credentials, which would be stored in the"
            " manifest",
            hint="remove them from the URI; credentials come from the backend's environment or"
            " `artifactctl config`",
        )
    _reject_secret_query(uri, parts.query)
    family = FAMILY[scheme]
    if family == "file":
        return _parse_file(uri, parts.netloc, parts.path, parts.query, parts.fragment)
    if family == "http":
        if not parts.hostname:
            raise UsageError(f"reference URI {uri!r} has no host")
        if parts.fragment:
            raise UsageError(f"reference URI {uri!r} has a #fragment, which HTTP never sends")
        try:
            _ = parts.port
        except ValueError:
            raise UsageError(f"reference URI {uri!r} has an invalid port") from None
        key = parts.path.lstrip("/")
        if parts.query:
            key = f"{key}?{parts.query}"
        return RefURI(uri, scheme, "", key)
    if parts.query or parts.fragment:
        raise UsageError(
            f"reference URI {uri!r} has a query or #fragment",
            hint="name the object by bucket and key only; artifactctl records the version itself",
        )
    bucket = parts.netloc
    if not bucket or not _BUCKET_RE.match(bucket):
        raise UsageError(f"reference URI {uri!r} has no valid bucket or container name")
    key = parts.path.lstrip("/")
    if "//" in key or any(c in (".", "..") for c in key.rstrip("/").split("/") if key):
        raise UsageError(f"reference URI {uri!r} has an empty, '.' or '..' key component")
    return RefURI(f"{scheme}://{bucket}/{key}", scheme, bucket, key)


def _parse_file(uri: str, netloc: str, path: str, query: str, fragment: str) -> RefURI:
    if netloc not in ("", "localhost"):
        raise UsageError(
            f"file URI {uri!r} names host {netloc!r}",
            hint="use file:///absolute/path (three slashes) for a local or mounted file",
        )
    if query or fragment:
        raise UsageError(f"file URI {uri!r} has a query or #fragment")
    local = unquote(path)
    if not local.startswith("/"):
        raise UsageError(f"file URI {uri!r} needs an absolute path: file:///abs/path")
    normal = posixpath.normpath(local)
    if local.endswith("/") and normal != "/":
        normal += "/"
    return RefURI(f"file://{quote(normal)}", "file", "", normal.lstrip("/"))


def _reject_secret_query(uri: str, query: str) -> None:
    if not query:
        return
    for name, _ in parse_qsl(query, keep_blank_values=True):
        if name.lower() in _SECRET_PARAMS:
            raise UsageError(
                f"reference URI {redact(uri)!r} carries a credential in its query ({name}=)",
                hint="give credentials through the backend's environment or `artifactctl config`",
            )


_REDACT_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@")
_REDACT_QUERY = re.compile(r"([?&][^=&#]+=)[^&#]*")


def redact(uri: str) -> str:
    """The URI with userinfo and query values replaced by ``***`` (for error messages)."""
    text = _REDACT_USERINFO.sub(r"\1***@", uri)
    return _REDACT_QUERY.sub(r"\1***", text)


# -- the ref object and its digest -----------------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def make_ref(uri: str, pin: dict[str, Any], *, pinned: bool = True) -> dict[str, Any]:
    """The manifest ``ref`` object: the URI, ``pinned`` and the pin fields that are known."""
    ref: dict[str, Any] = {k: v for k, v in pin.items() if v is not None and v != ""}
    ref["uri"] = uri
    ref["pinned"] = pinned
    return ref


def ref_digest(algorithm: str, ref: dict[str, Any]) -> str:
    """The entry digest of a reference: the store's hash of ``artifactctl.ref\\n`` + the
    canonical JSON of its ``ref`` object."""
    return format_digest(algorithm, hash_bytes(algorithm, REF_KIND_PREFIX + canonical_json(ref)))


def cache_key(ref: dict[str, Any]) -> str:
    """The reference-cache key of a pinned ref: sha-free, algorithm-independent hex of the ref."""
    import hashlib

    return hashlib.sha256(REF_KIND_PREFIX + canonical_json(ref)).hexdigest()


#: Pin fields compared by ``verify --references`` and before a download, per handler family,
#: in the order they are reported.
IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "s3": ("version_id", "etag", "size"),
    "gcs": ("generation", "md5", "crc32c", "size"),
    "azure": ("version_id", "etag", "size"),
    "file": ("content_digest", "size"),
    "http": ("etag", "size", "last_modified"),
}


def pin_difference(family: str, expected: dict[str, Any], found: dict[str, Any]) -> str | None:
    """None when ``found`` matches the pinned ``expected`` ref; else ``field: expected → found``
    for the first field that differs (only fields recorded at put time are compared)."""
    for name in IDENTITY_FIELDS[family]:
        if name in expected and expected[name] != found.get(name):
            return f"{name} {expected[name]!r}, found {found.get(name)!r}"
    return None


def check_max_objects(value: int | None) -> int:
    if value is None:
        return DEFAULT_MAX_OBJECTS
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UsageError(f"--max-objects must be a positive integer, not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class RefRequest:
    """One reference to add: a URI, an optional entry name, and how to pin it."""

    uri: str
    name: str | None = None
    checksum: bool = True
    max_objects: int | None = None
    prefix: str | None = None  # an entry-path prefix in front of everything (put --prefix)


def parse_ref_name(text: str) -> RefRequest:
    """``NAME=URI`` (the ``--ref-name`` option)."""
    name, sep, uri = text.partition("=")
    if not sep or not name or not looks_like_uri(uri):
        raise UsageError(f"--ref-name expects NAME=URI, got {text!r}")
    parse_ref_uri(uri)
    return RefRequest(uri, name)
