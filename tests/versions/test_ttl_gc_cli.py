"""TTL (`put --ttl`, `ttl set|show`, `config set default-ttl`) and `gc` under a fixed clock.

The clock is fixed with ARTIFACTCTL_NOW (read in one place: store.py). After every gc the
store must pass fsck: gc never removes a blob a committed version needs.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.conftest import ARTIFACTCTL, Runner, make_tree
from tests.versions.helpers import LATER, fsck_ok, versions

T0 = {"ARTIFACTCTL_NOW": "2030-01-01T00:00:00Z"}


def at(iso: str) -> dict[str, str]:
    return {"ARTIFACTCTL_NOW": iso}


def test_ttl_expires_under_a_fixed_clock(cli: Runner, tmp_path: Path) -> None:
    data = make_tree(tmp_path / "d", {"a.txt": "short-lived\n"})
    r = cli("put", data, "--name", "tmp", "--type", "scratch", "--ttl", "2d", "--json", env=T0)
    assert r.json()["created"]
    show = cli("ttl", "show", "tmp:v0", "--json", env=T0).json()
    assert show == {
        "version": "tmp:v0",
        "ttl": "2d",
        "ttl_seconds": 172800,
        "created_at": "2030-01-01T00:00:00.000000Z",
        "expires_at": "2030-01-03T00:00:00.000000Z",
        "expired": False,
        "protected": [],
    }
    early = cli("gc", "--json", env=at("2030-01-02T23:59:59Z")).json()
    assert early["deleted_versions"] == []
    fsck_ok(cli)
    assert cli("ttl", "show", "tmp:v0", "--json", env=at("2030-01-03T00:00:00Z")).json()["expired"]
    r = cli("gc", "--json", env=at("2030-01-03T00:00:00Z")).json()
    assert [d["version"] for d in r["deleted_versions"]] == ["tmp:v0"]
    assert r["blobs_removed"] == 2  # the file and the manifest
    assert r["bytes_freed"] >= len("short-lived\n")
    cli("show", "tmp:v0", expect=4)
    fsck_ok(cli)


def test_ttl_set_show_and_none(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, n=1)
    r = cli("ttl", "set", "m:v0", "12h", "--json").json()
    assert r["ttl_seconds"] == 43200 and r["expires_at"] > r["created_at"]
    assert "expires" in cli("ttl", "set", "m:v0", "90m").stdout
    assert cli("ttl", "show", "m:v0", "--json").json()["ttl"] == "1h30m"
    r = cli("ttl", "set", "m:v0", "none", "--json").json()
    assert r["ttl_seconds"] is None and r["expires_at"] is None
    assert "never" in cli("ttl", "show", "m:v0").stdout
    assert "negative" in cli("ttl", "set", "m:v0", "--", "-1d", expect=2).stderr
    assert "100 years" in cli("ttl", "set", "m:v0", "99999999999d", expect=2).stderr
    cli("put", tmp_path, "--name", "x", "--type", "t", "--ttl", "soon", expect=2)


def test_store_default_ttl_applies_to_versions_that_set_none(cli: Runner, tmp_path: Path) -> None:
    assert cli("config", "set", "default-ttl", "30d", "--json").json()["value"] == "30d"
    assert cli("config", "get", "default-ttl").stdout.strip() == "30d"
    data = make_tree(tmp_path / "d", {"a.txt": "1\n"})
    cli("put", data, "--name", "a", "--type", "t", expect=0, env=T0)
    (data / "a.txt").write_text("2\n")
    cli("put", data, "--name", "a", "--type", "t", "--ttl", "none", expect=0, env=T0)
    (data / "a.txt").write_text("3\n")
    cli("put", data, "--name", "a", "--type", "t", "--ttl", "1d", expect=0, env=T0)
    rows = {v["version"]: v for v in cli("ls", "a", "--json").json()}
    assert rows["a:v0"]["ttl_seconds"] == 30 * 86400
    assert rows["a:v0"]["expires_at"] == "2030-01-31T00:00:00.000000Z"
    assert rows["a:v1"]["ttl_seconds"] is None and rows["a:v1"]["expires_at"] is None
    assert rows["a:v2"]["ttl_seconds"] == 86400
    assert "2030-01-31" in cli("ls", "a").stdout  # versions show their expiry
    r = cli("gc", "--json", env=LATER).json()
    assert sorted(d["version"] for d in r["deleted_versions"]) == ["a:v0", "a:v2"]
    assert cli("show", "a", "--json").json()["version"] == "a:v1"  # latest moved back
    fsck_ok(cli)
    cli("config", "unset", "default-ttl", expect=0)
    cli("config", "get", "default-ttl", expect=4)


def test_config_validates_and_lists(cli: Runner) -> None:
    cli("config", "set", "default-ttl", "--", "-1d", expect=2)
    cli("config", "set", "no-such-key", "1", expect=2)
    cli("config", "get", "no-such-key", expect=2)
    items = cli("config", "ls", "--json").json()
    assert {k: items[0][k] for k in ("key", "value")} == {"key": "default-ttl", "value": None}
    cli("config", "set", "default-ttl", "none", expect=0)
    assert "default-ttl" in cli("config", "ls").stdout


def test_gc_keeps_protected_expired_versions_with_the_reason(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    for v in ("v0", "v1", "v2"):
        cli("ttl", "set", f"m:{v}", "1d", expect=0)
    cli("alias", "set", "m:v0", "prod", expect=0)
    dry = cli("gc", "--dry-run", "--json", env=LATER).json()
    assert dry["dry_run"] and [d["version"] for d in dry["deleted_versions"]] == ["m:v1", "m:v2"]
    assert cli("ls", "m", "--json").json()[1]["state"] == "COMMITTED"  # nothing changed
    assert "would remove m:v1" in cli("gc", "--dry-run", env=LATER).stdout
    r = cli("gc", "--json", env=LATER).json()
    assert [d["version"] for d in r["deleted_versions"]] == ["m:v1", "m:v2"]
    assert r["blobs_removed"] == dry["blobs_removed"] and r["blob_bytes"] == dry["blob_bytes"]
    assert r["kept_versions"] == [
        {
            "version": "m:v0",
            "expires_at": r["kept_versions"][0]["expires_at"],
            "reasons": ["alias 'prod'"],
        }
    ]
    assert cli("show", "m", "--json").json()["version"] == "m:v0"  # latest moved back
    fsck_ok(cli)
    assert "kept m:v0" in cli("gc", env=LATER).stdout
    r = cli("gc", "--include-protected", "--json", env=LATER).json()
    assert [d["version"] for d in r["deleted_versions"]] == ["m:v0"]
    assert r["deleted_versions"][0]["overrode"] == ["alias 'prod'"]
    assert cli("ls", "m", "--json").json() == []
    assert cli("alias", "ls", "m", "--json").json() == []
    fsck_ok(cli)
    assert cli("store", "--json").json()["blobs"] == 0


def test_gc_removes_unreferenced_blobs_only(cli: Runner, tmp_path: Path) -> None:
    data = versions(cli, tmp_path)
    cli("delete", "m:v1", "--yes", expect=0)
    r = cli("gc", "--json").json()
    # v1's own weights file and its manifest; shared.txt is still used by v0 and v2
    assert r["blobs_removed"] == 2
    fsck_ok(cli)
    for v in ("m:v0", "m:v2"):
        cli("verify", v, expect=0)
        cli("get", v, "--root", tmp_path / f"out-{v.replace(':', '-')}", expect=0)
    again = cli("gc", "--json").json()
    assert again["blobs_removed"] == 0 and again["bytes_freed"] == 0
    # the bytes come back with a new put of the same content
    (data / "w.bin").write_text("weights 1\n")
    cli("put", data, "--name", "m", "--type", "model", expect=0)
    fsck_ok(cli)


def test_gc_grace_period_for_orphans_temp_files_and_pending(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    versions(cli, tmp_path, n=1)
    old = time.time() - 7200
    orphan = store_dir / "blobs" / "ab" / ("c" * 30)
    orphan.write_bytes(b"left by a crash")
    fresh_orphan = store_dir / "blobs" / "ab" / ("d" * 30)
    fresh_orphan.write_bytes(b"a put in flight")
    os.utime(orphan, (old, old))
    stale_tmp = store_dir / "tmp" / "blob-1-stale"
    stale_tmp.write_bytes(b"x" * 100)
    os.utime(stale_tmp, (old, old))
    fresh_tmp = store_dir / "tmp" / "blob-2-fresh"
    fresh_tmp.write_bytes(b"y" * 10)
    dry = cli("gc", "--dry-run", "--json").json()
    assert (dry["orphans_removed"], dry["temp_removed"], dry["temp_bytes"]) == (1, 1, 100)
    assert orphan.exists() and stale_tmp.exists()
    r = cli("gc", "--json").json()
    assert (r["orphans_removed"], r["orphan_bytes"]) == (1, len(b"left by a crash"))
    assert (r["temp_removed"], r["temp_bytes"]) == (1, 100)
    assert r["bytes_freed"] == 100 + len(b"left by a crash")
    assert not orphan.exists() and not stale_tmp.exists()
    assert fresh_orphan.exists() and fresh_tmp.exists()
    r = cli("gc", "--grace", "0s", "--json").json()
    assert (r["orphans_removed"], r["temp_removed"]) == (1, 1)
    cli("gc", "--grace=-5m", expect=2)
    fsck_ok(cli)


def test_gc_removes_stale_pending_versions(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    import sqlite3

    versions(cli, tmp_path, n=1)
    conn = sqlite3.connect(store_dir / "catalog.db")
    with conn:
        conn.execute(
            "INSERT INTO versions (artifact_id, number, state, digest, size, file_count,"
            " created_at) VALUES (1, 7, 'PENDING', 'xxh3-128:' || hex(randomblob(16)), 0, 0,"
            " '2030-01-01T00:00:00.000000Z')"
        )
    conn.close()
    r = cli("gc", "--json", env=at("2030-01-01T00:30:00Z")).json()
    assert r["pending_removed"] == []
    r = cli("gc", "--json", env=at("2030-01-01T01:00:01Z")).json()
    assert r["pending_removed"] == ["m:v7"]
    fsck_ok(cli)


def test_gc_concurrent_with_puts_never_loses_a_needed_blob(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    """Puts re-using bytes of deleted versions race gc; every committed version stays whole."""
    data = versions(cli, tmp_path, n=4)
    for v in ("m:v0", "m:v1", "m:v2"):
        cli("delete", v, "--yes", expect=0)
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir))
    puts = []
    for i in range(3):
        tree = make_tree(
            tmp_path / f"again{i}",
            {"shared.txt": "same in every version\n", "w.bin": f"weights {i}\n"},
        )
        puts.append(
            subprocess.Popen(
                [ARTIFACTCTL, "put", str(tree), "--name", f"again{i}", "--type", "model"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        )
    gcs = [
        subprocess.Popen(
            [ARTIFACTCTL, "gc", "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for p in puts + gcs:
        _out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    fsck_ok(cli)
    for i in range(3):
        cli("verify", f"again{i}", expect=0)
    assert data.exists()
