"""A damaged store: detected with expected and actual digests, clear errors, no traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Runner, make_tree
from tests.storeparts import flip_byte, remove_blob


@pytest.fixture
def two(cli: Runner, tmp_path: Path) -> tuple[str, str]:
    """base:v0 and other:v0, sharing no blob; returns the digest of base's x.txt."""
    cli("put", make_tree(tmp_path / "b", {"x.txt": "the one true x\n"}), "-n", "base", "-t", "t")
    cli("put", make_tree(tmp_path / "o", {"o.txt": "other\n"}), "-n", "other", "-t", "t")
    files = cli("files", "base:v0", "--json").json()
    return files[0]["digest"] if isinstance(files, list) else files["entries"][0]["digest"], ""


def test_flipped_bit_is_detected_by_verify_fsck_and_get(
    cli: Runner, store_dir: Path, tmp_path: Path, two: tuple[str, str]
) -> None:
    digest, _ = two
    flip_byte(store_dir, digest, at=3)
    r = cli("verify", "base:v0", expect=6)
    assert digest in r.stdout + r.stderr
    fsck = cli("fsck", "--json", expect=6).json()
    kinds = {(p["kind"], p["subject"]) for p in fsck["problems"]}
    assert ("corrupt-blob", digest) in kinds and ("corrupt-blob", "base:v0") in kinds
    detail = next(p["detail"] for p in fsck["problems"] if p["subject"] == digest)
    assert "hash to" in detail  # the actual digest
    root = tmp_path / "got"
    r = cli("get", "base:v0", "--root", root, expect=6)
    assert digest in r.stderr and "hash to" in r.stderr  # expected and actual
    assert not (root / "x.txt").exists()  # the damaged file is not placed
    cli("verify", "other:v0", expect=0)  # the rest of the store is fine


def test_missing_blob(cli: Runner, store_dir: Path, tmp_path: Path, two: tuple[str, str]) -> None:
    digest, _ = two
    remove_blob(store_dir, digest)
    cli("verify", "base:v0", expect=6)
    fsck = cli("fsck", "--json", expect=6).json()
    assert any(p["kind"] == "missing-blob" and digest in p["detail"] for p in fsck["problems"])
    r = cli("get", "base:v0", "--root", tmp_path / "got", expect=6)
    assert "missing" in r.stderr
    cli("verify", "other:v0", expect=0)


@pytest.mark.parametrize("damage", ["truncate", "garbage-header", "garbage-middle", "empty"])
def test_damaged_catalog(cli: Runner, store_dir: Path, two: tuple[str, str], damage: str) -> None:
    db = store_dir / "catalog.db"
    subprocess.run(["sqlite3", str(db), "PRAGMA wal_checkpoint(TRUNCATE)"], check=False)
    for extra in ("catalog.db-wal", "catalog.db-shm"):
        (store_dir / extra).unlink(missing_ok=True)
    data = db.read_bytes()
    if damage == "truncate":
        db.write_bytes(data[: len(data) // 3])
    elif damage == "garbage-header":
        db.write_bytes(b"\xde\xad\xbe\xef" * 25 + data[100:])
    elif damage == "garbage-middle":
        db.write_bytes(data[:4096] + os.urandom(len(data) - 4096))
    else:
        db.write_bytes(b"")
    codes = set()
    for argv in (["ls"], ["show", "base:v0"], ["fsck"], ["get", "base:v0", "--root", "/tmp/x-no"]):
        r = cli(*argv, expect=None)  # asserts: no traceback
        codes.add(r.code)
        if r.code:
            assert "error:" in r.stderr or "problem" in r.stdout, r.stderr
    assert codes <= {0, 4, 6, 7}
    assert codes & {4, 6, 7}  # the damage is reported by something


def test_config_of_a_newer_format(cli: Runner, store_dir: Path, two: tuple[str, str]) -> None:
    cfg = store_dir / "config.toml"
    cfg.write_text(cfg.read_text().replace("format = 1", "format = 99"))
    r = cli("ls", expect=6)
    assert "newer" in r.stderr and "upgrade" in r.stderr
    cfg.write_text("this is [ not toml")
    assert "TOML" in cli("ls", expect=6).stderr


def test_read_only_store(
    cli: Runner, store_dir: Path, tmp_path: Path, two: tuple[str, str]
) -> None:
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (file modes do not stop root)")
    if subprocess.run(["mount", "--bind", str(store_dir), str(store_dir)]).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(store_dir)]).returncode:
            pytest.skip("cannot remount read-only here")
        new = make_tree(tmp_path / "n", {"n.txt": "new\n"})
        r = cli("put", new, "-n", "new", "-t", "t", expect=7)
        assert "error:" in r.stderr
        for argv in (["ls"], ["verify", "base:v0"], ["gc"]):
            r = cli(*argv, expect=None)
            assert r.code in (0, 7), (argv, r.stderr)
    finally:
        subprocess.run(["umount", "-l", str(store_dir)], check=False)
    cli("verify", "base:v0", expect=0)
    cli("ls", "new", expect=4)
