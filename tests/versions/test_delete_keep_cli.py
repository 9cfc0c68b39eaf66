"""`delete` and `keep NAME --last N`."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Runner
from tests.versions.helpers import fsck_ok, versions


def test_delete_latest_moves_latest_back_and_numbers_are_never_reused(
    cli: Runner, tmp_path: Path
) -> None:
    data = versions(cli, tmp_path)
    r = cli("delete", "m:v2", "--yes", "--json").json()
    assert {k: r[k] for k in ("version", "state", "removed_aliases", "latest")} | {
        "reclaimable_bytes": r["reclaimable_bytes"]
    } == {
        "version": "m:v2",
        "state": "DELETED",
        "removed_aliases": ["latest"],
        "latest": "m:v1",
        "reclaimable_bytes": len("weights 2\n"),
    }
    assert cli("show", "m", "--json").json()["version"] == "m:v1"
    cli("show", "m:v2", expect=4)
    assert [v["version"] for v in cli("ls", "m", "--json").json()] == ["m:v0", "m:v1"]
    (data / "w.bin").write_text("weights 3\n")
    assert cli("put", data, "--name", "m", "--type", "model", "--json").json()["version"] == "m:v3"
    hist = cli("alias", "history", "m", "latest", "--json").json()
    assert [h["version"] for h in hist][-2:] == ["m:v1", "m:v3"]
    fsck_ok(cli)


def test_delete_refuses_while_aliased(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    cli("alias", "set", "m:v1", "prod", expect=0)
    r = cli("delete", "m:v1", "--yes", expect=5)
    assert "prod" in r.stderr and "--delete-aliases" in r.stderr
    assert cli("show", "m:v1", "--json").json()["state"] == "COMMITTED"
    r = cli("delete", "m:v1", "--yes", "--delete-aliases", "--json").json()
    assert r["removed_aliases"] == ["prod"] and r["latest"] == "m:v2"
    cli("show", "m:prod", expect=4)
    assert cli("alias", "history", "m", "prod", "--json").json()[-1]["action"] == "remove"
    fsck_ok(cli)


def test_delete_needs_confirmation_in_scripts(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, n=1)
    assert "--yes" in cli("delete", "m:v0", expect=2).stderr
    cli("delete", "m:v5", "--yes", expect=4)
    text = cli("delete", "m:v0", "-y").stdout
    assert "deleted m:v0" in text and "latest is now (none)" in text
    cli("show", "m", expect=4)
    assert cli("ls", "--json").json()[0]["versions"] == 0
    fsck_ok(cli)


def test_keep_last_n(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, n=5)
    cli("alias", "set", "m:v0", "prod", expect=0)
    dry = cli("keep", "m", "--last", "2", "--dry-run", "--json").json()
    assert dry["dry_run"] and dry["deleted"] == ["m:v2", "m:v1"]
    assert len(cli("ls", "m", "--json").json()) == 5
    r = cli("keep", "m", "--last", "2", "--json").json()
    assert r["deleted"] == ["m:v2", "m:v1"]
    assert {k["version"]: k["reasons"] for k in r["kept"]} == {
        "m:v4": ["among the newest 2"],
        "m:v3": ["among the newest 2"],
        "m:v0": ["alias 'prod'"],
    }
    assert [v["version"] for v in cli("ls", "m", "--json").json()] == ["m:v0", "m:v3", "m:v4"]
    assert "kept m:v0" in cli("keep", "m", "--last", "2").stdout
    cli("keep", "m", "--last", "0", expect=2)
    cli("keep", "nope", "--last", "1", expect=4)
    cli("gc", expect=0)
    fsck_ok(cli)
