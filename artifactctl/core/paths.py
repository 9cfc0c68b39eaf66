"""Entry paths: relative POSIX paths, NFC-normalised, that can never escape a root."""

from __future__ import annotations

import re
import unicodedata

from artifactctl.errors import UsageError

MAX_COMPONENT_BYTES = 255
MAX_PATH_BYTES = 4096
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f]")
# Plain ASCII paths (most of them) skip the slower checks: no control characters, backslashes,
# drive letters or Unicode to normalise; empty, "." and ".." components are checked below.
_PLAIN = re.compile(
    r"[A-Za-z0-9_.+=@,~#%()\[\]{} -]{1,255}(?:/[A-Za-z0-9_.+=@,~#%()\[\]{} -]{1,255})*"
)


def normalize_entry_path(path: str) -> str:
    """Return the canonical form of an entry path or raise :class:`UsageError`.

    Rules (DESIGN §5): relative POSIX path; no leading ``/``; no ``..``, ``.`` or empty
    components; no NUL, no backslash, no drive letter; valid UTF-8; NFC-normalised; each
    component at most 255 bytes and the whole at most 4096 bytes.
    """
    if not isinstance(path, str):
        raise UsageError(f"entry path must be text, got {type(path).__name__}")
    if (
        _PLAIN.fullmatch(path)
        and "." not in path.split("/")
        and ".." not in path.split("/")
        and not _DRIVE.match(path)
        and len(path) <= MAX_PATH_BYTES
    ):
        return path
    if path == "":
        raise UsageError("entry path is empty")
    if "\x00" in path:
        raise UsageError(f"entry path {path!r} contains a NUL byte")
    if "\\" in path:
        raise UsageError(f"entry path {path!r} contains a backslash; use '/' as the separator")
    if path.startswith("/"):
        raise UsageError(f"entry path {path!r} is absolute; entry paths are relative")
    if _DRIVE.match(path):
        raise UsageError(f"entry path {path!r} starts with a drive letter")
    try:
        encoded = path.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"entry path {path!r} is not valid UTF-8") from None
    if _CONTROL.search(path):
        raise UsageError(f"entry path {path!r} contains a control character")
    nfc = unicodedata.normalize("NFC", path)
    parts = nfc.split("/")
    for part in parts:
        if part in ("", ".", ".."):
            raise UsageError(
                f"entry path {path!r} has an empty, '.' or '..' component",
                hint="entry paths must stay inside the artifact root",
            )
        if len(part.encode("utf-8")) > MAX_COMPONENT_BYTES:
            raise UsageError(f"entry path {path!r} has a component over 255 bytes")
    if len(encoded) > MAX_PATH_BYTES:
        raise UsageError(f"entry path {path[:60]!r}… is longer than 4096 bytes")
    return nfc


def is_valid_entry_path(path: str) -> bool:
    try:
        return normalize_entry_path(path) == path
    except UsageError:
        return False


def join_prefix(prefix: str | None, path: str) -> str:
    """Place ``path`` under ``prefix`` (an entry-path prefix, validated)."""
    if not prefix:
        return path
    return f"{normalize_entry_path(prefix.strip('/'))}/{path}"


def under_prefix(path: str, prefix: str) -> bool:
    """True when ``path`` is ``prefix`` itself or lies below it (component-wise); the prefix is
    compared in NFC, as entry paths are stored (an NFD ``é`` typed on macOS matches)."""
    prefix = unicodedata.normalize("NFC", prefix.strip("/"))
    return not prefix or path == prefix or path.startswith(prefix + "/")
