"""Many writers, gc and readers at once: contiguous numbers, no lost blob, no lock error."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import ARTIFACTCTL, Runner, make_tree
from tests.storeparts import loose_files, pack_files

WORKERS = Path(__file__).with_name("workers.py")


def _spawn(*args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTIFACTCTL_")}
    return subprocess.Popen(
        [sys.executable, str(WORKERS), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _finish(p: subprocess.Popen[str], timeout: float = 300) -> object:
    out, err = p.communicate(timeout=timeout)
    assert p.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err, err
    return json.loads(out)


def _committed_numbers(cli: Runner, name: str) -> list[int]:
    rows = cli("ls", name, "--json").json()
    assert all(r["state"] == "COMMITTED" for r in rows)
    return sorted(r["number"] for r in rows)


def test_eight_writers_fifty_puts_each(cli: Runner, store_dir: Path) -> None:
    procs = [_spawn("put-many", str(store_dir), str(w), "50") for w in range(8)]
    made = [_finish(p) for p in procs]
    versions = [v for per_worker in made for v in per_worker]  # type: ignore[union-attr]
    assert len(versions) == 400 and len(set(versions)) == 400  # every put made a new version
    numbers = _committed_numbers(cli, "shared")
    assert numbers == list(range(400))  # contiguous, unique, none lost
    latest = cli("show", "shared:latest", "--json").json()
    assert latest["number"] == 399
    fsck = cli("fsck", "--json").json()
    assert fsck["ok"] and fsck["versions_checked"] == 400


def test_same_content_from_several_processes(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "same", {f"d/f{i}.txt": f"same {i}\n" for i in range(200)})
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir))
    procs = [
        subprocess.Popen(
            [ARTIFACTCTL, "put", str(tree), "--name", "same", "--type", "t", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(6)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0 and "Traceback" not in err, err
        results.append(json.loads(out))
    assert sum(r["created"] for r in results) == 1
    assert {r["version"] for r in results} == {"same:v0"}
    assert _committed_numbers(cli, "same") == [0]
    # 200 distinct files + the manifest, each recorded once (the losers' packs are debris)
    assert cli("store", "--json").json()["blobs"] == 201
    loose = loose_files(store_dir)
    assert len(loose) == 1 and loose[0].stat().st_nlink == 1  # the manifest
    cli("gc", "--grace", "0s")
    assert len(pack_files(store_dir)) == 1
    assert cli("fsck", "--grace", "0s", "--json").json()["ok"]


def test_gc_while_puts_run_loses_no_blob(cli: Runner, store_dir: Path) -> None:
    gcs = [_spawn("gc-loop", str(store_dir), "6", "0")]
    churn = [_spawn("churn", str(store_dir), str(w), "25") for w in range(3)]
    made = [_finish(p) for p in churn]
    stats = _finish(gcs[0])
    assert stats["runs"] >= 2  # type: ignore[index]
    for w, labels in enumerate(made):
        assert isinstance(labels, list) and len(labels) == 25
        # the last version of each worker is alive; every live version verifies
        cli("verify", labels[-1], expect=0)
        assert _committed_numbers(cli, f"churn{w}") == [24]
    cli("gc", "--grace", "0s", expect=0)
    fsck = cli("fsck", "--grace", "0s", "--json").json()
    assert fsck["ok"], fsck["problems"]


def test_readers_during_writes_see_only_committed_versions(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    cli(
        "put",
        make_tree(tmp_path / "first", {"data.txt": "worker x put 0\n"}),
        "-n",
        "shared",
        "-t",
        "dataset",
    )
    writer = _spawn("put-many", str(store_dir), "7", "40")
    seen: set[int] = set()
    rounds = 0
    while writer.poll() is None or rounds < 2:
        rounds += 1
        rows = cli("ls", "shared", "--json").json()
        assert all(r["state"] == "COMMITTED" for r in rows)
        seen.update(r["number"] for r in rows)
        top = max(r["number"] for r in rows)
        root = tmp_path / f"got{rounds}"
        got = cli("get", f"shared:v{top}", "--root", root, "--json").json()
        assert got["files"] >= 1
        cli("verify", f"shared:v{top}", root, expect=0)
        cli("verify", f"shared:v{top}", expect=0)
    _finish(writer)
    numbers = _committed_numbers(cli, "shared")
    assert numbers == list(range(41))
    assert seen <= set(numbers)


def test_lock_timeout_exits_11_naming_the_holder(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    from artifactctl.catalog.db import Catalog

    tree = make_tree(tmp_path / "t", {"a.txt": "a\n"})
    holder = Catalog(store_dir / "catalog.db")
    try:
        with holder.write():
            r = cli(
                "put", tree, "-n", "x", "-t", "t", expect=11, env={"ARTIFACTCTL_LOCK_TIMEOUT": "1"}
            )
        assert f"pid {os.getpid()}" in r.stderr and "locked" in r.stderr
        assert "ARTIFACTCTL_LOCK_TIMEOUT" in r.stderr
    finally:
        holder.close()
    cli("put", tree, "-n", "x", "-t", "t", expect=0)  # the lock is free again
    conn = sqlite3.connect(store_dir / "catalog.db")
    assert conn.execute("SELECT count(*) FROM versions").fetchone() == (1,)
    conn.close()
