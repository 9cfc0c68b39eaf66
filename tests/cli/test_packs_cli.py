"""Small blobs live in pack files: put creates a handful of files, everything else still works.

Covers put/get/verify/fsck/gc through the installed CLI on packed stores, the `pack-max-size`
setting, link modes (a packed blob gets a loose file once), damage to a pack, and gc deleting and
rewriting packs."""

from __future__ import annotations

import os
import random
from pathlib import Path

from tests.conftest import Runner, make_tree
from tests.storeparts import (
    blob_location,
    flip_byte,
    is_packed,
    loose_files,
    loose_path,
    pack_files,
    remove_blob,
)


def _tree(root: Path, n: int, seed: int, size: int = 3000) -> Path:
    rng = random.Random(seed)
    files = {f"d{i % 7}/f{i:04d}.bin": rng.randbytes(rng.randint(1, size)) for i in range(n)}
    return make_tree(root, files)  # type: ignore[arg-type]


def _same_tree(a: Path, b: Path) -> None:
    fa = {p.relative_to(a): p.read_bytes() for p in a.rglob("*") if p.is_file()}
    fb = {p.relative_to(b): p.read_bytes() for p in b.rglob("*") if p.is_file()}
    assert fa == fb


def test_put_of_many_small_files_creates_one_pack(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = _tree(tmp_path / "data", 300, seed=1)
    r = cli("put", data, "-n", "ds", "-t", "dataset", "--json").json()
    assert r["file_count"] == 300 and r["new_blobs"] == 300
    assert len(pack_files(store_dir)) == 1
    assert len(loose_files(store_dir)) == 1  # only the manifest is a loose file
    files = cli("files", "ds", "--json").json()
    assert all(is_packed(store_dir, f["digest"]) for f in files)
    out = tmp_path / "out"
    got = cli("get", "ds", "--root", out, "--json").json()
    assert got["added"] == 300
    _same_tree(data, out)
    cli("verify", "ds", out)
    assert cli("verify", "ds", "--json").json()["checked"] == 300  # the store's copy
    fsck = cli("fsck", "--json").json()
    assert fsck["ok"] and fsck["blobs_checked"] == 301
    assert cli("store", "--json").json()["blobs"] == 301
    # the same bytes again under another name: nothing new is written
    again = cli("put", data, "-n", "copy", "-t", "dataset", "--json").json()
    assert again["new_blobs"] == 0 and len(pack_files(store_dir)) == 1


def test_get_file_and_partial_get_read_from_packs(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = make_tree(tmp_path / "data", {"a.txt": "alpha\n", "sub/b.txt": "beta\n"})
    cli("put", data, "-n", "ds", "-t", "t")
    assert cli("get", "ds", "--file", "sub/b.txt", "-o", "-").stdout == "beta\n"
    cli("get", "ds", "--root", tmp_path / "p", "--path-prefix", "sub")
    assert (tmp_path / "p" / "sub" / "b.txt").read_text() == "beta\n"


def test_pack_max_size_setting(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    cli("config", "set", "pack-max-size", "2KiB")
    data = make_tree(tmp_path / "data", {"small.bin": b"s" * 2048, "big.bin": b"b" * 2049})
    cli("put", data, "-n", "ds", "-t", "t")
    files = {f["path"]: f["digest"] for f in cli("files", "ds", "--json").json()}
    assert is_packed(store_dir, files["small.bin"])
    assert not is_packed(store_dir, files["big.bin"])
    cli("config", "set", "pack-max-size", "0")
    cli("put", make_tree(tmp_path / "d2", {"tiny.txt": "t\n"}), "-n", "loose", "-t", "t")
    (tiny,) = cli("files", "loose", "--json").json()
    assert not is_packed(store_dir, tiny["digest"])
    r = cli("config", "set", "pack-max-size", "1GiB", expect=2)
    assert "64MiB" in r.stderr
    cli("config", "set", "pack-max-size", "lots", expect=2)
    _same_tree(data, Path(cli("get", "ds", "--root", tmp_path / "o", "--json").json()["root"]))


def test_hardlink_and_symlink_get_give_packed_blobs_a_loose_file_once(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    data = make_tree(tmp_path / "data", {"a.txt": "alpha\n", "b/c.txt": "gamma\n"})
    cli("put", data, "-n", "ds", "-t", "t")
    files = {f["path"]: f["digest"] for f in cli("files", "ds", "--json").json()}
    assert len(loose_files(store_dir)) == 1  # the manifest
    h1 = tmp_path / "h1"
    cli("get", "ds", "--root", h1, "--link", "hardlink")
    assert len(loose_files(store_dir)) == 3
    # the loose file is now the blob's copy of record: verify and fsck read it, not the pack
    assert not any(is_packed(store_dir, d) for d in files.values())
    blob = loose_path(store_dir, files["a.txt"])
    assert os.stat(h1 / "a.txt").st_ino == blob.stat().st_ino
    h2 = tmp_path / "h2"
    cli("get", "ds", "--root", h2, "--link", "hardlink")
    assert len(loose_files(store_dir)) == 3  # made once
    assert os.stat(h2 / "a.txt").st_ino == blob.stat().st_ino
    s = tmp_path / "s"
    cli("get", "ds", "--root", s, "--link", "symlink")
    assert os.readlink(s / "b" / "c.txt").endswith(files["b/c.txt"].split(":")[1][2:])
    assert (s / "b" / "c.txt").read_text() == "gamma\n"
    cli("verify", "ds", h1)
    cli("verify", "ds", s)
    assert cli("fsck", "--json").json()["ok"]
    # an edit in place of the hard-linked file is refused by put, naming the blob
    os.chmod(h1 / "a.txt", 0o644)
    (h1 / "a.txt").write_text("edited\n")
    r = cli("put", h1, "-n", "ds", "-t", "t", expect=6)
    assert files["a.txt"] in r.stderr
    assert cli("verify", "ds", "--json", expect=6).json()["modified"][0]["path"] == "a.txt"


def test_damaged_pack_is_detected(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    cli("put", make_tree(tmp_path / "a", {"x.txt": "the one true x\n"}), "-n", "base", "-t", "t")
    cli("put", make_tree(tmp_path / "b", {"o.txt": "other\n"}), "-n", "other", "-t", "t")
    (x,) = cli("files", "base", "--json").json()
    flip_byte(store_dir, x["digest"], at=2)
    r = cli("verify", "base", "--json", expect=6).json()
    assert r["modified"][0]["path"] == "x.txt"
    err = cli("get", "base", "--root", tmp_path / "g", expect=6).stderr
    assert x["digest"] in err and "hash to" in err
    assert not (tmp_path / "g" / "x.txt").exists()
    assert cli("get", "base", "--file", "x.txt", "-o", "-", expect=6).stdout == ""
    fsck = cli("fsck", "--json", expect=6).json()
    kinds = {(p["kind"], p["subject"]) for p in fsck["problems"]}
    assert ("corrupt-blob", x["digest"]) in kinds and ("corrupt-blob", "base:v0") in kinds
    cli("verify", "other", expect=0)
    # gc does not move a corrupt blob into a new pack
    cli("delete", "other:v0", "-y")
    remove_blob(store_dir, x["digest"])  # the whole pack of base:v0
    fsck = cli("fsck", "--json", expect=6).json()
    assert any(p["kind"] == "missing-blob" and p["subject"] == "base:v0" for p in fsck["problems"])
    assert cli("verify", "base", "--json", expect=6).json()["missing"][0]["path"] == "x.txt"


def test_truncated_pack(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    cli("put", _tree(tmp_path / "a", 20, seed=3), "-n", "ds", "-t", "t")
    (pack,) = pack_files(store_dir)
    os.chmod(pack, 0o644)
    os.truncate(pack, pack.stat().st_size // 2)
    fsck = cli("fsck", "--json", expect=6).json()
    kinds = {p["kind"] for p in fsck["problems"]}
    assert "bad-pack" in kinds and "corrupt-blob" in kinds
    cli("get", "ds", "--root", tmp_path / "g", expect=6)
    cli("verify", "ds", expect=6)


def test_gc_deletes_dead_packs_and_rewrites_mostly_dead_ones(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    # v0 of `gone`: its own pack; `keep` shares 10 of `mixed`'s 100 blobs
    gone = _tree(tmp_path / "gone", 50, seed=10)
    cli("put", gone, "-n", "gone", "-t", "t")
    mixed = _tree(tmp_path / "mixed", 100, seed=11)
    cli("put", mixed, "-n", "mixed", "-t", "t")
    keep = tmp_path / "keep"
    keep.mkdir()
    for p in sorted(mixed.rglob("*.bin"))[:10]:
        (keep / p.name).write_bytes(p.read_bytes())
    cli("put", keep, "-n", "keep", "-t", "t")
    assert len(pack_files(store_dir)) == 2  # keep's blobs were all in the store already
    (keep_entry, *_) = cli("files", "keep", "--json").json()
    mixed_pack = blob_location(store_dir, keep_entry["digest"])[0]
    cli("delete", "gone:v0", "-y")
    cli("delete", "mixed:v0", "-y")
    dry = cli("gc", "--dry-run", "--grace", "0s", "--json").json()
    assert dry["packs_removed"] == 1 and dry["packs_rewritten"] == 1
    assert len(pack_files(store_dir)) == 2
    r = cli("gc", "--grace", "0s", "--json").json()
    assert r["blobs_removed"] == 50 + 90 + 2  # blobs and the two manifests
    assert r["packs_removed"] == 1 and r["packs_rewritten"] == 1
    assert r["pack_bytes_freed"] > 0
    (new_pack,) = pack_files(store_dir)
    assert new_pack != mixed_pack and not mixed_pack.exists()
    assert blob_location(store_dir, keep_entry["digest"])[0] == new_pack
    assert new_pack.stat().st_size < sum(p.stat().st_size for p in keep.iterdir()) + 4096
    out = tmp_path / "out"
    cli("get", "keep", "--root", out)
    _same_tree(keep, out)
    fsck = cli("fsck", "--json", "--grace", "0s").json()
    assert fsck["ok"], fsck["problems"]
    # the next put of the deleted content writes it again
    again = cli("put", gone, "-n", "gone", "-t", "t", "--json").json()
    assert again["new_blobs"] == 50
    assert cli("fsck", "--json", "--grace", "0s").json()["ok"]


def test_orphan_pack_from_an_interrupted_put(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    cli("put", make_tree(tmp_path / "a", {"a.txt": "a\n"}), "-n", "ds", "-t", "t")
    (real,) = pack_files(store_dir)
    orphan = store_dir / "packs" / ("ab" * 10 + ".pack")
    orphan.write_bytes(real.read_bytes())
    assert cli("fsck", "--json").json()["ok"]  # younger than the grace period: a put's
    fsck = cli("fsck", "--json", "--grace", "0s", expect=6).json()
    assert [p["kind"] for p in fsck["problems"]] == ["orphan-pack"]
    r = cli("gc", "--grace", "0s", "--json").json()
    assert r["packs_removed"] == 1 and not orphan.exists() and real.exists()
    assert cli("fsck", "--json", "--grace", "0s").json()["ok"]


def test_store_reports_pack_space_and_what_gc_can_reclaim(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    cli("put", _tree(tmp_path / "a", 40, seed=21), "-n", "a", "-t", "t")
    cli("put", _tree(tmp_path / "b", 40, seed=22), "-n", "b", "-t", "t")
    info = cli("store", "--json").json()
    assert info["pack_files"] == 2 and info["packed_blobs"] == 80
    assert info["pack_bytes"] == sum(p.stat().st_size for p in pack_files(store_dir))
    assert info["pack_dead_bytes"] == 0
    cli("delete", "a:v0", "-y")
    r = cli("gc", "--json").json()  # default grace: rows go, young packs stay
    assert r["blobs_removed"] == 41 and r["packs_removed"] == 0
    dead = cli("store", "--json").json()
    assert dead["packed_blobs"] == 40 and dead["pack_dead_bytes"] > 0
    assert "dead (gc reclaims)" in cli("store").stdout
    cli("gc", "--grace", "0s")
    after = cli("store", "--json").json()
    assert after["pack_files"] == 1 and after["pack_dead_bytes"] == 0
    assert after["pack_bytes"] < dead["pack_bytes"]
