"""The promotion workflow as a CI pipeline runs it: a shell script over the installed CLI."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.conftest import Runner

SCRIPT = Path(__file__).with_name("promote.sh")


def test_promotion_pipeline(cli: Runner, store_dir: Path, tmp_path: Path) -> None:
    work = tmp_path / "ci"
    work.mkdir()
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir), WORK=str(work))
    proc = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.strip().endswith("promoted mnist-train:v1")
    assert (work / "deploy" / "current" / "weights.bin").read_text() == "weights v2\n"

    port = cli("portfolio", "show", "model-registry/mnist-classifier", "--json").json()
    (member,) = port["members"]
    assert member["source"] == "mnist-train:v1"
    assert member["aliases"] == ["latest", "production", "staging"]
    assert member["run_id"] == "ci-42"
    # the registry's aliases stayed in the registry
    source = cli("show", "mnist-train:v1", "--json").json()
    assert source["aliases"] == ["latest", "candidate"]
    assert source["is_link"] is False


def test_pipeline_fails_when_the_deployed_copy_is_tampered(
    cli: Runner, store_dir: Path, tmp_path: Path
) -> None:
    work = tmp_path / "ci"
    work.mkdir()
    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir), WORK=str(work))
    subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, check=True)
    target = work / "deploy" / "current" / "weights.bin"
    target.chmod(0o644)
    target.write_text("tampered\n")
    r = cli("verify", "model-registry/mnist-classifier:production", target.parent, expect=6)
    assert "weights.bin" in r.stdout + r.stderr
