"""Helpers for the hostile-input tests: crafting store contents directly, watching the disk."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from artifactctl.core.digest import format_digest, hash_bytes
from tests.storeparts import loose_path


def tree_state(root: Path) -> dict[str, bytes | str]:
    """Every file (its bytes) and symlink (its target) below ``root``."""
    state: dict[str, bytes | str] = {}
    for dirpath, dirnames, files in os.walk(root):
        for name in files + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            state[rel] = os.readlink(full) if os.path.islink(full) else Path(full).read_bytes()
    return state


blob_path = loose_path


def write_blob(store: Path, data: bytes, algorithm: str = "xxh3-128") -> str:
    digest = format_digest(algorithm, hash_bytes(algorithm, data))
    path = blob_path(store, digest)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
        os.chmod(path, 0o444)
    return digest


def craft_manifest(store: Path, label: str, entries: list[tuple[str, str, int]]) -> str:
    """Replace version ``NAME:vN``'s manifest by one listing ``entries`` (path, digest, size),
    written as a real blob named by its digest, with ``versions.digest`` and ``version_blobs``
    updated, so every digest check passes and only path validation can refuse it."""
    header = {"algorithm": "xxh3-128", "entries": len(entries), "format": 1}
    header["kind"] = "artifactctl.manifest"
    lines = [json.dumps(header, sort_keys=True, separators=(",", ":"))]
    for path, digest, size in sorted(entries, key=lambda e: e[0].encode("utf-8", "surrogatepass")):
        doc = {"digest": digest, "path": path, "size": size}
        lines.append(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    digest = write_blob(store, data)
    name, _, number = label.rpartition(":v")
    conn = sqlite3.connect(store / "catalog.db")
    with conn:
        (vid,) = conn.execute(
            "SELECT v.id FROM versions v JOIN artifacts a ON a.id = v.artifact_id"
            " WHERE a.name = ? AND v.number = ?",
            (name, int(number)),
        ).fetchone()
        conn.execute("UPDATE versions SET digest = ? WHERE id = ?", (digest, vid))
        conn.execute(
            "INSERT OR IGNORE INTO blobs (digest, size, created_at) VALUES (?, ?, '2030-01-01')",
            (digest, len(data)),
        )
        conn.execute("INSERT OR IGNORE INTO version_blobs VALUES (?, ?)", (vid, digest))
    conn.close()
    return digest
