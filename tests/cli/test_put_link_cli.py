"""`put --link hardlink|reflink`: large files become blobs without a copy."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.conftest import Runner, make_tree
from tests.storeparts import is_packed
from tests.storeparts import loose_path as _blob

BIG = 3 * 1024 * 1024


def _data(tmp_path: Path) -> Path:
    return make_tree(
        tmp_path / "data", {"model.bin": os.urandom(BIG), "config.json": '{"layers": 3}\n'}
    )


def test_put_link_hardlink_makes_the_file_the_blob(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = _data(tmp_path)
    r = cli("put", data, "-n", "m", "-t", "model", "--link", "hardlink", "--json").json()
    assert r["created"] and r["new_blobs"] == 2
    files = {f["path"]: f["digest"] for f in cli("files", "m", "--json").json()}
    blob = _blob(store_dir, files["model.bin"])
    assert blob.stat().st_ino == (data / "model.bin").stat().st_ino  # no copy was made
    assert stat.S_IMODE((data / "model.bin").stat().st_mode) == 0o444  # now read-only
    assert is_packed(store_dir, files["config.json"])  # small files still go to a pack
    assert (data / "config.json").stat().st_nlink == 1
    out = tmp_path / "out"
    cli("get", "m", "--root", out, "--link", "copy")
    assert (out / "model.bin").read_bytes() == (data / "model.bin").read_bytes()
    cli("verify", "m")
    assert cli("fsck", "--json").json()["ok"]
    # an unchanged put again is a no-op; an in-place edit of the linked file is refused loudly
    assert cli("put", data, "-n", "m", "-t", "model", "--json").json()["created"] is False
    os.chmod(data / "model.bin", 0o644)
    with open(data / "model.bin", "r+b") as fh:
        fh.write(b"EDIT")
    r2 = cli("put", data, "-n", "m", "-t", "model", expect=6)
    assert files["model.bin"] in r2.stderr and "edited in place" in r2.stderr
    assert cli("verify", "m", expect=6).code == 6


def test_put_link_of_content_already_stored_links_nothing(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = _data(tmp_path)
    cli("put", data, "-n", "m", "-t", "model")
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(data), str(copy)], check=True)
    r = cli("put", copy, "-n", "m2", "-t", "model", "--link", "hardlink", "--json").json()
    assert r["new_blobs"] == 0
    assert (copy / "model.bin").stat().st_nlink == 1  # left alone: the store had the bytes
    assert stat.S_IMODE((copy / "model.bin").stat().st_mode) != 0o444


def test_put_link_reflink_clones_or_says_the_file_system_cannot(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = _data(tmp_path)
    r = cli("put", data, "-n", "m", "-t", "model", "--link", "reflink", "--json", expect=None)
    if r.code == 0:  # a file system with reflinks (btrfs, xfs): an independent clone
        files = {f["path"]: f["digest"] for f in cli("files", "m", "--json").json()}
        blob = _blob(store_dir, files["model.bin"])
        assert blob.read_bytes() == (data / "model.bin").read_bytes()
        assert blob.stat().st_ino != (data / "model.bin").stat().st_ino
    else:
        assert r.code == 7 and "reflink" in r.stderr
        assert cli("ls", "--json").json() == []  # nothing was committed
    cli("put", data, "-n", "x", "-t", "model", "--link", "bogus", expect=2)


def test_get_copies_large_blobs_in_the_kernel_and_still_checks_them(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = make_tree(tmp_path / "data", {"big.bin": os.urandom(5 * 1024 * 1024 + 3)})
    cli("put", data, "-n", "m", "-t", "model")
    out = tmp_path / "out"
    cli("get", "m", "--root", out, "--link", "copy")
    assert (out / "big.bin").read_bytes() == (data / "big.bin").read_bytes()
    (entry,) = cli("files", "m", "--json").json()
    blob = _blob(store_dir, entry["digest"])
    os.chmod(blob, 0o644)
    with open(blob, "r+b") as fh:
        fh.seek(4 * 1024 * 1024)
        fh.write(b"X")
    r = cli("get", "m", "--root", tmp_path / "bad", "--link", "copy", expect=6)
    assert entry["digest"] in r.stderr and "hash to" in r.stderr
    assert not (tmp_path / "bad" / "big.bin").exists()
    with open(blob, "r+b") as fh:  # a blob shorter than its entry says is refused too
        fh.truncate(1024)
    cli("get", "m", "--root", tmp_path / "short", "--link", "copy", expect=6)
    assert not (tmp_path / "short" / "big.bin").exists()
