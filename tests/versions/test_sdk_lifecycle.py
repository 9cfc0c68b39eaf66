"""The Python API: aliases/tags/description/metadata/ttl + save(), delete(), state,
store.artifacts(filters), new_draft(), and TTL under a fixed clock (Store(clock=...))."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import artifactctl
from artifactctl.errors import ArtifactctlError, ConflictError
from artifactctl.ops.fsck import fsck
from artifactctl.ops.gc import gc
from artifactctl.store import Store as LowStore
from tests.conftest import make_tree


@pytest.fixture
def store(tmp_path: Path) -> artifactctl.Store:
    return artifactctl.Store.init(tmp_path)


def log(
    store: artifactctl.Store, tmp_path: Path, content: str, **kw: object
) -> artifactctl.Artifact:
    f = tmp_path / "w.bin"
    f.write_text(content)
    art = artifactctl.Artifact("m", "model")
    art.add_file(f)
    for key, value in kw.items():
        setattr(art, key, value)
    return store.log_artifact(art)


def test_edit_and_save(store: artifactctl.Store, tmp_path: Path) -> None:
    v = log(store, tmp_path, "0", description="draft text", ttl=timedelta(days=3))
    assert v.description == "draft text" and v.ttl == timedelta(days=3)
    assert v.expires_at is not None
    v.aliases = ["prod", "best"]
    v.tags = ["baseline"]
    v.description = "edited"
    v.metadata = {"acc": 0.9}
    v.ttl = None
    assert v.aliases == ["latest", "prod", "best"]  # visible before save
    v.save()
    again = store.artifact("m:prod")
    assert sorted(again.aliases) == ["best", "latest", "prod"]
    assert again.tags == ["baseline"]
    assert (again.description, again.metadata, again.ttl) == ("edited", {"acc": 0.9}, None)
    again.aliases = ["best"]
    again.save()
    with pytest.raises(ArtifactctlError):
        store.artifact("m:prod")
    draft = artifactctl.Artifact("m", "model")
    with pytest.raises(ArtifactctlError):
        draft.aliases = ["x"]


def test_delete_state_and_filters(store: artifactctl.Store, tmp_path: Path) -> None:
    v0 = log(store, tmp_path, "0")
    v1 = log(store, tmp_path, "1")
    v0.aliases = ["prod"]
    v0.tags = ["keep"]
    v0.save()
    assert [a.qualified_name for a in store.artifacts(alias="prod")] == ["m:v0"]
    assert [a.qualified_name for a in store.artifacts(tag="keep")] == ["m:v0"]
    assert [a.qualified_name for a in store.artifacts(type="model")] == ["m:v0", "m:v1"]
    assert store.artifacts(type="dataset") == []
    assert [a.qualified_name for a in store.artifacts(name="m", alias="latest")] == ["m:v1"]
    with pytest.raises(ConflictError):
        v0.delete()
    v1.delete()
    assert v1.state == "DELETED"
    assert store.artifact("m").qualified_name == "m:v0"
    v0.delete(delete_aliases=True)
    assert store.artifacts() == []


def test_new_draft(store: artifactctl.Store, tmp_path: Path) -> None:
    d = make_tree(tmp_path / "d", {"a.txt": "a", "b/c.txt": "c"})
    art = artifactctl.Artifact("ds", "dataset", description="base", metadata={"n": 2})
    art.add_dir(d)
    v0 = store.log_artifact(art)
    draft = v0.new_draft()
    assert draft.is_draft and draft.name == "ds" and draft.metadata == {"n": 2}
    draft.remove("b")
    extra = tmp_path / "z.txt"
    extra.write_text("z")
    draft.add_file(extra)
    v1 = store.log_artifact(draft)
    assert v1.qualified_name == "ds:v1" and v1.description == "base"
    assert [f.path for f in v1.files()] == ["a.txt", "z.txt"]
    assert [f.path for f in v0.files()] == ["a.txt", "b/c.txt"]


def test_ttl_expires_under_a_clock_parameter(tmp_path: Path) -> None:
    artifactctl.Store.init(tmp_path).close()
    now = [datetime(2030, 1, 1, tzinfo=UTC)]
    low = LowStore(tmp_path / ".artifactctl", clock=lambda: now[0])
    from artifactctl.ops.put import put

    d = make_tree(tmp_path / "d", {"a.txt": "a"})
    put(low, [str(d)], name="t", type="t", ttl=3600)
    now[0] += timedelta(minutes=59)
    assert gc(low).deleted_versions == []
    now[0] += timedelta(minutes=1)
    assert [x["version"] for x in gc(low).deleted_versions] == ["t:v0"]
    assert fsck(low).ok
    low.close()
