"""The core commands, run as a shell script would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTCTL, Runner, make_tree
from tests.core.test_manifest import GOLDEN_TREE
from tests.storeparts import flip_byte, loose_files, loose_path, pack_files, remove_blob

PUT = ("put", "--type", "dataset", "--json")


def put(cli: Runner, *paths: Path | str, name: str = "ds", expect: int = 0, extra: tuple = ()):  # type: ignore[no-untyped-def, type-arg]
    return cli("put", *paths, "--name", name, "--type", "dataset", "--json", *extra, expect=expect)


def test_init_and_store(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    cli("init", store_dir.parent, expect=5, store=False)
    info = cli("store", "--json").json()
    assert info["path"] == str(store_dir)
    assert info["hash"] == "xxh3-128" and info["format"] == 1
    assert info["artifacts"] == 0 and info["blobs"] == 0
    assert (store_dir / "config.toml").read_text().startswith("# artifactctl")
    other = cli("init", tmp_path / "b3", "--hash", "blake3", "--json", store=False).json()
    assert other["hash"] == "blake3"
    cli("init", tmp_path / "bad", "--hash", "md5", expect=2, store=False)
    assert not (tmp_path / "bad" / ".artifactctl").exists()


def test_put_creates_versions_and_dedups(cli: Runner, sample_tree: Path, store_dir: Path) -> None:
    r = put(cli, sample_tree).json()
    assert r["created"] is True and r["version"] == "ds:v0" and r["number"] == 0
    assert r["file_count"] == 5 and r["aliases"] == ["latest"]
    size = sum(p.stat().st_size for p in sample_tree.rglob("*") if p.is_file())
    assert r["size"] == size
    assert r["new_bytes"] == size - len("alpha\n")  # dup.txt has a.txt's content
    assert r["digest"].startswith("xxh3-128:")
    again = put(cli, sample_tree).json()
    assert again["created"] is False and again["version"] == "ds:v0"
    human = cli("put", sample_tree, "--name", "ds", "--type", "dataset")
    assert human.stdout.strip() == "unchanged: ds:v0"
    (sample_tree / "a.txt").write_text("changed\n")
    v1 = put(cli, sample_tree).json()
    assert v1["version"] == "ds:v1" and v1["new_bytes"] == len("changed\n")
    # 5 files, 4 distinct contents in v0, +1 changed content, +2 manifests
    assert cli("store", "--json").json()["blobs"] == 4 + 1 + 2
    assert len(loose_files(store_dir)) == 2  # the manifests; small files are packed
    assert len(pack_files(store_dir)) == 2  # one per put that stored new small blobs
    ls = cli("ls", "ds", "--json").json()
    assert [v["version"] for v in ls] == ["ds:v0", "ds:v1"]
    assert ls[1]["aliases"] == ["latest"] and ls[0]["aliases"] == []


def test_golden_tree_digest_from_the_cli(cli: Runner, tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "golden", GOLDEN_TREE)
    r = put(cli, tree, name="golden").json()
    expected = (Path(__file__).parent.parent / "data" / "golden-digest.txt").read_text().strip()
    assert r["digest"] == expected


def test_second_put_of_unchanged_tree_reads_nothing(cli: Runner, sample_tree: Path) -> None:
    time.sleep(1.1)  # files younger than the racy window are hashed every time, by design
    first = put(cli, sample_tree).json()
    assert first["hashed_files"] == 5
    second = put(cli, sample_tree).json()
    assert second["hashed_files"] == 0 and second["created"] is False
    (sample_tree / "b.csv").write_text("x,y\n9,9\n")
    third = put(cli, sample_tree).json()
    assert third["hashed_files"] == 1 and third["created"] is True


def test_inputs_prefix_files_and_excludes(cli: Runner, sample_tree: Path, tmp_path: Path) -> None:
    extra = tmp_path / "notes.md"
    extra.write_text("n")
    r = put(
        cli,
        sample_tree,
        extra,
        extra=("--prefix", "raw", "--exclude", "*.bin", "--exclude", "deeper"),
    ).json()
    paths = [e["path"] for e in cli("files", r["version"], "--json").json()]
    assert paths == ["raw/a.txt", "raw/b.csv", "raw/dup.txt", "raw/notes.md"]


def test_two_inputs_mapping_to_one_path(cli: Runner, tmp_path: Path) -> None:
    a = make_tree(tmp_path / "a", {"x.txt": "1"})
    b = make_tree(tmp_path / "b", {"x.txt": "2"})
    r = put(cli, a, b, expect=2)
    assert "x.txt" in r.stderr and str(a) in r.stderr and str(b) in r.stderr


@pytest.mark.parametrize(
    "args,fragment",
    [
        (("--name", "bad name"), "invalid artifact name"),
        (("--name", "x" * 129), "invalid artifact name"),
        (("--name", "ok", "--metadata", "{not json"), "not valid JSON"),
        (("--name", "ok", "--metadata", "[1, 2]"), "JSON object"),
        (("--name", "ok", "--metadata", json.dumps({f"k{i}": i for i in range(101)})), "101"),
        (("--name", "ok", "--alias", "v3"), "version"),
        (("--name", "ok", "--alias", "latest"), "latest"),
        (("--name", "ok", "--metadata", "@/nonexistent.json"), "cannot read"),
    ],
)
def test_invalid_put_input_exits_2_and_writes_nothing(
    cli: Runner, sample_tree: Path, store_dir: Path, args: tuple[str, ...], fragment: str
) -> None:
    r = cli("put", sample_tree, "--type", "t", *args, expect=2)
    assert fragment in r.stderr
    assert cli("store", "--json").json()["blobs"] == 0


def test_metadata_from_file_and_show(cli: Runner, sample_tree: Path, tmp_path: Path) -> None:
    meta = tmp_path / "m.json"
    meta.write_text('{"rows": 5, "source": "unit"}')
    put(
        cli,
        sample_tree,
        extra=(
            "--metadata",
            f"@{meta}",
            "--description",
            "hello",
            "--alias",
            "best",
            "--tag",
            "raw",
        ),
    )
    doc = cli("show", "ds:best", "--json").json()
    assert doc["metadata"] == {"rows": 5, "source": "unit"}
    assert doc["description"] == "hello" and doc["tags"] == ["raw"]
    assert doc["aliases"] == ["latest", "best"]
    assert doc["manifest"]["entries"] == 5
    assert cli("show", "ds").stdout.count("ds:v0") == 1


def test_symlinks_inside_outside_and_special_files(cli: Runner, tmp_path: Path) -> None:
    tree = make_tree(tmp_path / "t", {"real.txt": "real"})
    (tree / "inside").symlink_to(tree / "real.txt")
    r = put(cli, tree).json()
    files = {e["path"]: e for e in cli("files", r["version"], "--json").json()}
    assert files["inside"]["digest"] == files["real.txt"]["digest"]
    secret = tmp_path / "secret.txt"
    secret.write_text("outside")
    (tree / "outside").symlink_to(secret)
    err = put(cli, tree, expect=2).stderr
    assert "outside the input directory" in err and "--follow-symlinks" in err
    put(cli, tree, extra=("--follow-symlinks",))
    (tree / "outside").unlink()
    (tree / "loop").symlink_to(tree / "loop")
    put(cli, tree, expect=2)
    (tree / "loop").unlink()
    os.mkfifo(tree / "pipe")
    assert "FIFO" in put(cli, tree, expect=2).stderr


def test_get_default_root_quiet_and_conflicts(
    cli: Runner, sample_tree: Path, tmp_path: Path
) -> None:
    put(cli, sample_tree)
    work = tmp_path / "work"
    work.mkdir()
    root = cli("get", "ds", "-q", cwd=work).stdout.strip()
    assert root == str(work / "artifacts" / "ds:v0")
    assert (Path(root) / "sub" / "c.bin").read_bytes() == (
        sample_tree / "sub" / "c.bin"
    ).read_bytes()
    env_root = tmp_path / "env-root"
    r = cli("get", "ds:v0", "--json", env={"ARTIFACTCTL_ARTIFACT_DIR": str(env_root)}).json()
    assert r["root"] == str(env_root / "ds:v0") and r["files"] == 5 and r["added"] == 5
    before = (env_root / "ds:v0" / "a.txt").stat().st_mtime_ns
    again = cli("get", "ds:v0", "--json", env={"ARTIFACTCTL_ARTIFACT_DIR": str(env_root)}).json()
    assert again["unchanged"] == 5 and again["added"] == 0
    assert (env_root / "ds:v0" / "a.txt").stat().st_mtime_ns == before
    (env_root / "ds:v0" / "a.txt").write_text("local edit")
    (env_root / "ds:v0" / "mine.txt").write_text("not in the version")
    err = cli("get", "ds:v0", "--root", env_root / "ds:v0", expect=5).stderr
    assert "different content" in err and "--force" in err
    assert (env_root / "ds:v0" / "a.txt").read_text() == "local edit"
    forced = cli("get", "ds:v0", "--root", env_root / "ds:v0", "--force", "--json").json()
    assert forced["replaced"] == 1
    assert (env_root / "ds:v0" / "a.txt").read_text() == "alpha\n"
    assert (env_root / "ds:v0" / "mine.txt").exists()


@pytest.mark.parametrize("link", ["copy", "hardlink", "symlink", "reflink", "auto"])
def test_get_link_modes(cli: Runner, sample_tree: Path, tmp_path: Path, link: str) -> None:
    put(cli, sample_tree)
    r = cli("get", "ds", "--root", tmp_path / link, "--link", link, "--json", expect=None)
    if link == "reflink" and r.code == 7:
        assert "reflink" in r.stderr  # this file system has none: a clear error, not a copy
        return
    assert r.code == 0, r.stderr
    cli("verify", "ds", tmp_path / link)
    if link == "symlink":
        assert (tmp_path / link / "a.txt").is_symlink()


def test_get_prefix_and_single_file(cli: Runner, sample_tree: Path, tmp_path: Path) -> None:
    put(cli, sample_tree)
    r = cli("get", "ds", "--root", tmp_path / "p", "--path-prefix", "sub", "--json").json()
    assert r["files"] == 2
    assert sorted(str(p.relative_to(tmp_path / "p")) for p in (tmp_path / "p").rglob("*.*")) == [
        "sub/c.bin",
        "sub/deeper/d.txt",
    ]
    cli("get", "ds", "--path-prefix", "nope", "--root", tmp_path / "n", expect=4)
    piped = cli("get", "ds", "--file", "b.csv", "-o", "-")
    assert piped.stdout == "x,y\n1,2\n"
    cli("get", "ds", "--file", "missing.txt", "-o", "-", expect=4)


def test_specs_resolve(cli: Runner, sample_tree: Path) -> None:
    r = put(cli, sample_tree, extra=("--alias", "prod")).json()
    hexpart = r["digest"].split(":")[1]
    for spec in ("ds", "ds:latest", "ds:v0", "ds:prod", f"ds@{hexpart[:8]}"):
        assert cli("show", spec, "--json").json()["digest"] == r["digest"]
    assert "newest: v0" in cli("show", "ds:v7", expect=4).stderr
    cli("show", "nope", expect=4)
    cli("show", "ds:nope", expect=4)
    for bad in ("ds:", "ds::x", ":v1", "ds:v-1", "ds@zz"):
        cli("show", bad, expect=2)


def test_checkout(cli: Runner, sample_tree: Path, tmp_path: Path) -> None:
    put(cli, sample_tree)
    (sample_tree / "sub" / "c.bin").unlink()
    (sample_tree / "new.txt").write_text("new")
    put(cli, sample_tree)
    target = tmp_path / "co"
    first = cli("checkout", "ds:v0", target, "--json").json()
    assert len(first["added"]) == 5
    plan = cli("checkout", "ds:v1", target, "--dry-run", "--json").json()
    assert plan["added"] == ["new.txt"] and plan["removed"] == ["sub/c.bin"]
    assert (target / "sub" / "c.bin").exists()  # dry run changed nothing
    cli("checkout", "ds:v1", target)
    cli("verify", "ds:v1", target)
    assert not (target / "sub" / "c.bin").exists()
    foreign = make_tree(tmp_path / "foreign", {"keep.txt": "mine"})
    assert "--force" in cli("checkout", "ds:v1", foreign, expect=5).stderr
    assert (foreign / "keep.txt").exists()
    cli("checkout", "ds:v1", foreign, "--force")
    assert not (foreign / "keep.txt").exists()
    cli("verify", "ds:v1", foreign)


def test_verify_reports_and_exit_codes(cli: Runner, sample_tree: Path, tmp_path: Path) -> None:
    put(cli, sample_tree)
    root = Path(cli("get", "ds", "--root", tmp_path / "v", "-q").stdout.strip())
    ok = cli("verify", "ds", root, "--json").json()
    assert ok["ok"] and ok["checked"] == 5
    (root / "a.txt").write_text("tampered")
    (root / "sub" / "deeper" / "d.txt").unlink()
    (root / "extra.txt").write_text("x")
    bad = cli("verify", "ds", root, "--json", expect=6).json()
    assert not bad["ok"]
    assert [m["path"] for m in bad["modified"]] == ["a.txt"]
    assert [m["path"] for m in bad["missing"]] == ["sub/deeper/d.txt"]
    assert bad["extra"] == ["extra.txt"]
    assert cli("verify", "ds", "--json").json()["target"] == "store"


def test_corrupt_and_missing_blobs_are_detected(
    cli: Runner, sample_tree: Path, store_dir: Path, tmp_path: Path
) -> None:
    put(cli, sample_tree)
    files = {e["path"]: e for e in cli("files", "ds", "--json").json()}
    digest = files["b.csv"]["digest"]
    flip_byte(store_dir, digest)
    assert cli("verify", "ds", "--json", expect=6).json()["modified"][0]["path"] == "b.csv"
    err = cli("get", "ds", "--root", tmp_path / "g", expect=6).stderr
    assert digest in err and "hash to" in err
    assert not (tmp_path / "g" / "b.csv").exists()
    fsck = cli("fsck", "--json", expect=6).json()
    kinds = {p["kind"] for p in fsck["problems"]}
    assert "corrupt-blob" in kinds
    remove_blob(store_dir, digest)
    fsck = cli("fsck", "--json", expect=6).json()
    assert any(p["kind"] == "missing-blob" and p["subject"] == "ds:v0" for p in fsck["problems"])


def test_crafted_manifest_never_writes_outside_root(
    cli: Runner, sample_tree: Path, store_dir: Path, tmp_path: Path
) -> None:
    r = put(cli, sample_tree).json()
    manifest = loose_path(store_dir, r["digest"])
    manifest.chmod(0o644)
    manifest.write_bytes(
        manifest.read_bytes().replace(b'"path":"a.txt"', b'"path":"../../escaped.txt"')
    )
    root = tmp_path / "deep" / "root"
    err = cli("get", "ds", "--root", root, expect=6).stderr
    assert "corrupt" in err or "invalid" in err
    assert not list(tmp_path.rglob("escaped.txt"))


def test_diff_and_files(cli: Runner, sample_tree: Path) -> None:
    put(cli, sample_tree)
    (sample_tree / "a.txt").write_text("alpha2\n")
    (sample_tree / "dup.txt").unlink()
    (sample_tree / "z.txt").write_text("z")
    put(cli, sample_tree)
    d = cli("diff", "ds:v0", "ds:v1", "--json").json()
    assert [e["path"] for e in d["added"]] == ["z.txt"]
    assert [e["path"] for e in d["removed"]] == ["dup.txt"]
    assert [(m["path"], m["size_a"], m["size_b"]) for m in d["modified"]] == [("a.txt", 6, 7)]
    assert d["unchanged"] == 3
    files = cli("files", "ds:v1", "--json").json()
    assert {"path", "digest", "size"} <= set(files[0])
    assert "a.txt" in cli("files", "ds:v1").stdout


def test_ls_lists_artifacts(cli: Runner, sample_tree: Path) -> None:
    put(cli, sample_tree, name="one")
    put(cli, sample_tree, name="two")
    rows = cli("ls", "--json").json()
    assert [(r["name"], r["versions"], r["latest"]) for r in rows] == [
        ("one", 1, "one:v0"),
        ("two", 1, "two:v0"),
    ]
    assert "one" in cli("ls").stdout
    cli("ls", "nope", expect=4)


def test_store_discovery(sample_tree: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTIFACTCTL_")}
    project = tmp_path / "project"
    (project / "deep" / "er").mkdir(parents=True)

    def run(*args: str | Path, cwd: Path = project) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [ARTIFACTCTL, *map(str, args)],
            capture_output=True,
            text=True,
            env=env,
            cwd=cwd,
            check=False,
        )

    assert run("init").returncode == 0
    r = run("put", sample_tree, "--name", "d", "--type", "t", "--json", cwd=project / "deep" / "er")
    assert r.returncode == 0, r.stderr
    assert run("store", "--json", cwd=project / "deep").stdout.count(str(project / ".artifactctl"))
    # the global and the per-command --store both name the store directory itself
    other = tmp_path / "other-store"
    assert run("--store", other, "put", sample_tree, "--name", "o", "--type", "t").returncode == 0
    assert json.loads(run("store", "--store", other, "--json").stdout)["artifacts"] == 1
    # with nothing found, the user's default store is created on first use
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    info = json.loads(run("store", "--json", cwd=lonely).stdout)
    assert info["path"] == str(Path(env["XDG_DATA_HOME"]) / "artifactctl")
    # a directory that is not a store is never taken over
    make_tree(tmp_path / "notastore", {"x": "1"})
    bad = run("--store", tmp_path / "notastore", "ls")
    assert bad.returncode == 4 and "not an artifactctl store" in bad.stderr


def test_newer_store_format_is_refused(cli: Runner, store_dir: Path) -> None:
    cfg = store_dir / "config.toml"
    cfg.write_text(cfg.read_text().replace("format = 1", "format = 99"))
    assert "newer" in cli("ls", expect=6).stderr


def test_usage_errors_and_version(cli: Runner) -> None:
    assert cli("--version").stdout.startswith("artifactctl ")
    assert cli("put", "--bogus-option", expect=2).code == 2
    assert cli("frobnicate", expect=2).code == 2
    r = subprocess.run(
        [sys.executable, "-m", "artifactctl", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0 and r.stdout.startswith("artifactctl ")
