import os
import stat
from pathlib import Path

import pytest

from artifactctl.blobs import BlobStore
from artifactctl.blobs import store as blob_store
from artifactctl.blobs.materialize import Materializer
from artifactctl.blobs.target import Target
from artifactctl.core.digest import format_digest, hash_bytes
from artifactctl.errors import ConflictError, IntegrityError, UsageError


@pytest.fixture
def blobs(tmp_path: Path) -> BlobStore:
    b = BlobStore(tmp_path / "blobs", tmp_path / "tmp", "xxh3-128")
    b.create_layout()
    return b


def test_write_once_read_only(blobs: BlobStore, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_bytes(b"hello")
    first = blobs.ingest_file(str(src))
    again = blobs.ingest_file(str(src))
    assert first.written and not again.written
    assert first.digest == format_digest("xxh3-128", hash_bytes("xxh3-128", b"hello"))
    mode = blobs.path(first.digest).stat().st_mode
    assert stat.S_IMODE(mode) == 0o444
    assert os.listdir(tmp_path / "tmp") == []


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_large_file_streams(
    blobs: BlobStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    """A large file is copied by copy_file_range and the copy hashed through a memory map; where
    the kernel cannot (another file system, an old kernel), through a buffer."""
    if not kernel_copy:
        monkeypatch.setattr(blob_store, "copy_in_kernel", lambda src, dst, size: False)
    data = os.urandom(5 * 1024 * 1024 + 7)
    src = tmp_path / "big"
    src.write_bytes(data)
    res = blobs.ingest_file(str(src))
    assert res.size == len(data) and res.written
    assert res.digest == format_digest("xxh3-128", hash_bytes("xxh3-128", data))
    assert blobs.path(res.digest).read_bytes() == data
    assert os.listdir(tmp_path / "tmp") == []


def test_corrupt_blob_detected_on_read(blobs: BlobStore) -> None:
    digest, _ = blobs.put_bytes(b"precious bytes")
    p = blobs.path(digest)
    p.chmod(0o644)
    p.write_bytes(b"precious bytez")
    with pytest.raises(IntegrityError) as info:
        blobs.read_verified(digest)
    assert digest in str(info.value) and "hash to" in str(info.value)


def test_special_files_refused(blobs: BlobStore, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(UsageError):
        blobs.ingest_file(str(fifo))


def test_target_refuses_symlinked_directory(blobs: BlobStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "sub").symlink_to(outside)
    digest, _ = blobs.put_bytes(b"x")
    with Target(root) as target:
        mat = Materializer(blobs, target, mode="copy")
        with pytest.raises(ConflictError, match="symbolic link"):
            mat.place("sub/file", digest, 1)
    assert list(outside.iterdir()) == []


def test_planted_file_symlink_is_replaced_not_followed(blobs: BlobStore, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    root = tmp_path / "root"
    root.mkdir()
    (root / "f").symlink_to(victim)
    digest, _ = blobs.put_bytes(b"new")
    with Target(root) as target:
        mat = Materializer(blobs, target, mode="copy", force=True)
        mat.place("f", digest, 3)
    assert victim.read_text() == "keep me"
    assert not (root / "f").is_symlink() and (root / "f").read_bytes() == b"new"


@pytest.mark.parametrize("mode", ["copy", "hardlink", "symlink", "auto"])
def test_modes(blobs: BlobStore, tmp_path: Path, mode: str) -> None:
    digest, _ = blobs.put_bytes(b"content")
    with Target(tmp_path / mode) as target:
        assert Materializer(blobs, target, mode=mode).place("a/b", digest, 7).outcome == "added"
    with Target(tmp_path / mode) as target:  # a second get into the same root
        mat = Materializer(blobs, target, mode=mode)
        assert mat.place("a/b", digest, 7).outcome == "unchanged"
    assert (tmp_path / mode / "a" / "b").read_bytes() == b"content"
    if mode == "hardlink":
        assert (tmp_path / mode / "a" / "b").stat().st_ino == blobs.path(digest).stat().st_ino
