"""`get --link hardlink` then an in-place edit: loud everywhere, never silent."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import Runner, make_tree


def _edit_in_place(path: Path, text: str) -> None:
    os.chmod(path, 0o644)  # what root (or a chmod) can do to a 0444 blob
    with open(path, "r+") as fh:  # same inode: the shared blob is rewritten
        fh.write(text)


def test_in_place_edit_of_a_hardlinked_file_is_loud(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    src = make_tree(tmp_path / "src", {"weights.txt": "original weights\n", "b.txt": "b\n"})
    cli("put", src, "-n", "model", "-t", "model")
    cli(
        "put", make_tree(tmp_path / "s2", {"same.txt": "original weights\n"}), "-n", "m2", "-t", "t"
    )
    work = tmp_path / "work"
    got = cli("get", "model:v0", "--root", work, "--link", "hardlink", "--json").json()
    assert got["files"] == 2
    assert (work / "weights.txt").stat().st_nlink > 1
    # an unchanged hardlinked tree can be put again (another artifact) without complaint
    cli("put", work, "-n", "copy", "-t", "model", expect=0)
    _edit_in_place(work / "weights.txt", "EDITED  weights\n")
    r = cli("put", work, "-n", "model", "-t", "model", expect=6)
    assert "hard link into the store" in r.stderr and "edited in place" in r.stderr
    assert "xxh3-128:" in r.stderr and "fsck" in r.stderr  # which blob, and what to do
    assert [v["number"] for v in cli("ls", "model", "--json").json()] == [0]  # no new version
    # what older versions return did change, and every reader says so
    assert cli("verify", "model:v0", expect=6).code == 6
    assert cli("verify", "m2:v0", expect=6).code == 6  # another artifact sharing the blob
    fsck = cli("fsck", "--json", expect=6).json()
    assert {"model:v0", "m2:v0", "copy:v0"} <= {p["subject"] for p in fsck["problems"]}
    r = cli("get", "m2:v0", "--root", tmp_path / "elsewhere", expect=6)
    assert "corrupt" in r.stderr
    r = cli("get", "model:v0", "--file", "weights.txt", "-o", "-", expect=6)


def test_checkout_hardlink_is_recorded_too(cli: Runner, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", {"a.txt": "aaa\n"})
    cli("put", src, "-n", "ds", "-t", "t")
    co = tmp_path / "co"
    cli("checkout", "ds:v0", co, "--link", "hardlink")
    _edit_in_place(co / "a.txt", "bbb\n")
    r = cli("put", co, "-n", "ds", "-t", "t", expect=6)
    assert "hard link into the store" in r.stderr


def test_replacing_a_hardlinked_file_is_fine(cli: Runner, tmp_path: Path) -> None:
    src = make_tree(tmp_path / "src", {"a.txt": "aaa\n"})
    cli("put", src, "-n", "ds", "-t", "t")
    work = tmp_path / "w"
    cli("get", "ds:v0", "--root", work, "--link", "hardlink")
    (work / "a.txt").unlink()  # replace (new inode), the documented way to edit
    (work / "a.txt").write_text("new\n")
    assert cli("put", work, "-n", "ds", "-t", "t", "--json").json()["version"] == "ds:v1"
    cli("verify", "ds:v0", expect=0)
