"""Pack files (blobs/packs.py) and the store's use of them, through the library."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from artifactctl.blobs.packs import (
    HEADER,
    PackLoc,
    PackReader,
    PackWriter,
    list_packs,
    member_bytes,
    read_trailer,
)
from artifactctl.catalog import packs as packrows
from artifactctl.core.digest import format_digest, hash_bytes
from artifactctl.errors import IntegrityError
from artifactctl.ops.delete import delete
from artifactctl.ops.gc import gc
from artifactctl.ops.put import put
from artifactctl.store import Store


def _digest(data: bytes) -> str:
    return format_digest("xxh3-128", hash_bytes("xxh3-128", data))


def test_writer_rolls_over_and_packs_describe_themselves(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "tmp").mkdir()
    writer = PackWriter(tmp_path / "packs", tmp_path / "tmp", target=10_000)
    rng = random.Random(5)
    blobs = [rng.randbytes(rng.randint(0, 3000)) for _ in range(40)]
    locs = [writer.add(_digest(b), b) for b in blobs]
    assert list_packs(tmp_path / "packs")  # full packs are installed as they fill
    installed = writer.close()
    assert len(installed) == len({loc.pack for loc in locs}) >= 3
    assert os.listdir(tmp_path / "tmp") == []
    reader = PackReader(tmp_path / "packs")
    for data, loc in zip(blobs, locs, strict=True):
        assert reader.read(loc) == data
    for pack, path in list_packs(tmp_path / "packs"):
        members = read_trailer(path)
        assert {(d, o, s) for d, o, s in members} == {
            (_digest(b), loc.offset, loc.size)
            for b, loc in zip(blobs, locs, strict=True)
            if loc.pack == pack
        }
        assert member_bytes(path) == sum(s for _, _, s in members)
        assert min(o for _, o, _ in members) == HEADER
        assert os.stat(path).st_mode & 0o777 == 0o444
    reader.close()


def test_a_duplicate_is_added_once(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    writer = PackWriter(tmp_path / "packs", tmp_path)
    a = writer.add(_digest(b"x"), b"x")
    assert writer.add(_digest(b"x"), b"x") == a
    writer.close()
    (pack,) = list_packs(tmp_path / "packs")
    assert len(read_trailer(pack[1])) == 1


def test_abort_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    (tmp_path / "tmp").mkdir()
    writer = PackWriter(tmp_path / "packs", tmp_path / "tmp")
    writer.add(_digest(b"x"), b"x")
    writer.abort()
    assert os.listdir(tmp_path / "tmp") == [] and list_packs(tmp_path / "packs") == []


def test_reading_past_the_end_of_a_pack_is_an_integrity_error(tmp_path: Path) -> None:
    (tmp_path / "packs").mkdir()
    writer = PackWriter(tmp_path / "packs", tmp_path)
    loc = writer.add(_digest(b"abc"), b"abc")
    writer.close()
    reader = PackReader(tmp_path / "packs")
    with pytest.raises(IntegrityError, match="truncated"):
        reader.read(PackLoc(loc.pack, 10**9, 3))


def _put(store: Store, root: Path, name: str) -> str:
    return put(store, [str(root)], name=name, type="dataset").version


def _tree(root: Path, n: int, seed: int) -> Path:
    rng = random.Random(seed)
    for i in range(n):
        p = root / f"d{i % 3}" / f"f{i}.bin"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(rng.randbytes(rng.randint(100, 2000)))
    return root


def test_a_reader_that_located_a_blob_before_gc_rewrote_its_pack_finds_it_again(
    tmp_path: Path,
) -> None:
    store = Store.init(tmp_path / "s")
    _put(store, _tree(tmp_path / "a", 40, seed=1), "a")
    keep = tmp_path / "k"
    keep.mkdir()
    first = sorted((tmp_path / "a").rglob("*.bin"))[0]
    (keep / "one.bin").write_bytes(first.read_bytes())
    _put(store, keep, "keep")
    digest = _digest(first.read_bytes())
    old = store.blobs.locate([digest])[digest]
    delete(store, "a:v0")
    result = gc(store, grace_seconds=0)
    assert result.packs.packs_rewritten == 1
    new = store.blobs.locate([digest])[digest]
    assert new.pack != old.pack and not os.path.exists(store.blobs.reader.path(old.pack))
    # a reader holding the old location (looked up before the rewrite) still gets the bytes
    fresh = Store(store.path)
    assert fresh.blobs.read(digest, old) == first.read_bytes()
    assert packrows.usage(store.catalog) == {new.pack: (1, new.size)}


def test_put_with_packing_off_writes_loose_blobs(tmp_path: Path) -> None:
    store = Store.init(tmp_path / "s")
    store.set_setting("pack-max-size", 0)
    store = Store(store.path)
    _put(store, _tree(tmp_path / "a", 5, seed=2), "a")
    assert list_packs(store.blobs.packs) == []
    assert len(store.blobs.iter_files()) == 6  # 5 blobs and the manifest
