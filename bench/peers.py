"""Peers measured in the same run: DVC and W&B Artifacts (offline).

Each peer lives in its own venv under bench/ (.venv-dvc, .venv-wandb), created with pip when
missing. Each chain mirrors the artifactctl chain of run.py step by step on the same working copy
of a workload, so the numbers compare like with like:

    DVC     put = `dvc add data` in a `dvc init --no-scm` workspace; no-op put = the same again;
            get = `dvc checkout` after removing the workspace copy (default cache.type, which on
            ext4 is a copy; and with `dvc config cache.type hardlink`); put after mutate =
            `dvc add data` after the mutation, with the default cache.type.
    W&B     put = a script doing wandb.init(mode="offline"), Artifact, add_dir, log_artifact,
            finish (policy "mutable", the default, and "immutable" as a second variant); no-op
            put = the same again; put after mutate = the same on the mutated copy.
            get and verify need a W&B server (Artifact.download / verify fetch from it): n/a.

A peer that fails is reported in the table; it never stops the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from report import DVC, WANDB, WANDB_IMMUTABLE

if TYPE_CHECKING:
    from run import Bench
    from workloads import Workload

HERE = Path(__file__).resolve().parent
VENV_DVC = HERE / ".venv-dvc"
VENV_WANDB = HERE / ".venv-wandb"


WANDB_NA = {
    "get": "n/a: W&B offline cannot download (Artifact.download needs a server)",
    "verify": "n/a: W&B verify needs a downloaded artifact, i.e. a server",
}
DVC_NA = {"verify": "n/a: DVC has no command that re-hashes a checkout against a version"}

WANDB_SCRIPT = '''\
"""W&B offline put, timed in parts; argv: DATA NAME POLICY (default|immutable)."""
import inspect
import json
import sys
import time

t0 = time.perf_counter()
import wandb

t1 = time.perf_counter()
data, name, policy = sys.argv[1:4]
kwargs = {}
if policy != "default":
    if "policy" not in inspect.signature(wandb.Artifact.add_dir).parameters:
        print(json.dumps({"unsupported": "add_dir has no policy argument"}))
        sys.exit(3)
    kwargs["policy"] = policy
run = wandb.init(project="artifactctl-bench", mode="offline", job_type="bench")
t2 = time.perf_counter()
art = wandb.Artifact(name, type="dataset")
art.add_dir(data, **kwargs)
t3 = time.perf_counter()
run.log_artifact(art)
run.finish()
t4 = time.perf_counter()
print(json.dumps({
    "import": t1 - t0, "init": t2 - t1, "add_dir": t3 - t2, "log+finish": t4 - t3,
    "entries": len(art.manifest.entries),
}))
'''


def _bin(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def ensure_venv(venv: Path, package: str, log: Callable[[str], None]) -> str | None:
    """Create venv with `package` installed when missing; returns an error text or None."""
    marker = venv / ".bench-installed"
    if marker.is_file() and _bin(venv, "python").exists():
        return None
    log(f"installing {package} into {venv} (once; takes a minute or two) ...")
    try:
        if not _bin(venv, "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        pip = [
            str(_bin(venv, "python")),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
        ]
        done = subprocess.run([*pip, package], capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not create {venv.name}: {exc}"
    if done.returncode != 0:
        return f"pip install {package} failed: " + " | ".join(done.stderr.strip().splitlines()[-3:])
    marker.write_text(package + "\n")
    return None


def dvc_version() -> str:
    out = subprocess.run([_bin(VENV_DVC, "dvc"), "--version"], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def wandb_version() -> str:
    code = "import wandb; print(wandb.__version__)"
    out = subprocess.run([_bin(VENV_WANDB, "python"), "-c", code], capture_output=True, text=True)
    return out.stdout.strip() or "unknown"


def setup(log: Callable[[str], None]) -> dict[str, str]:
    """Install what is missing; returns {peer: "ok <version>" or the error}."""
    status: dict[str, str] = {}
    for name, venv, package, version in (
        ("dvc", VENV_DVC, "dvc", dvc_version),
        ("wandb", VENV_WANDB, "wandb", wandb_version),
    ):
        error = ensure_venv(venv, package, log)
        status[name] = error if error else "ok " + version()
    return status


# ---------------------------------------------------------------------------------------------
# DVC


def chain_dvc(b: Bench, wl: Workload) -> None:
    """put, no-op put, get (default link type, then hardlink), put after mutate."""
    w = wl.name
    base = b.fresh_dir(f"dvc-{w}")
    ws = base / "ws"
    ws.mkdir()
    env = b.env(DVC_NO_ANALYTICS="1", DVC_SITE_CACHE_DIR=str(base / "site-cache"))
    dvc = str(_bin(VENV_DVC, "dvc"))
    for case in ("verify",):
        b.note_na(f"{case}-{w}", DVC, DVC_NA[case])
    if b.run_untimed([dvc, "init", "--no-scm", "-q"], cwd=ws, env=env) is None:
        b.skip_rest(DVC, w, "dvc init failed")
        return
    b.copy_tree(wl.path, ws / "data")
    put = b.timed(f"put-{w}", DVC, [dvc, "add", "-q", "data"], cwd=ws, env=env, always=True)
    if put is None or not put.ok:
        b.skip_rest(DVC, w, "dvc add failed")
        return
    v0 = (ws / "data.dvc").read_text()
    if b.wants(f"noop-{w}"):
        b.timed(f"noop-{w}", DVC, [dvc, "add", "-q", "data"], cwd=ws, env=env)
    if b.wants(f"get-copy-{w}"):
        b.remove(ws / "data")
        got = b.timed(f"get-copy-{w}", DVC, [dvc, "checkout", "-q"], cwd=ws, env=env)
        if got and got.ok:
            b.check_tree(f"get-copy-{w}", DVC, ws / "data", wl)
    if b.wants(f"get-hardlink-{w}"):
        b.run_untimed([dvc, "config", "cache.type", "hardlink"], cwd=ws, env=env)
        b.remove(ws / "data")
        got = b.timed(f"get-hardlink-{w}", DVC, [dvc, "checkout", "-q"], cwd=ws, env=env)
        if got and got.ok:
            b.check_tree(f"get-hardlink-{w}", DVC, ws / "data", wl)
        b.run_untimed([dvc, "config", "--unset", "cache.type"], cwd=ws, env=env)
    if b.wants(f"mutate-{w}"):
        # back to a plain copy of v0 in the default link type, then mutate and add
        (ws / "data.dvc").write_text(v0)
        b.remove(ws / "data")
        if b.run_untimed([dvc, "checkout", "-q"], cwd=ws, env=env) is None:
            b.skip_rest(DVC, w, "dvc checkout (untimed, before mutate) failed")
            return
        b.mutate(ws / "data")
        b.timed(f"mutate-{w}", DVC, [dvc, "add", "-q", "data"], cwd=ws, env=env)
    b.remove(base)


# ---------------------------------------------------------------------------------------------
# W&B (offline)


def _wandb_env(b: Bench, base: Path) -> dict[str, str]:
    dirs = {
        "WANDB_DIR": base / "wandb-dir",
        "WANDB_CACHE_DIR": base / "wandb-cache",
        "WANDB_DATA_DIR": base / "wandb-data",
        "WANDB_CONFIG_DIR": base / "wandb-config",
        "WANDB_ARTIFACT_DIR": base / "wandb-artifacts",
    }
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    return b.env(
        WANDB_MODE="offline",
        WANDB_SILENT="true",
        WANDB_DISABLE_GIT="true",
        WANDB_DISABLE_CODE="true",
        **{k: str(v) for k, v in dirs.items()},
    )


def _wandb_put(
    b: Bench,
    case: str,
    tool: str,
    script: Path,
    data: Path,
    name: str,
    policy: str,
    env: dict[str, str],
    always: bool = False,
) -> bool:
    argv = [_bin(VENV_WANDB, "python"), script, data, name, policy]
    sample = b.timed(case, tool, argv, env=env, always=always)
    if sample is None:
        return True
    if not sample.ok:
        try:
            if json.loads(sample.stdout.strip().splitlines()[-1]).get("unsupported"):
                b.series(case, tool).errors[-1] = "n/a: this wandb has no add_dir(policy=...)"
        except (ValueError, IndexError, AttributeError):
            pass
        return False
    try:
        parts = json.loads(sample.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        b.series(case, tool).add_note("the W&B script printed no timing line")
        return True
    if b.wants(case):
        b.series(case, tool).extra.append({k: float(v) for k, v in parts.items()})
    return True


def chain_wandb(b: Bench, wl: Workload, policy: str = "default") -> None:
    """put, no-op put, put after mutate; offline, in fresh W&B directories."""
    w = wl.name
    tool = WANDB if policy == "default" else WANDB_IMMUTABLE
    for case in ("get-copy", "get-hardlink"):
        b.note_na(f"{case}-{w}", tool, WANDB_NA["get"])
    b.note_na(f"verify-{w}", tool, WANDB_NA["verify"])
    base = b.fresh_dir(f"wandb-{policy}-{w}")
    script = base / "wandb_put.py"
    script.write_text(WANDB_SCRIPT)
    env = _wandb_env(b, base)
    data = base / "data"
    b.copy_tree(wl.path, data)
    if not _wandb_put(b, f"put-{w}", tool, script, data, w, policy, env, always=True):
        b.skip_rest(tool, w, "the W&B put failed")
        return
    if b.wants(f"noop-{w}"):
        _wandb_put(b, f"noop-{w}", tool, script, data, w, policy, env)
    if b.wants(f"mutate-{w}"):
        b.mutate(data)
        _wandb_put(b, f"mutate-{w}", tool, script, data, w, policy, env)
    b.remove(base)
