"""Hostile entry paths and trees: put refuses them; crafted manifests never write outside."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTCTL, Runner, make_tree
from tests.reliability.helpers import craft_manifest, tree_state, write_blob


@pytest.fixture
def base(cli: Runner, tmp_path: Path) -> Path:
    tree = make_tree(tmp_path / "base", {"x.txt": "the one true x\n"})
    cli("put", tree, "--name", "base", "--type", "dataset")
    return tree


def _unharmed(cli: Runner) -> None:
    cli("verify", "base:v0", expect=0)
    assert cli("fsck", "--json").json()["ok"]


@pytest.mark.parametrize(
    "name",
    [b"bad\xff\xfe.txt", b"back\\slash.txt", b"new\nline.txt", b"C:drive.txt", b"tab\x01.txt"],
)
def test_put_refuses_hostile_local_names(
    cli: Runner, tmp_path: Path, base: Path, name: bytes
) -> None:
    tree = tmp_path / "hostile"
    tree.mkdir()
    (tree / "fine.txt").write_text("fine\n")
    with open(os.path.join(os.fsencode(tree), name), "wb") as fh:
        fh.write(b"payload\n")
    r = cli("put", tree, "--name", "hostile", "--type", "t", expect=2)
    assert "error:" in r.stderr and "entry path" in r.stderr
    cli("ls", "hostile", expect=4)  # nothing was committed
    _unharmed(cli)


def test_put_refuses_names_that_collide_after_unicode_normalisation(
    cli: Runner, tmp_path: Path, base: Path
) -> None:
    tree = make_tree(tmp_path / "nf", {"caf\u00e9.txt": "nfc\n", "cafe\u0301.txt": "nfd\n"})
    r = cli("put", tree, "--name", "nf", "--type", "t", expect=2)
    assert "caf\u00e9.txt" in r.stderr and "cafe\u0301.txt" in r.stderr  # names both
    cli("ls", "nf", expect=4)


def test_names_differing_only_by_case_are_distinct_entries(
    cli: Runner, tmp_path: Path, base: Path
) -> None:
    tree = make_tree(tmp_path / "case", {"Readme.txt": "upper\n", "readme.txt": "lower\n"})
    cli("put", tree, "--name", "case", "--type", "t")
    got = tmp_path / "got"
    cli("get", "case:v0", "--root", got)
    assert (got / "Readme.txt").read_text() == "upper\n"
    assert (got / "readme.txt").read_text() == "lower\n"


def _nested(tree: Path, name: str, depth: int) -> Path:
    """``tree``/name/name/…/f.txt, ``depth`` directories deep, built relative to descriptors
    (the whole path may be longer than the system accepts)."""
    tree.mkdir()
    fd = os.open(tree, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=fd)
            nxt = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nxt
        with open(os.open("f.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as fh:
            fh.write("deep\n")
    finally:
        os.close(fd)
    return tree


def test_put_refuses_over_long_paths(cli: Runner, tmp_path: Path, base: Path) -> None:
    # 20 components of 240 bytes: over 4096 bytes
    tree = _nested(tmp_path / "deep", "d" * 240, 20)
    r = cli("put", tree, "--name", "deep", "--type", "t", expect=None)
    assert r.code in (2, 7) and "error:" in r.stderr
    cli("ls", "deep", expect=4)
    subprocess.run(["rm", "-rf", str(tree)], check=True)  # shutil cannot remove it either


def test_tree_as_deep_as_entry_paths_allow(cli: Runner, tmp_path: Path) -> None:
    """1,900 nested directories (a 3,800-byte entry path, under the 4,096 limit): put, get and
    verify walk them without recursion (Python's limit is about 1,000 frames)."""
    tree = _nested(tmp_path / "deep", "a", 1900)
    got = tmp_path / "got"
    try:
        put = cli("put", tree, "--name", "deep", "--type", "t", "--json").json()
        assert put["file_count"] == 1
        cli("get", "deep:v0", "--root", got)
        cli("verify", "deep:v0", got)
        files = cli("files", "deep:v0", "--json").json()
        assert files[0]["path"] == "a/" * 1900 + "f.txt"
    finally:
        subprocess.run(["rm", "-rf", str(tree), str(got)], check=True)


BAD_ENTRY_PATHS = [
    "../escaped.txt",
    "ok/../../escaped.txt",
    "/tmp/escaped-abs.txt",
    "a//b.txt",
    "a/./b.txt",
    "a\\..\\..\\escaped.txt",
    "C:/escaped.txt",
    "nul\x00.txt",
    "e\u0301.txt",
    "x" * 300,
    "ctl\x07.txt",
]


@pytest.mark.parametrize("bad", BAD_ENTRY_PATHS)
@pytest.mark.parametrize("command", ["get", "checkout", "verify"])
def test_crafted_manifest_paths_are_refused(
    cli: Runner, store_dir: Path, tmp_path: Path, base: Path, bad: str, command: str
) -> None:
    digest = write_blob(store_dir, b"evil\n")
    cli("put", make_tree(tmp_path / "v", {"good.txt": "good\n"}), "-n", "victim", "-t", "t")
    craft_manifest(store_dir, "victim:v0", [("good.txt", digest, 5), (bad, digest, 5)])
    root = tmp_path / "area" / "root"
    root.mkdir(parents=True)
    before = tree_state(tmp_path / "area")
    argv = {
        "get": ["get", "victim:v0", "--root", root],
        "checkout": ["checkout", "victim:v0", root],
    }
    r = cli(*argv.get(command, ["verify", "victim:v0", root]), expect=6)
    assert "manifest" in r.stderr and "error:" in r.stderr
    assert tree_state(tmp_path / "area") == before  # nothing written anywhere
    assert not Path("/tmp/escaped-abs.txt").exists()
    fsck = cli("fsck", "--json", expect=6).json()
    assert {p["kind"] for p in fsck["problems"]} == {"bad-manifest"}
    cli("verify", "base:v0", expect=0)  # other versions are unharmed


def test_symlinks_out_of_the_tree_and_loops_are_refused(
    cli: Runner, tmp_path: Path, base: Path
) -> None:
    secret = make_tree(tmp_path / "outside", {"secret.txt": "secret\n"})
    out = make_tree(tmp_path / "t1", {"a.txt": "a\n"})
    (out / "link").symlink_to(secret / "secret.txt")
    r = cli("put", out, "-n", "s", "-t", "t", expect=2)
    assert "outside the input directory" in r.stderr
    loop = make_tree(tmp_path / "t2", {"a.txt": "a\n"})
    (loop / "x").symlink_to(loop / "y")
    (loop / "y").symlink_to(loop / "x")
    cli("put", loop, "-n", "s", "-t", "t", expect=2)
    cycle = make_tree(tmp_path / "t3", {"sub/a.txt": "a\n"})
    (cycle / "sub" / "up").symlink_to(cycle / "sub")
    r = cli("put", cycle, "-n", "s", "-t", "t", expect=2)
    assert "loop" in r.stderr
    cli("ls", "s", expect=4)


def test_symlink_planted_in_the_target_is_never_followed(
    cli: Runner, tmp_path: Path, base: Path
) -> None:
    cli(
        "put",
        make_tree(tmp_path / "v", {"sub/f.txt": "f\n", "top.txt": "t\n"}),
        "-n",
        "v",
        "-t",
        "t",
    )
    victim = make_tree(tmp_path / "victim", {"top.txt": "precious\n"})
    before = tree_state(victim)
    root = tmp_path / "root"
    root.mkdir()
    (root / "sub").symlink_to(victim)  # a directory symlink: writes into it would escape
    r = cli("get", "v:v0", "--root", root, expect=5)
    assert "symbolic link" in r.stderr
    (root / "sub").unlink()
    (root / "top.txt").unlink(missing_ok=True)  # may have been placed before the refusal
    (root / "top.txt").symlink_to(victim / "top.txt")  # a file symlink
    cli("get", "v:v0", "--root", root, expect=5)
    cli("get", "v:v0", "--root", root, "--force", expect=0)
    assert not (root / "top.txt").is_symlink() and (root / "top.txt").read_text() == "t\n"
    assert tree_state(victim) == before  # the symlink was replaced, not written through
    (root / "sub").exists() and shutil.rmtree(root / "sub")
    (root / "sub").symlink_to(victim)
    cli("checkout", "v:v0", root, "--force", expect=0)  # the symlink is removed, not followed
    assert not (root / "sub").is_symlink() and (root / "sub" / "f.txt").read_text() == "f\n"
    assert tree_state(victim) == before


def test_a_file_that_changes_while_put_reads_it_is_refused(
    cli: Runner, tmp_path: Path, base: Path
) -> None:
    tree = tmp_path / "growing"
    tree.mkdir()
    big = tree / "big.bin"
    big.write_bytes(os.urandom(1 << 20) * 24)  # streamed (over 4 MiB), so the read takes a while
    stop = threading.Event()

    def grow() -> None:
        with open(big, "ab") as fh:
            while not stop.is_set():
                fh.write(b"x" * 4096)
                fh.flush()

    t = threading.Thread(target=grow)
    t.start()
    try:
        r = cli("put", tree, "-n", "grow", "-t", "t", expect=2)
    finally:
        stop.set()
        t.join()
    assert "changed while it was being read" in r.stderr
    cli("ls", "grow", expect=4)  # no version was committed with a wrong digest
    _unharmed(cli)


def test_files_vanishing_during_put(cli: Runner, tmp_path: Path, base: Path) -> None:
    tree = make_tree(tmp_path / "vanish", {f"f{i:04d}.txt": f"v{i}\n" * 50 for i in range(2000)})
    stop = threading.Event()

    def remove() -> None:
        for f in sorted(tree.iterdir(), reverse=True):
            if stop.is_set():
                return
            f.unlink()

    t = threading.Thread(target=remove)
    t.start()
    try:
        r = cli("put", tree, "-n", "vanish", "-t", "t", expect=None)
    finally:
        stop.set()
        t.join()
    assert r.code in (0, 4), r.stderr
    if r.code == 0:  # a snapshot without the vanished files: every committed entry is whole
        cli("verify", "vanish:v0", expect=0)
    else:
        assert "vanished" in r.stderr
    _unharmed(cli)


def _nobody(store_dir: Path) -> tuple[int, int]:
    if os.geteuid() != 0:
        pytest.skip("needs root to run artifactctl as another user")
    import pwd

    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


@pytest.fixture
def install_passable() -> Iterator[None]:
    """Let other users reach the installed artifactctl: a checkout under `mktemp -d` (mode 0700)
    is not passable for `nobody`. Directories on the way get the search bit for others (not the
    read bit: nothing can be listed) for the test's duration."""
    changed: list[tuple[Path, int]] = []
    for d in {*Path(ARTIFACTCTL).parents, *Path(sys.executable).parents}:
        mode = d.stat().st_mode
        if not mode & stat.S_IXOTH:
            os.chmod(d, stat.S_IMODE(mode) | stat.S_IXOTH)
            changed.append((d, stat.S_IMODE(mode)))
    try:
        yield
    finally:
        for d, mode in changed:
            os.chmod(d, mode)


@pytest.mark.usefixtures("install_passable")
def test_unreadable_files_and_directories(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    """Permission errors for real: artifactctl runs as `nobody` (root ignores file modes)."""
    uid, gid = _nobody(store_dir)
    if shutil.which("setpriv") is None:
        pytest.skip("setpriv is not installed")
    area = Path(tmp_path / "perm")
    area.mkdir()
    os.chmod(tmp_path, 0o700)
    r = subprocess.run(  # first: a store this user may not even enter
        ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", ARTIFACTCTL, "ls"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "ARTIFACTCTL_DIR": str(store_dir)},
    )
    assert r.returncode == 7 and "Traceback" not in r.stderr, r.stderr
    for d in (tmp_path, *tmp_path.parents):  # then make the way to it passable
        if d == Path("/tmp") or d == Path("/"):
            break
        os.chmod(d, 0o755)
    ok = make_tree(area / "base", {"x.txt": "x\n"})
    cli("put", ok, "-n", "base", "-t", "t")
    tree = make_tree(area / "t", {"ok.txt": "ok\n", "locked.txt": "locked\n", "dir/a.txt": "a\n"})
    subprocess.run(["chown", "-R", f"{uid}:{gid}", str(store_dir), str(area)], check=True)
    os.chmod(store_dir.parent, 0o777)
    os.chmod(tree / "locked.txt", 0)
    env = {"ARTIFACTCTL_DIR": str(store_dir), "HOME": str(area), "XDG_DATA_HOME": str(area)}
    as_nobody = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*as_nobody, ARTIFACTCTL, *args],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            check=False,
            timeout=120,
        )

    r = run("put", str(tree), "-n", "p", "-t", "t")
    assert r.returncode == 7, r.stderr
    assert "permission denied" in r.stderr and "Traceback" not in r.stderr
    os.chmod(tree / "locked.txt", 0o644)
    os.chmod(tree / "dir", 0)
    r = run("put", str(tree), "-n", "p", "-t", "t")
    assert r.returncode == 7 and "permission denied" in r.stderr and "Traceback" not in r.stderr
    os.chmod(tree / "dir", 0o755)
    assert run("ls", "p").returncode == 4  # nothing was committed
    assert run("verify", "base:v0").returncode == 0


def test_full_disk(cli: Runner, tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        store = mnt / ".artifactctl"
        env = {"ARTIFACTCTL_DIR": str(store)}
        cli("init", mnt, store=False)
        cli("put", make_tree(tmp_path / "b", {"x.txt": "x\n"}), "-n", "base", "-t", "t", env=env)
        big = tmp_path / "big"
        big.mkdir()
        (big / "a.bin").write_bytes(os.urandom(3 << 20))
        r = cli("put", big, "-n", "big", "-t", "t", env=env, expect=7)
        assert "no space left" in r.stderr
        many = make_tree(tmp_path / "many", {f"f{i}.bin": os.urandom(40_000) for i in range(60)})
        r = cli("put", many, "-n", "many", "-t", "t", env=env, expect=7)
        assert "space" in r.stderr
        cli("ls", "big", env=env, expect=4)
        cli("verify", "base:v0", env=env, expect=0)
        cli("gc", "--grace", "0s", env=env, expect=0)
        assert cli("fsck", "--grace", "0s", "--json", env=env).json()["ok"]
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)
