"""get builds each new directory under a staging name and renames it into place when whole."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.conftest import ARTIFACTCTL, Runner, make_tree
from tests.storeparts import flip_byte


def _debris(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".artifactctl-tmp")]


def test_new_directories_appear_whole_and_leave_no_debris(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    files = {f"sub{i % 4}/deep/f{i}.txt": f"file {i}\n" for i in range(60)}
    files["top.txt"] = "top\n"
    cli("put", make_tree(tmp_path / "data", files), "-n", "ds", "-t", "t")
    out = tmp_path / "out"
    (out / "sub0").mkdir(parents=True)  # one directory exists already: filled in place
    (out / "sub0" / "mine.txt").write_text("not ours\n")
    got = cli("get", "ds", "--root", out, "--json").json()
    assert got["added"] == 61
    assert _debris(out) == []
    for rel, text in files.items():
        assert (out / rel).read_text() == text
    assert (out / "sub0" / "mine.txt").read_text() == "not ours\n"
    r = cli("verify", "ds", out, "--json").json()
    assert r["ok"] and r["extra"] == ["sub0/mine.txt"]


def test_a_failed_get_leaves_no_partial_new_directory(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    files = {f"new/f{i:02d}.txt": f"file {i}\n" for i in range(30)}
    cli("put", make_tree(tmp_path / "data", files), "-n", "ds", "-t", "t")
    (bad,) = [f for f in cli("files", "ds", "--json").json() if f["path"] == "new/f20.txt"]
    flip_byte(store_dir, bad["digest"])
    out = tmp_path / "out"
    out.mkdir()
    cli("get", "ds", "--root", out, expect=6)
    assert list(out.iterdir()) == []  # neither new/ nor its staging directory


def test_debris_of_a_killed_get_is_ignored_and_a_rerun_completes(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    files = {f"d{i % 10}/f{i:05d}.bin": os.urandom(64) for i in range(4000)}
    cli("put", make_tree(tmp_path / "data", files), "-n", "ds", "-t", "t")  # type: ignore[arg-type]
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir))
    killed = False
    for delay in (0.15, 0.25, 0.35, 0.5, 0.7, 1.0):  # slow and fast machines alike
        proc = subprocess.Popen(
            [ARTIFACTCTL, "get", "ds", "--root", str(out), "--force"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed = bool(_debris(out))
            if killed:
                break
        else:
            for child in list(out.iterdir()):
                subprocess.run(["rm", "-rf", str(child)], check=True)
    assert killed, "no kill landed while staged directories existed"
    # the staged directories are not the version's files: verify does not list them
    partial = cli("verify", "ds", out, "--json", expect=None).json()
    assert all(".artifactctl-tmp" not in p for p in partial["extra"])
    cli("get", "ds", "--root", out)
    assert cli("verify", "ds", out, "--json").json()["ok"]
