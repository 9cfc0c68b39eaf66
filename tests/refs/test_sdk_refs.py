"""``Artifact.add_reference`` through the Python API (file://, and S3 on moto in-process)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import artifactctl
from artifactctl.errors import IntegrityError, MissingDependencyError, UsageError

pytest_plugins = ["tests.emulators.fixtures"]


def test_add_reference_file(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "d").mkdir(parents=True)
    (src / "d" / "a.txt").write_text("alpha\n")
    (src / "b.csv").write_text("x,y\n")
    store = artifactctl.Store.init(tmp_path / "s")
    art = artifactctl.Artifact("refs", type="dataset")
    assert art.add_reference(f"file://{src}/d/") == f"file://{src}/d/"
    art.add_reference(f"file://{src}/b.csv", name="tables/b.csv")
    logged = store.log_artifact(art)
    by_path = {e.path: e for e in logged.files()}
    assert set(by_path) == {"a.txt", "tables/b.csv"}
    assert by_path["a.txt"].ref is not None and by_path["a.txt"].ref["pinned"] is True
    out = logged.download(tmp_path / "out")
    assert (Path(out) / "tables" / "b.csv").read_text() == "x,y\n"
    (src / "b.csv").write_text("changed!\n")
    # the reference cache holds the verified pinned bytes: still gettable
    out2 = Path(logged.download(tmp_path / "out2"))
    assert (out2 / "tables" / "b.csv").read_text() == "x,y\n"
    shutil.rmtree(store.path / "refcache")  # without it, a file keeps no versions: clear error
    with pytest.raises(IntegrityError) as info:
        logged.download(tmp_path / "out3")
    assert f"file://{src}/b.csv" in str(info.value) and "found" in str(info.value)
    assert not (tmp_path / "out3" / "a.txt").exists()  # nothing placed
    store.close()


def test_add_reference_rejects_early() -> None:
    art = artifactctl.Artifact("x", type="t")
    with pytest.raises(UsageError):
        art.add_reference("https://user:pw@host/x")
    with pytest.raises(UsageError):
        art.add_reference("s3://bkt/x", max_objects=0)
    with pytest.raises(UsageError):
        art.add_reference("relative/path")


@pytest.mark.emulators
def test_add_reference_s3_in_process(
    tmp_path: Path, s3_server: object, s3_bucket: str, s3_env: dict[str, str]
) -> None:
    client = s3_server.client()  # type: ignore[attr-defined]
    for i in range(3):
        client.put_object(Bucket=s3_bucket, Key=f"p/k{i}", Body=b"v%d" % i)
    store = artifactctl.Store.init(tmp_path / "s")
    art = artifactctl.Artifact("s3refs", type="dataset")
    art.add_reference(f"s3://{s3_bucket}/p/", name="objs")
    logged = store.log_artifact(art)
    assert sorted(e.path for e in logged.files()) == ["objs/k0", "objs/k1", "objs/k2"]
    assert all(e.ref and e.ref.get("version_id") for e in logged.files())
    client.put_object(Bucket=s3_bucket, Key="p/k1", Body=b"new")
    out = Path(logged.download(tmp_path / "o"))
    assert (out / "objs" / "k1").read_bytes() == b"v1"  # the pinned VersionId
    logged.verify()  # local entries only: references need verify(references=True) in ops
    store.close()


def test_missing_extra_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from artifactctl.core.refs import parse_ref_uri
    from artifactctl.refs import RefOptions, handler_for

    monkeypatch.setitem(sys.modules, "s3fs", None)  # as if the extra were not installed
    h = handler_for("s3", RefOptions())
    with pytest.raises(MissingDependencyError) as info:
        h.list_objects(parse_ref_uri("s3://bkt/x"))
    assert "pip install 'artifactctl[s3]'" in str(info.value)
