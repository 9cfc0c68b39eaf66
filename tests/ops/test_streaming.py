"""A put streams its files in manifest order (ops/inputs.iter_collect, ops/commit.py): the walk
must yield entry paths sorted exactly as the manifest sorts them, and memory must not grow with
the number of files."""

from __future__ import annotations

import os
import time
import tracemalloc
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import artifactctl
from artifactctl.blobs import packs
from artifactctl.core import manifest as mf
from artifactctl.errors import UsageError
from artifactctl.ops.inputs import collect
from artifactctl.ops.put import put
from artifactctl.store import Store

# names that sort differently as components than as whole paths: "." (0x2E) sorts before "/"
# (0x2F), "-" and "0" around them, upper case before lower, non-ASCII after ASCII, and one
# decomposed name (NFD) that must sort by its NFC entry path
_NAMES = st.sampled_from(["a", "a.txt", "a-b", "a0", "A", "b", "é", "e\u0301x", "ab", "z", "~"])
_TREES = st.recursive(
    st.just(b"x"),
    lambda children: st.dictionaries(_NAMES, children, min_size=1, max_size=4),
    max_leaves=12,
)


def _write(root: Path, tree: dict[str, object]) -> int:
    count = 0
    for name, sub in tree.items():
        if isinstance(sub, dict):
            (root / name).mkdir()
            count += _write(root / name, sub)
        else:
            (root / name).write_bytes(name.encode())
            count += 1
    return count


@settings(max_examples=40)
@given(tree=st.dictionaries(_NAMES, _TREES, min_size=1, max_size=5))
def test_walk_yields_manifest_order(tmp_path_factory: pytest.TempPathFactory, tree: dict) -> None:
    root = tmp_path_factory.mktemp("tree")
    count = _write(root, tree)
    paths = [f.path for f in collect([str(root)])]
    assert len(paths) == count
    assert paths == sorted(paths, key=lambda p: p.encode("utf-8"))
    assert all(p == unicodedata.normalize("NFC", p) for p in paths)


def test_several_inputs_merge_in_order_and_clash_loudly(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for d, names in ((a, ["x/1", "y.txt"]), (b, ["x.txt", "x/0", "z"])):
        for n in names:
            (d / n).parent.mkdir(parents=True, exist_ok=True)
            (d / n).write_text(n)
    (tmp_path / "single").write_text("s")
    paths = [f.path for f in collect([str(a), str(b), str(tmp_path / "single")])]
    assert paths == ["single", "x.txt", "x/0", "x/1", "y.txt", "z"]
    (b / "y.txt").write_text("again")
    with pytest.raises(UsageError, match=r"two inputs map to the entry path 'y\.txt'"):
        collect([str(a), str(b)])


def test_put_of_a_tree_writes_a_sorted_manifest_and_cleans_up(tmp_path: Path) -> None:
    store = Store.init(tmp_path / "s")
    data = tmp_path / "data"
    for i in range(5000):  # more than one chunk of ops/commit.CHUNK files
        d = data / f"d{i % 7}" / ("sub" if i % 3 else "sub.x")
        d.mkdir(parents=True, exist_ok=True)
        (d / f"f{i}.txt").write_text(str(i % 1500))  # duplicate content across files
    time.sleep(1.1)  # older than the racy window (ops/commit.RACY_NS): remembered by the put
    result = put(store, [str(data)], name="t", type="dataset")
    assert result.file_count == 5000 and result.new_blobs == 1500
    manifest = store.read_manifest(result.digest)  # parse() rejects unsorted entries
    assert len(manifest) == 5000
    assert manifest.digest() == result.digest  # the streamed bytes are the canonical ones
    assert not [p for p in os.listdir(store.path / "tmp")]  # no staging db or spool left
    again = put(store, [str(data)], name="t", type="dataset")
    assert not again.created and again.hashed_files == 0  # every file from the stat cache


def _numbered_tree(data: Path, n: int) -> Path:
    """``n`` tiny files, 1,000 per directory; file i holds the decimal digits of i."""
    for i in range(n):
        d = data / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            d.mkdir(parents=True)
        (d / f"f{i:06d}").write_bytes(b"%d" % i)
    return data


def _peak_of_put(tmp_path: Path, n: int) -> int:
    store = Store.init(tmp_path / f"s{n}")
    data = _numbered_tree(tmp_path / f"data{n}", n)
    tracemalloc.start()
    try:
        put(store, [str(data)], name="m", type="dataset")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        store.close()


def test_put_memory_does_not_grow_with_file_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python memory at the peak of a put of 24,000 files is about that of 3,000 files: every
    per-file record lives in the spool file and the staging tables, not in lists. (The index of
    the pack being written is bounded by PACK_MEMBERS, made small here so both puts fill packs.)"""
    monkeypatch.setattr(packs, "PACK_MEMBERS", 500)
    small = _peak_of_put(tmp_path, 3000)
    large = _peak_of_put(tmp_path, 24000)
    # holding one small record per file (~300 bytes) would add over 6 MB here
    assert large < small + 3 * 1024 * 1024, (small, large)


def test_sdk_draft_and_entries_merge_with_files(tmp_path: Path) -> None:
    store = artifactctl.Store.init(tmp_path / "s")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "m.txt").write_text("m")
    (tmp_path / "z.txt").write_text("z")
    art = artifactctl.Artifact("mix", type="dataset")
    art.add_dir(tmp_path / "d")
    art.add_file(tmp_path / "z.txt", name="a/z.txt")
    logged = store.log_artifact(art)
    assert [e.path for e in logged.files()] == ["a/z.txt", "m.txt"]
    data = store._store.read_manifest(logged.digest).to_bytes()
    assert mf.parse(data).entries[0].path == "a/z.txt"


def test_blobs_removed_before_the_commit_are_stored_again_under_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a `gc --grace 0s` racing a put does: the packs the put wrote vanish before its
    commit transaction. The put stores the blobs again, holding the write lock, and commits."""
    from artifactctl.ops import commit as commit_mod
    from artifactctl.ops.fsck import fsck

    store = Store.init(tmp_path / "s")
    data = tmp_path / "data"
    data.mkdir()
    for i in range(50):
        (data / f"f{i}").write_text(f"file {i}")
    record = commit_mod._record
    calls: list[bool] = []

    def racing_record(store_: Store, draft, stage, built, *args, locked=False):  # type: ignore[no-untyped-def]
        calls.append(store_.catalog.conn.in_transaction)
        if len(calls) == 1:
            for pack in stage.written_packs():  # as gc would: the pack has no catalog row yet
                os.unlink(store_.blobs.reader.path(pack))
        return record(store_, draft, stage, built, *args, locked=locked)

    monkeypatch.setattr(commit_mod, "_record", racing_record)
    result = put(store, [str(data)], name="r", type="dataset")
    assert calls == [False, True]  # the second ingest and commit ran inside the write lock
    assert result.created and result.file_count == 50
    assert not fsck(store, grace_seconds=0).problems
    where = store.path
    store.close()
    root = Path(artifactctl.Store(where).artifact("r:v0").download(tmp_path / "out"))
    assert {p.name: p.read_text() for p in root.iterdir()} == {
        f"f{i}": f"file {i}" for i in range(50)
    }


def test_get_memory_does_not_grow_with_file_count(tmp_path: Path) -> None:
    """A get reads the manifest a batch at a time: Python memory at the peak of getting 24,000
    files is about that of 3,000."""
    from artifactctl.ops.get import get

    peaks = []
    for n in (3000, 24000):
        store = Store.init(tmp_path / f"s{n}")
        data = _numbered_tree(tmp_path / f"data{n}", n)
        put(store, [str(data)], name="m", type="dataset")
        tracemalloc.start()
        try:
            got = get(store, "m", root=tmp_path / f"out{n}", link="copy")
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
            store.close()
        assert got.files == n
        assert (tmp_path / f"out{n}" / "d002" / "f002345").read_bytes() == b"2345"
    # the whole manifest as Entry objects would add about 6 MB here
    assert peaks[1] < peaks[0] + 3 * 1024 * 1024, peaks


def test_a_damaged_manifest_yields_nothing(tmp_path: Path) -> None:
    from artifactctl.errors import IntegrityError
    from tests.storeparts import flip_byte

    store = Store.init(tmp_path / "s")
    data = tmp_path / "data"
    data.mkdir()
    for i in range(10):
        (data / f"f{i}").write_text(str(i))
    result = put(store, [str(data)], name="m", type="dataset")
    flip_byte(store.path, result.digest, 30)
    batches = store.iter_manifest(result.digest)
    with pytest.raises(IntegrityError, match="is corrupt: its bytes hash to"):
        next(batches)  # before the first batch: no entry of a damaged manifest is placed


def test_iter_parse_checks_order_and_count() -> None:
    from artifactctl.errors import IntegrityError

    entries = [mf.Entry(f"p{i:03d}", "xxh3-128:" + f"{i:032x}", i) for i in range(10)]
    lines = list(mf.build("xxh3-128", entries).iter_lines())
    got = [e for b in mf.iter_parse(lines, batch=3) for e in b]
    assert got == entries
    with pytest.raises(IntegrityError, match="not sorted"):
        list(mf.iter_parse([lines[0], *lines[1:][::-1]], batch=3))
    with pytest.raises(IntegrityError, match="count"):
        list(mf.iter_parse(lines[:-1], batch=3))


def test_iter_blob_sizes_skips_references() -> None:
    entries = [mf.Entry(f"p{i:03d}", "xxh3-128:" + f"{i:032x}", i) for i in range(7)]
    entries.append(mf.Entry("q", "xxh3-128:" + "f" * 32, 3, ref={"uri": "s3://b/k"}))
    lines = list(mf.build("xxh3-128", entries).iter_lines())
    got = [pair for b in mf.iter_blob_sizes(lines, batch=3) for pair in b]
    assert got == [(e.digest, e.size) for e in entries[:7]]
