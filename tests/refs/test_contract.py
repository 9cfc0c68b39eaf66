"""The reference contract, run against every backend through the real CLI.

s3 (moto_server, versioned bucket), gs (fake-gcs-server, versioned bucket), az (Azurite),
http (a local http.server) and file:// (a temporary directory). Each test drives
``artifactctl`` as a subprocess with the emulator's environment, as a shell script would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Runner
from tests.refs.backends import (
    AzureBackend,
    Backend,
    FileBackend,
    GCSBackend,
    HTTPBackend,
    S3Backend,
)

pytest_plugins = ["tests.emulators.fixtures"]
pytestmark = pytest.mark.emulators

BACKENDS = ["s3", "gs", "az", "http", "file"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    kind = request.param
    if kind == "s3":
        return S3Backend(request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket"))
    if kind == "gs":
        return GCSBackend(
            request.getfixturevalue("gcs_server"), request.getfixturevalue("gcs_bucket")
        )
    if kind == "az":
        return AzureBackend(
            request.getfixturevalue("azurite_server"), request.getfixturevalue("azure_container")
        )
    if kind == "http":
        return HTTPBackend(request.getfixturevalue("http_dir"))
    root = tmp_path / "file-refs"
    root.mkdir()
    return FileBackend(root)


def put(cli: Runner, b: Backend, *args: str, expect: int = 0, name: str = "refs") -> dict:
    r = cli("put", *args, "--name", name, "--type", "dataset", "--json", env=b.env, expect=expect)
    return r.json() if expect == 0 else {"stderr": r.stderr}


def files(cli: Runner, b: Backend, spec: str = "refs") -> dict[str, dict]:
    return {e["path"]: e for e in cli("files", spec, "--json", env=b.env).json()}


class TestReferenceContract:
    def test_single_object(self, cli: Runner, backend: Backend, tmp_path: Path) -> None:
        backend.write("one/data.csv", b"a,b\n1,2\n")
        res = put(cli, backend, backend.uri("one/data.csv"))
        assert res["created"] and res["file_count"] == 1 and res["new_bytes"] == 0
        entry = files(cli, backend)["data.csv"]
        ref = entry["ref"]
        assert ref["uri"] == backend.uri("one/data.csv") and ref["pinned"] is True
        for f in backend.pin_fields:
            assert f in ref, (f, ref)
        assert entry["size"] == 8
        # the same object again: same digest, no new version
        assert put(cli, backend, backend.uri("one/data.csv"))["created"] is False
        got = cli("get", "refs", "--root", tmp_path / "out", "--json", env=backend.env).json()
        assert got["references"] == 1 and got["references_downloaded"] == 1
        assert (tmp_path / "out" / "data.csv").read_bytes() == b"a,b\n1,2\n"

    def test_prefix_with_nested_keys(self, cli: Runner, backend: Backend, tmp_path: Path) -> None:
        tree = {"top.txt": b"top\n", "a/b.txt": b"bee\n", "a/c/d.bin": bytes(range(200))}
        for k, v in tree.items():
            backend.write(f"pre/{k}", v)
        backend.write("prefix-sibling.txt", b"must not be included\n")
        res = put(
            cli, backend, backend.uri("pre/"), "--ref-name", f"named={backend.uri('pre/top.txt')}"
        )
        assert res["file_count"] == 4, res
        listed = files(cli, backend)
        assert set(listed) == {"top.txt", "a/b.txt", "a/c/d.bin", "named"}
        cli("get", "refs", "--root", tmp_path / "out", env=backend.env)
        for k, v in tree.items():
            assert (tmp_path / "out" / k).read_bytes() == v
        assert (tmp_path / "out" / "named").read_bytes() == b"top\n"

    def test_overwritten_after_put(self, cli: Runner, backend: Backend, tmp_path: Path) -> None:
        backend.write("ow/x.txt", b"original bytes\n")
        before = put(cli, backend, backend.uri("ow/x.txt"))
        backend.write("ow/x.txt", b"overwritten, longer bytes\n")
        out = tmp_path / "out"
        if backend.keeps_versions:
            cli("get", "refs", "--root", out, env=backend.env)
            assert (out / "x.txt").read_bytes() == b"original bytes\n"
        else:
            r = cli("get", "refs", "--root", out, env=backend.env, expect=6)
            assert backend.uri("ow/x.txt") in r.stderr and "expected" in r.stderr, r.stderr
            assert "found" in r.stderr
            assert not (out / "x.txt").exists()
            r = cli(
                "get", "refs", "--root", out, "--allow-missing-references", "--json",
                env=backend.env, expect=3,
            )  # fmt: skip
            skipped = r.json()["skipped_references"]
            assert [s["path"] for s in skipped] == ["x.txt"], skipped
        # a new put pins the new object: a new version with another digest
        after = put(cli, backend, backend.uri("ow/x.txt"))
        assert after["created"] and after["digest"] != before["digest"]
        cli("get", "refs", "--root", tmp_path / "new", env=backend.env)
        assert (tmp_path / "new" / "x.txt").read_bytes() == b"overwritten, longer bytes\n"

    def test_deleted_after_put(self, cli: Runner, backend: Backend, tmp_path: Path) -> None:
        backend.write("del/keep.txt", b"keep\n")
        backend.write("del/gone.txt", b"gone\n")
        put(cli, backend, backend.uri("del/"))
        backend.delete("del/gone.txt")
        r = cli("verify", "refs", "--references", "--json", env=backend.env, expect=6)
        vanished = r.json()["references"]["vanished"]
        assert [v["path"] for v in vanished] == ["gone.txt"]
        out = tmp_path / "out"
        if backend.keeps_versions:
            cli("get", "refs", "--root", out, env=backend.env)
            assert (out / "gone.txt").read_bytes() == b"gone\n"
            return
        r = cli("get", "refs", "--root", out, env=backend.env, expect=4)
        assert backend.uri("del/gone.txt") in r.stderr
        assert not out.exists() or not any(out.iterdir())  # nothing half-written
        r = cli(
            "get", "refs", "--root", out, "--allow-missing-references", "--json",
            env=backend.env, expect=3,
        )  # fmt: skip
        assert (out / "keep.txt").read_bytes() == b"keep\n" and not (out / "gone.txt").exists()
        assert r.json()["skipped_references"][0]["uri"] == backend.uri("del/gone.txt")

    def test_prefix_over_max_objects(self, cli: Runner, backend: Backend) -> None:
        for i in range(3):
            backend.write(f"many/f{i}.txt", b"x%d" % i)
        r = put(cli, backend, backend.uri("many/"), "--max-objects", "2", expect=2)
        assert "3 objects" in r["stderr"] and "--max-objects 3" in r["stderr"], r
        assert cli("ls", "--json", env=backend.env).json() == []  # nothing committed
        assert put(cli, backend, backend.uri("many/"), "--max-objects", "3")["file_count"] == 3

    def test_no_checksum(self, cli: Runner, backend: Backend, tmp_path: Path) -> None:
        backend.write("nc/blob.bin", b"first\n")
        r = cli(
            "put", backend.uri("nc/blob.bin"), "--no-checksum", "--name", "refs", "--type", "t",
            env=backend.env,
        )  # fmt: skip
        assert "unpinned" in r.stderr
        ref = files(cli, backend)["blob.bin"]["ref"]
        assert ref == {"uri": backend.uri("nc/blob.bin"), "pinned": False}
        backend.write("nc/blob.bin", b"second, newer\n")
        got = cli("get", "refs", "--root", tmp_path / "o", "--json", env=backend.env).json()
        assert got["references_unpinned"] == 1
        assert (tmp_path / "o" / "blob.bin").read_bytes() == b"second, newer\n"
        v = cli("verify", "refs", "--references", "--json", env=backend.env).json()
        assert v["references"]["unpinned"] == 1 and v["references"]["checked"] == 0

    def test_concurrent_get_of_many(self, cli: Runner, backend: Backend, tmp_path: Path) -> None:
        n = 30
        for i in range(n):
            backend.write(f"bulk/d{i % 3}/obj{i:03d}.txt", f"object {i}\n".encode() * (i + 1))
        assert put(cli, backend, backend.uri("bulk/"))["file_count"] == n
        out = tmp_path / "out"
        got = cli(
            "get", "refs", "--root", out, "--ref-workers", "8", "--json", env=backend.env
        ).json()
        assert got["references"] == n and got["references_downloaded"] == n
        for i in range(n):
            assert (out / f"d{i % 3}/obj{i:03d}.txt").read_bytes() == f"object {i}\n".encode() * (
                i + 1
            )
        again = cli("get", "refs", "--root", tmp_path / "o2", "--json", env=backend.env).json()
        assert again["references_cached"] == n and again["references_downloaded"] == 0

    def test_verify_with_and_without_deep(self, cli: Runner, backend: Backend) -> None:
        for i in range(3):
            backend.write(f"v/{i}.txt", b"value %d\n" % i)
        put(cli, backend, backend.uri("v/"))
        for extra in ([], ["--deep"]):
            r = cli("verify", "refs", "--references", *extra, "--json", env=backend.env)
            refs = r.json()["references"]
            assert refs["ok"] and refs["checked"] == 3 and refs["deep"] == bool(extra)
        backend.write("v/1.txt", b"tampered with\n")
        r = cli("verify", "refs", "--references", "--json", env=backend.env, expect=6)
        changed = r.json()["references"]["changed"]
        assert [c["path"] for c in changed] == ["1.txt"] and changed[0]["detail"]
        r = cli("verify", "refs", "--references", env=backend.env, expect=6)
        assert "changed" in r.stdout and backend.uri("v/1.txt") in r.stdout
        deep = cli(
            "verify", "refs", "--references", "--deep", "--json", env=backend.env, expect=None
        )
        if backend.keeps_versions:  # the pinned version is still readable and intact
            assert deep.code == 0, deep.stdout
        else:
            assert deep.code == 6
            assert [c["path"] for c in deep.json()["references"]["changed"]] == ["1.txt"]

    def test_unreachable_or_bad_credentials(self, cli: Runner, backend: Backend) -> None:
        backend.write("bad/x.txt", b"x")
        uri = backend.broken_uri("bad/x.txt")
        r = cli(
            "put", uri, "--name", "refs", "--type", "t", env=backend.broken_env, expect=7,
            timeout=90,
        )  # fmt: skip
        assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr
        for secret in ("testing", "Eby8vdM02xNOcqFl", "d3Jvbmcta2V5"):
            assert secret not in r.stderr
        assert cli("ls", "--json", env=backend.env).json() == []  # nothing half-written
        if backend.name in ("s3", "gs", "az"):  # get of a good version through a broken env
            put(cli, backend, backend.uri("bad/x.txt"))
            r = cli("get", "refs", "--root", "out", env=backend.broken_env, expect=7, timeout=90)
            assert "Traceback" not in r.stderr


def test_manifest_never_holds_credentials(cli: Runner, tmp_path: Path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("x")
    r = cli("put", "https://user:pw@example.invalid/x", "--name", "a", "--type", "t", expect=2)
    assert "pw" not in r.stderr and "credentials" in r.stderr
    r = cli(
        "put", "https://example.invalid/x?sig=SECRETSIG&sv=1", "--name", "a", "--type", "t",
        expect=2,
    )  # fmt: skip
    assert "SECRETSIG" not in r.stderr
    r = cli("put", "ftp://host/x", "--name", "a", "--type", "t", expect=2)
    assert "unsupported reference scheme" in r.stderr
    assert json.loads(cli("ls", "--json").stdout) == []
