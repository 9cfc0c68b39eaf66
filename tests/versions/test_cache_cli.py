"""`cache cleanup SIZE`: LRU eviction of refcache/, never of blobs/."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import Runner, make_tree
from tests.versions.helpers import fsck_ok


def fill_cache(store_dir: Path) -> list[Path]:
    cache = store_dir / "refcache" / "s3" / "bucket"
    cache.mkdir(parents=True)
    files = []
    for i in range(4):
        f = cache / f"obj{i}"
        f.write_bytes(b"r" * 1000)
        t = 1_700_000_000 + i * 100  # obj0 is the least recently used
        os.utime(f, (t, t))
        files.append(f)
    return files


def test_cleanup_evicts_least_recently_used_cache_files(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    d = make_tree(tmp_path / "d", {"a.bin": b"b" * 500})
    cli("put", d, "--name", "x", "--type", "t", expect=0)
    blob_bytes = cli("store", "--json").json()["physical_bytes"]
    files = fill_cache(store_dir)
    target = blob_bytes + 2500
    dry = cli("cache", "cleanup", str(target), "--dry-run", "--json").json()
    assert (dry["evicted_files"], dry["evicted_bytes"]) == (2, 2000)
    assert all(f.exists() for f in files)
    r = cli("cache", "cleanup", str(target), "--json").json()
    assert r == {
        "target_bytes": target,
        "dry_run": False,
        "blob_bytes": blob_bytes,
        "cache_bytes_before": 4000,
        "cache_bytes_after": 2000,
        "evicted_files": 2,
        "evicted_bytes": 2000,
        "store_bytes_after": blob_bytes + 2000,
        "reached_target": True,
    }
    assert [f.exists() for f in files] == [False, False, True, True]
    fsck_ok(cli)


def test_cleanup_never_touches_blobs(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    d = make_tree(tmp_path / "d", {"a.bin": b"b" * 5000})
    cli("put", d, "--name", "x", "--type", "t", expect=0)
    fill_cache(store_dir)
    r = cli("cache", "cleanup", "1KB")
    assert "still over" in r.stderr
    doc = cli("cache", "cleanup", "1kb", "--json").json()
    assert doc["cache_bytes_after"] == 0 and doc["reached_target"] is False
    cli("verify", "x", expect=0)
    fsck_ok(cli)
    cli("cache", "cleanup", "lots", expect=2)


def test_size_units(cli: Runner) -> None:
    assert cli("cache", "cleanup", "10GB", "--json").json()["target_bytes"] == 10 * 10**9
    assert cli("cache", "cleanup", "500MiB", "--json").json()["target_bytes"] == 500 * 2**20
