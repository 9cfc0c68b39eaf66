"""The Python API (`import artifactctl`), beside the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

import artifactctl
from artifactctl.errors import ArtifactctlError, ConflictError, IntegrityError, NotFoundError
from tests.conftest import make_tree


@pytest.fixture
def store(tmp_path: Path) -> artifactctl.Store:
    return artifactctl.Store.init(tmp_path / "s")


def test_log_and_read_back(store: artifactctl.Store, sample_tree: Path, tmp_path: Path) -> None:
    art = artifactctl.Artifact("ds", type="dataset", description="d", metadata={"rows": 3})
    assert art.is_draft and art.state == "PENDING"
    art.add_dir(sample_tree)
    art.add_file(sample_tree / "a.txt", name="copies/a.txt")
    with art.new_file("notes/readme.txt", mode="w") as fh:
        fh.write("made in python\n")
    art.remove("sub/deeper")
    logged = store.log_artifact(art, aliases=["best"])
    assert logged.qualified_name == "ds:v0" and logged.version == "v0"
    assert logged.aliases == ["latest", "best"] and logged.state == "COMMITTED"
    assert logged.metadata == {"rows": 3} and logged.description == "d"
    paths = [e.path for e in logged.files()]
    assert paths == ["a.txt", "b.csv", "copies/a.txt", "dup.txt", "notes/readme.txt", "sub/c.bin"]
    assert logged.file_count == 6 and logged.size == sum(e.size for e in logged.files())
    assert len(logged.manifest) == 6 and logged.created_at.endswith("Z")
    root = Path(logged.download(tmp_path / "dl"))
    assert (root / "notes" / "readme.txt").read_text() == "made in python\n"
    logged.verify(root)
    logged.verify()
    (root / "b.csv").write_text("tampered")
    with pytest.raises(IntegrityError, match=r"b\.csv"):
        logged.verify(root)
    entry = logged.get_entry("copies/a.txt")
    assert Path(entry.download(tmp_path / "one")).read_text() == "alpha\n"
    with pytest.raises(NotFoundError):
        logged.get_entry("nope")
    assert store.artifact("ds:best").digest == logged.digest
    assert store.artifact(f"ds@{logged.digest.split(':')[1][:6]}").version == "v0"


def test_unchanged_draft_returns_existing_version(
    store: artifactctl.Store, sample_tree: Path
) -> None:
    first = artifactctl.Artifact("ds", type="dataset")
    first.add_dir(sample_tree)
    v0 = store.log_artifact(first)
    again = artifactctl.Artifact("ds", type="dataset")
    again.add_dir(sample_tree)
    assert store.log_artifact(again).qualified_name == v0.qualified_name
    assert [a.qualified_name for a in store.artifacts(name="ds")] == ["ds:v0"]


def test_drafts_and_committed_objects_guard_their_state(
    store: artifactctl.Store, tmp_path: Path
) -> None:
    tree = make_tree(tmp_path / "t", {"x": "1"})
    art = artifactctl.Artifact("one", type="model")
    art.add_file(tree / "x")
    with pytest.raises(ConflictError):
        art.add_file(tree / "x")
    art.add_file(tree / "x", overwrite=True)
    with pytest.raises(ArtifactctlError, match="draft"):
        _ = art.digest
    logged = store.log_artifact(art)
    with pytest.raises(ArtifactctlError, match="immutable"):
        logged.add_file(tree / "x", name="y")
    assert Path(logged.file(tmp_path / "f")).read_text() == "1"
    with pytest.raises(artifactctl.ArtifactctlError):
        artifactctl.Artifact("bad name", type="model")


def test_checkout_makes_directory_exact(
    store: artifactctl.Store, sample_tree: Path, tmp_path: Path
) -> None:
    art = artifactctl.Artifact("ds", type="dataset")
    art.add_dir(sample_tree)
    logged = store.log_artifact(art)
    target = make_tree(tmp_path / "co", {"stale.txt": "old"})
    logged.checkout(target)
    assert not (target / "stale.txt").exists()
    logged.verify(target)
