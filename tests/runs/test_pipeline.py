"""examples/pipeline end to end: three `run exec` steps in make, lineage as Mermaid, a second
make that does nothing, a forced one where every put is unchanged, and the CI promotion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Runner

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make(store_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    proc = subprocess.run(
        ["make", f"PYTHON={sys.executable}", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def mtimes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def test_pipeline_lineage_and_rerun(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    work = tmp_path / "pipeline"
    shutil.copytree(EXAMPLES / "pipeline", work)
    make(store_dir, work)
    runs = cli("run", "ls", "--project", "pipeline", "--json").json()
    assert [(r["name"], r["state"]) for r in runs] == [
        ("prepare", "finished"),
        ("train", "finished"),
        ("evaluate", "finished"),
    ]
    ids = {r["name"]: r["id"] for r in runs}
    mermaid = cli("lineage", "eval-report", "--up", "--format", "mermaid").stdout
    for name, rid in ids.items():
        mermaid = mermaid.replace(rid, name.upper())
    lines = mermaid.splitlines()
    assert lines[0] == "graph LR"
    assert sorted(lines[1:]) == sorted(
        [
            '  run_EVALUATE(["evaluate (EVALUATE)"])',
            '  run_PREPARE(["prepare (PREPARE)"])',
            '  run_TRAIN(["train (TRAIN)"])',
            '  version_1["pipeline-data:v0"]',
            '  version_2["pipeline-model:v0"]',
            '  version_3["eval-report:v0"]',
            "  run_EVALUATE --> version_3",
            "  run_PREPARE --> version_1",
            "  run_TRAIN --> version_2",
            "  version_1 --> run_EVALUATE",
            "  version_1 --> run_TRAIN",
            "  version_2 --> run_EVALUATE",
        ]
    )
    train = cli("run", "history", ids["train"], "--keys", "loss", "--json").json()
    assert len(train["rows"]) == 20 and train["rows"][-1]["loss"] < train["rows"][0]["loss"]
    assert cli("run", "summary", ids["evaluate"], "--json").json()["accuracy"] > 0.9
    assert "pipeline-model:v0" in cli("run", "show", ids["evaluate"], "--json").json()["inputs"]

    before = mtimes(work / "work")
    second = make(store_dir, work)
    assert "Nothing to be done" in second.stdout
    assert len(cli("run", "ls", "--json").json()) == 3  # no new runs

    forced = make(store_dir, work, "-B")
    out = forced.stdout + forced.stderr
    for name in ("pipeline-data:v0", "pipeline-model:v0", "eval-report:v0"):
        assert f"unchanged: {name}" in out
    assert "created" not in out
    after = mtimes(work / "work")
    assert set(after) == set(before)  # the same files; the steps rewrote their own outputs
    assert len(cli("run", "ls", "--json").json()) == 6
    # the re-run steps used the same versions; the versions keep their first producer
    lin = cli("lineage", "pipeline-data:v0", "--down", "--depth", "1", "--json").json()
    assert len([n for n in lin["nodes"] if n["kind"] == "run"]) == 4

    # CI: promotion decided by the evaluate run's summary (DRY_RUN: `link` is another command)
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir), DRY_RUN="1", PYTHON=sys.executable)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    for threshold, expected in (
        ("0.5", "would run: artifactctl link pipeline-model:v0"),
        ("1.01", "not promoting pipeline-model:v0"),
    ):
        proc = subprocess.run(
            ["sh", str(EXAMPLES / "ci" / "promote.sh")],
            env=dict(env, THRESHOLD=threshold),
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        assert expected in proc.stdout


def test_get_of_unchanged_version_keeps_timestamps(cli: Runner, tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "f.txt").write_text("data")
    cli("put", d, "--name", "x", "--type", "t")
    cli("get", "x", "--root", tmp_path / "g")
    before = mtimes(tmp_path / "g")
    rid = cli("run", "start", "--json").json()["id"]
    doc = cli("get", "x", "--root", tmp_path / "g", "--run", rid, "--json").json()
    assert doc["unchanged"] == 1 and doc["added"] == 0
    assert mtimes(tmp_path / "g") == before
    assert cli("put", d, "--name", "x", "--type", "t", "--run", rid).stdout.startswith("unchanged")
