"""The Python API: Artifact.link/unlink/is_link/source_artifact/linked_artifacts,
Run.link_artifact/link_model, and link nodes in lineage."""

from __future__ import annotations

from pathlib import Path

import pytest

import artifactctl
from artifactctl.errors import ArtifactctlError, ConflictError
from artifactctl.ops.lineage import lineage
from tests.conftest import make_tree


@pytest.fixture
def store(tmp_path: Path) -> artifactctl.Store:
    s = artifactctl.Store.init(tmp_path / "home")
    yield s
    s.close()


def _log(store: artifactctl.Store, tmp_path: Path, text: str) -> artifactctl.Artifact:
    art = artifactctl.Artifact("clf", type="model")
    art.add_dir(make_tree(tmp_path / f"m-{text}", {"w.bin": text}))
    return store.log_artifact(art)


def test_link_is_link_source_and_linked_artifacts(store: artifactctl.Store, tmp_path: Path) -> None:
    v0 = _log(store, tmp_path, "zero")
    assert v0.is_link is False and v0.linked_artifacts == []
    assert v0.source_artifact is v0
    linked = v0.link("model-registry/clf", aliases=["staging"])
    assert linked.is_link is True
    assert linked.qualified_name == "model-registry/clf:v0"
    assert linked.name == "model-registry/clf" and linked.version == "v0"
    assert linked.aliases == ["latest", "staging"]
    assert linked.digest == v0.digest
    assert linked.source_artifact.qualified_name == "clf:v0"
    assert linked.source_artifact.is_link is False
    assert [a.qualified_name for a in v0.linked_artifacts] == ["model-registry/clf:v0"]
    # reading through the registry
    fetched = store.artifact("model-registry/clf:staging")
    assert fetched.is_link and fetched.source_artifact.qualified_name == "clf:v0"
    root = fetched.download(tmp_path / "out")
    assert (Path(root) / "w.bin").read_text() == "zero"
    fetched.verify(root)
    # linking a link links its source: the same member comes back
    again = fetched.link("model-registry/clf", aliases=["production"])
    assert again.qualified_name == "model-registry/clf:v0"
    assert again.aliases == ["latest", "production", "staging"]
    # the source's own aliases are untouched by the registry's
    assert store.artifact("clf:v0").aliases == ["latest"]


def test_unlink(store: artifactctl.Store, tmp_path: Path) -> None:
    v0 = _log(store, tmp_path, "zero")
    with pytest.raises(ArtifactctlError, match="not a link"):
        v0.unlink()
    linked = v0.link("reg/clf")
    linked.unlink()
    assert v0.linked_artifacts == []
    assert store.artifact("clf:v0").state == "COMMITTED"
    with pytest.raises(ArtifactctlError):
        store.artifact("reg/clf:v0")


def test_link_type_mismatch_is_refused(store: artifactctl.Store, tmp_path: Path) -> None:
    _log(store, tmp_path, "zero").link("reg/clf")
    ds = artifactctl.Artifact("rows", type="dataset")
    ds.add_dir(make_tree(tmp_path / "ds", {"r.csv": "a"}))
    with pytest.raises(ConflictError, match="type"):
        store.log_artifact(ds).link("reg/clf")


def test_run_link_model_reuses_identical_versions_and_records_the_run(
    store: artifactctl.Store, tmp_path: Path
) -> None:
    model = make_tree(tmp_path / "weights", {"w.bin": "A", "cfg.json": "{}"})
    with artifactctl.init_run("proj", store=store.path) as run:
        first = run.link_model(model, "mnist", aliases=["staging"])
        run_id = run.id
    assert first.qualified_name == "model-registry/mnist:v0"
    source = first.source_artifact
    assert source.type == "model" and source.qualified_name == f"run-{run_id}-weights:v0"
    # new content makes v1; going back to the first content reuses v0, not a new v2
    (model / "w.bin").write_text("B")
    with artifactctl.init_run("proj", store=store.path) as run2:
        second = run2.link_model(model, "mnist", name="mnist-weights")
        (model / "w.bin").write_text("A")
        third = run2.link_model(model, "mnist", name="mnist-weights")
        back = run2.link_model(model, "mnist", name="mnist-weights")
    assert second.source_artifact.qualified_name == "mnist-weights:v0"
    assert third.source_artifact.qualified_name == "mnist-weights:v1"
    assert back.source_artifact.qualified_name == "mnist-weights:v1"
    assert back.qualified_name == third.qualified_name == "model-registry/mnist:v2"
    # identical content under the same name from the first run reuses that version
    (model / "w.bin").write_text("A")
    with artifactctl.init_run("proj", store=store.path) as run3:
        reuse = run3.link_model(model, "mnist", name=f"run-{run_id}-weights")
    assert reuse.source_artifact.qualified_name == f"run-{run_id}-weights:v0"
    assert reuse.qualified_name == "model-registry/mnist:v0"


def test_run_link_artifact_and_lineage_shows_link_nodes(
    store: artifactctl.Store, tmp_path: Path
) -> None:
    with artifactctl.init_run("proj", store=store.path) as run:
        art = artifactctl.Artifact("clf", type="model")
        art.add_dir(make_tree(tmp_path / "m", {"w.bin": "x"}))
        logged = run.log_artifact(art)
        linked = run.link_artifact(logged, "model-registry/clf", aliases=["production"])
        run_id = run.id
    assert linked.qualified_name == "model-registry/clf:v0"
    low = store._store
    graph = lineage(low, "clf:v0", direction="down").to_json()
    links = [n for n in graph["nodes"] if n["kind"] == "link"]
    assert [n["version"] for n in links] == ["model-registry/clf:v0"]
    assert links[0]["aliases"] == ["latest", "production"]
    assert links[0]["run_id"] == run_id
    relations = {e["relation"] for e in graph["edges"]}
    assert "link" in relations
    from_run = lineage(low, run_id, direction="down").to_json()
    assert any(n["kind"] == "link" for n in from_run["nodes"])
    assert "linked" in {e["relation"] for e in from_run["edges"]}
    up = lineage(low, "model-registry/clf:production", direction="down").to_json()
    assert any(n["kind"] == "link" for n in up["nodes"])
