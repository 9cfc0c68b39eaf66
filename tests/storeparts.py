"""Where a blob's bytes are on disk (a loose file, or a range of a pack), for tests that damage a
store on purpose. Reads the catalog with plain sqlite3, as an outside tool would."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def blob_location(store: Path, digest: str) -> tuple[Path, int, int | None]:
    """(file, offset, size): a pack file and the blob's range, or the loose file (0, None)."""
    conn = sqlite3.connect(store / "catalog.db")
    try:
        row = conn.execute(
            "SELECT pack, pack_offset, size FROM blobs WHERE digest = ?", (digest,)
        ).fetchone()
    finally:
        conn.close()
    if row is not None and row[0] is not None:
        return store / "packs" / f"{row[0]}.pack", int(row[1]), int(row[2])
    return loose_path(store, digest), 0, None


def loose_path(store: Path, digest: str) -> Path:
    """The file ``blobs/ab/cdef…`` a loose blob lives in."""
    hexd = digest.split(":", 1)[1]
    return store / "blobs" / hexd[:2] / hexd[2:]


def is_packed(store: Path, digest: str) -> bool:
    return blob_location(store, digest)[2] is not None


def flip_byte(store: Path, digest: str, at: int = 0) -> Path:
    """Flip one bit of the stored blob's byte ``at``; returns the file changed."""
    path, offset, _ = blob_location(store, digest)
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:
        fh.seek(offset + at)
        byte = fh.read(1)
        fh.seek(offset + at)
        fh.write(bytes([byte[0] ^ 0x01]))
    return path


def remove_blob(store: Path, digest: str) -> Path:
    """Delete the file holding the blob (for a packed blob: its whole pack)."""
    path, _, _ = blob_location(store, digest)
    path.unlink()
    return path


def pack_files(store: Path) -> list[Path]:
    return sorted((store / "packs").glob("*.pack"))


def loose_files(store: Path) -> list[Path]:
    return sorted(p for p in (store / "blobs").rglob("*") if p.is_file())
