"""`artifactctl alias set|rm|ls|history`, `latest` rules, and compare-and-swap."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import ARTIFACTCTL, Runner
from tests.versions.helpers import fsck_ok, versions


def test_set_moves_and_history_records_every_move(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    r = cli("alias", "set", "m:v0", "prod", "--json").json()
    assert r == {
        "name": "m",
        "alias": "prod",
        "version": "m:v0",
        "previous": None,
        "changed": True,
    }
    r = cli("alias", "set", "m:v1", "prod", "--json", env={"ARTIFACTCTL_RUN_ID": "run-7"}).json()
    assert r["previous"] == "m:v0" and r["version"] == "m:v1"
    same = cli("alias", "set", "m:v1", "prod", "--json").json()
    assert same["changed"] is False
    assert "unchanged" in cli("alias", "set", "m:v1", "prod").stdout
    assert cli("show", "m:prod", "--json").json()["version"] == "m:v1"
    cli("alias", "rm", "m", "prod", expect=0)
    cli("show", "m:prod", expect=4)
    hist = cli("alias", "history", "m", "prod", "--json").json()
    assert [(h["action"], h["version"], h["previous"]) for h in hist] == [
        ("set", "m:v0", None),
        ("set", "m:v1", "m:v0"),
        ("remove", None, "m:v1"),
    ]
    assert hist[1]["run_id"] == "run-7"
    assert all(h["at"].endswith("Z") for h in hist)
    assert "remove" in cli("alias", "history", "m", "prod").stdout


def test_alias_is_unique_within_its_artifact(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    cli("alias", "set", "m:v0", "best", expect=0)
    cli("alias", "set", "m:v2", "best", expect=0)
    rows = cli("alias", "ls", "m", "--json").json()
    assert {(r["alias"], r["version"]) for r in rows} == {("best", "m:v2"), ("latest", "m:v2")}
    v0 = cli("show", "m:v0", "--json").json()
    assert v0["aliases"] == []


def test_alias_ls_all_artifacts(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path, "a", 1)
    versions(cli, tmp_path, "b", 2)
    cli("alias", "set", "b:v0", "prod", expect=0)
    rows = cli("alias", "ls", "--json").json()
    assert [(r["name"], r["alias"], r["number"]) for r in rows] == [
        ("a", "latest", 0),
        ("b", "latest", 1),
        ("b", "prod", 0),
    ]
    assert "b:prod" in cli("alias", "ls").stdout
    cli("alias", "ls", "nope", expect=4)


def test_latest_is_moved_by_the_tool_only(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    r = cli("alias", "set", "m:v0", "latest", expect=2)
    assert "moved by artifactctl" in r.stderr
    r = cli("alias", "rm", "m", "latest", expect=2)
    assert "cannot be removed" in r.stderr
    assert cli("show", "m", "--json").json()["version"] == "m:v2"


def test_alias_names_that_look_like_versions_or_digests_are_refused(
    cli: Runner, tmp_path: Path
) -> None:
    versions(cli, tmp_path, n=1)
    assert "version" in cli("alias", "set", "m:v0", "v3", expect=2).stderr
    assert "digest" in cli("alias", "set", "m:v0", "deadbeef0123", expect=2).stderr
    cli("alias", "set", "m:v0", "bad/name", expect=2)
    cli("alias", "set", "m:v9", "prod", expect=4)
    cli("alias", "rm", "m", "never-set", expect=4)
    cli("alias", "history", "m", "never-set", expect=4)


def test_expect_is_compare_and_swap(cli: Runner, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    cli("alias", "set", "m:v0", "prod", "--expect", "v1", expect=5)
    cli("alias", "set", "m:v0", "prod", "--expect", "none", expect=0)
    cli("alias", "set", "m:v1", "prod", "--expect", "none", expect=5)
    cli("alias", "set", "m:v1", "prod", "--expect", "v0", expect=0)
    r = cli("alias", "set", "m:v2", "prod", "--expect", "v0", expect=5)
    assert "m:v1" in r.stderr and "history" in r.stderr
    assert cli("show", "m:prod", "--json").json()["version"] == "m:v1"
    cli("alias", "set", "m:v2", "prod", "--expect", "banana", expect=2)


def test_concurrent_expect_exactly_one_wins(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    versions(cli, tmp_path)
    cli("alias", "set", "m:v0", "prod", expect=0)
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir))
    for round_ in range(3):
        current = cli("show", "m:prod", "--json").json()["number"]
        targets = [t for t in (0, 1, 2) if t != current]
        procs = [
            subprocess.Popen(
                [ARTIFACTCTL, "alias", "set", f"m:v{t}", "prod", "--expect", f"v{current}"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for t in targets
        ]
        codes = []
        for p in procs:
            _out, err = p.communicate(timeout=60)
            assert b"Traceback" not in err
            codes.append(p.returncode)
        assert sorted(codes) == [0, 5], (round_, codes)
        winner = targets[codes.index(0)]
        assert cli("show", "m:prod", "--json").json()["number"] == winner
    history = cli("alias", "history", "m", "prod", "--json").json()
    assert len(history) == 4  # the first set, then one move per round
    fsck_ok(cli)
