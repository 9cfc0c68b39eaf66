"""Manifests: the immutable, canonical list of a version's entries.

On disk a manifest is canonical JSON Lines, UTF-8, so that it can be written and read in a
stream for a million entries:

- line 1, the header:
  ``{"algorithm":"xxh3-128","entries":N,"format":1,"kind":"artifactctl.manifest"}``
- then one line per entry, sorted by path (by UTF-8 bytes):
  ``{"digest":"xxh3-128:…","path":"a/b.csv","size":123}`` with optional ``"ref"`` (a reference,
  see ``docs/references.md``) and ``"extra"`` (free-form JSON object) keys.

Every line is ``json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
and ends with ``\\n``. Same entries → same bytes → same digest, on every machine. The artifact
digest is the store's hash of these bytes.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from artifactctl.core.digest import HEX_LENGTHS, Digest, hash_bytes
from artifactctl.core.paths import normalize_entry_path
from artifactctl.errors import IntegrityError, UsageError

FORMAT = 1
KIND = "artifactctl.manifest"


@dataclass(slots=True)
class Entry:
    path: str
    digest: str
    size: int
    ref: dict[str, Any] | None = None
    extra: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"path": self.path, "digest": self.digest, "size": self.size}
        if self.ref is not None:
            doc["ref"] = self.ref
        if self.extra is not None:
            doc["extra"] = self.extra
        return doc


def _dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sort_key(path: str) -> bytes:
    return path.encode("utf-8")


@dataclass(slots=True)
class Manifest:
    algorithm: str
    entries: list[Entry] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.entries.sort(key=lambda e: _sort_key(e.path))

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def size(self) -> int:
        return sum(e.size for e in self.entries)

    def by_path(self) -> dict[str, Entry]:
        return {e.path: e for e in self.entries}

    def iter_lines(self) -> Iterator[bytes]:
        yield header_line(self.algorithm, len(self.entries))
        for e in self.entries:
            yield entry_line(e).encode("utf-8")

    def to_bytes(self) -> bytes:
        return b"".join(self.iter_lines())

    def digest(self) -> str:
        """The artifact digest: the store's hash of the canonical bytes, as ``ALGO:HEX``."""
        return f"{self.algorithm}:{hash_bytes(self.algorithm, self.to_bytes())}"


def header_line(algorithm: str, count: int) -> bytes:
    """The first line of a manifest of ``count`` entries."""
    header = {"algorithm": algorithm, "entries": count, "format": FORMAT, "kind": KIND}
    return (_dumps(header) + "\n").encode("utf-8")


_quote = json.encoder.encode_basestring


def entry_line(e: Entry) -> str:
    """One entry's canonical line (entries must be written sorted by path)."""
    if e.ref is None and e.extra is None:
        return file_line(e.path, e.digest, e.size)
    return _dumps(e.to_json()) + "\n"


def file_line(path: str, digest: str, size: int) -> str:
    """:func:`entry_line` of a plain file entry (no Entry object needed): the same text
    ``_dumps`` gives (keys sorted), without its per-call overhead."""
    return f'{{"digest":"{digest}","path":{_quote(path)},"size":{size}}}\n'


def build(algorithm: str, entries: Iterable[Entry]) -> Manifest:
    """Build a manifest, rejecting duplicate paths (validated paths are assumed)."""
    listed = list(entries)
    seen: set[str] = set()
    for e in listed:
        if e.path in seen:
            raise UsageError(f"two entries map to the same path {e.path!r}")
        seen.add(e.path)
    return Manifest(algorithm, listed)


def iter_parse(
    lines: Iterable[bytes], *, expect_algorithm: str | None = None, batch: int = 4096
) -> Iterator[list[Entry]]:
    """Parse canonical manifest lines a batch at a time, for manifests too large to hold as
    objects (a million entries). Validated as :func:`parse` validates: an error may come after
    earlier batches were yielded, so callers check the manifest's digest first."""
    it = iter(lines)
    count = _check_header(next(it, b""), expect_algorithm)[1]
    previous: bytes | None = None
    seen = 0
    chunk: list[bytes] = []
    for raw in it:
        chunk.append(raw)
        if len(chunk) >= batch:
            out, previous = _batch(chunk, previous)
            seen += len(out)
            yield out
            chunk = []
    if chunk:
        out, previous = _batch(chunk, previous)
        seen += len(out)
        yield out
    if count != seen:
        raise IntegrityError("manifest entry count does not match its header (truncated?)")


def iter_blob_sizes(lines: Iterable[bytes], batch: int = 4096) -> Iterator[list[tuple[str, int]]]:
    """(digest, size) of the entries that are blobs (not references), a batch at a time, from
    manifest lines this process has just written itself: nothing is validated (four times
    faster than :func:`iter_parse`: 16 ms against 71 ms for 20,000 entries). Never for a
    manifest read from the store; that goes through :func:`iter_parse`."""
    it = iter(lines)
    next(it, None)  # the header
    for chunk in iter(lambda: list(itertools.islice(it, batch)), []):
        docs = json.loads(b"[" + b",".join(chunk) + b"]")
        yield [(d["digest"], d["size"]) for d in docs if "ref" not in d]


def _batch(lines: list[bytes], previous: bytes | None) -> tuple[list[Entry], bytes | None]:
    out: list[Entry] = []
    for entry in _entries(lines):
        key = _sort_key(entry.path)
        if previous is not None and key <= previous:
            raise IntegrityError(f"manifest entries are not sorted or repeat at {entry.path!r}")
        previous = key
        out.append(entry)
    return out, previous


def _check_header(line: bytes | str, expect_algorithm: str | None) -> tuple[str, object]:
    """(algorithm, declared entry count) of a manifest's first line."""
    try:
        header = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        raise IntegrityError("manifest is empty or its header is not JSON") from None
    if not isinstance(header, dict) or header.get("kind") != KIND:
        raise IntegrityError("not an artifactctl manifest (bad header)")
    if header.get("format") != FORMAT:
        raise IntegrityError(
            f"manifest format {header.get('format')!r} is not supported by this version",
            hint="upgrade artifactctl",
        )
    algorithm = header.get("algorithm")
    if algorithm not in HEX_LENGTHS or (expect_algorithm and algorithm != expect_algorithm):
        raise IntegrityError(f"manifest hash algorithm {algorithm!r} is not this store's")
    return str(algorithm), header.get("entries")


def parse(data: bytes | Iterable[bytes], *, expect_algorithm: str | None = None) -> Manifest:
    """Parse and validate canonical manifest bytes; anything malformed is an IntegrityError."""
    lines = data.splitlines(keepends=True) if isinstance(data, bytes | bytearray) else data
    it = iter(lines)
    algorithm, count = _check_header(next(it, b""), expect_algorithm)
    entries, _ = _batch(list(it), None)
    if count != len(entries):
        raise IntegrityError("manifest entry count does not match its header (truncated?)")
    m = Manifest.__new__(Manifest)
    m.algorithm = algorithm
    m.entries = entries
    return m


def _entries(lines: list[bytes] | list[str]) -> Iterator[Entry]:
    """Entries of the given lines: decoded by one ``json.loads`` of them all (a C loop, several
    times faster than a call per line at 1M entries), or line by line when that fails, for an
    error that names the bad line. Each line must hold exactly one value either way."""
    docs: Any = None
    if lines and isinstance(lines[0], bytes):
        try:
            docs = json.loads(b"[" + b",".join(lines) + b"]")
        except (ValueError, UnicodeDecodeError):
            docs = None
    if not isinstance(docs, list) or len(docs) != len(lines):
        docs = (_json_line(raw) for raw in lines)
    for doc in docs:
        yield _parse_entry(doc)


def _json_line(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise IntegrityError("manifest line is not JSON") from None


_DIGEST = re.compile("|".join(f"{a}:[0-9a-f]{{{n}}}" for a, n in HEX_LENGTHS.items()))


def _parse_entry(doc: Any) -> Entry:
    if not isinstance(doc, dict):
        raise IntegrityError("manifest line is not an object")
    path, digest, size = doc.get("path"), doc.get("digest"), doc.get("size")
    try:
        if not isinstance(path, str) or normalize_entry_path(path) != path:
            raise UsageError(f"{path!r}")
        if not isinstance(digest, str) or not _DIGEST.fullmatch(digest):
            Digest.parse(digest if isinstance(digest, str) else "")  # raises, with the reason
    except UsageError as exc:
        raise IntegrityError(f"manifest has an invalid entry: {exc.message}") from None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise IntegrityError(f"manifest entry {path!r} has an invalid size")
    ref, extra = doc.get("ref"), doc.get("extra")
    if ref is not None and not isinstance(ref, dict):
        raise IntegrityError(f"manifest entry {path!r} has an invalid ref")
    if extra is not None and not isinstance(extra, dict):
        raise IntegrityError(f"manifest entry {path!r} has invalid extra data")
    assert isinstance(digest, str)
    return Entry(path, digest, size, ref, extra)
