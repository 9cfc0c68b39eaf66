"""`put --from SPEC [PATH...] [--remove ENTRY_OR_PREFIX]...`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Runner, make_tree
from tests.versions.helpers import fsck_ok


def test_put_from_adds_replaces_and_removes(cli: Runner, tmp_path: Path) -> None:
    base = make_tree(
        tmp_path / "base",
        {"a.txt": "a\n", "b.txt": "b\n", "sub/c.txt": "c\n", "sub/d.txt": "d\n"},
    )
    cli("put", base, "--name", "ds", "--type", "dataset", "--description", "first", expect=0)
    cli("edit", "ds:v0", "--metadata-set", "rows=4", expect=0)
    new = make_tree(tmp_path / "new", {"a.txt": "A!\n", "e.txt": "e\n"})
    r = cli(
        "put",
        "--from",
        "ds:v0",
        new / "a.txt",
        new / "e.txt",
        "--remove",
        "sub",
        "--remove",
        "b.txt",
        "--alias",
        "next",
        "--json",
    ).json()
    assert r["version"] == "ds:v1" and r["created"] and r["hashed_files"] == 2
    assert r["aliases"] == ["latest", "next"]
    files = {f["path"]: f["size"] for f in cli("files", "ds:v1", "--json").json()}
    assert files == {"a.txt": 3, "e.txt": 2}
    v1 = cli("show", "ds:v1", "--json").json()
    assert v1["description"] == "first" and v1["metadata"] == {"rows": 4}
    out = tmp_path / "out"
    cli("get", "ds:v1", "--root", out, expect=0)
    got = {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
    assert got == {"a.txt": "A!\n", "e.txt": "e\n"}
    assert [f["path"] for f in cli("files", "ds:v0", "--json").json()] == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/d.txt",
    ]
    fsck_ok(cli)


def test_put_from_an_old_version_and_unchanged(cli: Runner, tmp_path: Path) -> None:
    d = make_tree(tmp_path / "d", {"a.txt": "1\n"})
    cli("put", d, "--name", "x", "--type", "t", expect=0)
    (d / "a.txt").write_text("2\n")
    cli("put", d, "--name", "x", "--type", "t", expect=0)
    r = cli("put", "--from", "x:v0", "--json").json()  # a revert: v0's content as v2
    assert r["version"] == "x:v2" and r["created"]
    assert r["digest"] == cli("show", "x:v0", "--json").json()["digest"]
    again = cli("put", "--from", "x:v2", "--json").json()
    assert again["created"] is False and again["version"] == "x:v2"
    assert "unchanged" in cli("put", "--from", "x").stdout


def test_put_from_errors(cli: Runner, tmp_path: Path) -> None:
    d = make_tree(tmp_path / "d", {"a.txt": "1\n"})
    cli("put", d, "--name", "x", "--type", "t", expect=0)
    assert "no entry" in cli("put", "--from", "x", "--remove", "zzz", expect=4).stderr
    cli("put", "--from", "x", d, "--name", "other", expect=2)
    cli("put", "--from", "x", d, "--type", "other", expect=2)
    cli("put", "--from", "x:v4", d, expect=4)
    cli("put", d, "--remove", "a.txt", "--name", "x", "--type", "t", expect=2)
    cli("put", d, expect=2)
    cli("put", "--name", "x", "--type", "t", expect=2)


def test_put_ttl_option(cli: Runner, tmp_path: Path) -> None:
    d = make_tree(tmp_path / "d", {"a.txt": "1\n"})
    r = cli("put", d, "--name", "x", "--type", "t", "--ttl", "2w", "--json").json()
    assert cli("ttl", "show", r["version"], "--json").json()["ttl"] == "2w"
    (d / "a.txt").write_text("2\n")
    r = cli("put", "--from", "x", d / "a.txt", "--ttl", "3d", "--json").json()
    assert cli("ttl", "show", r["version"], "--json").json()["ttl_seconds"] == 3 * 86400
