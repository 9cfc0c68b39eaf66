"""Shared fixtures: isolated environments, fresh stores, and the CLI run as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Shared machines are noisy: no per-example deadline, no "too slow" health check.
settings.register_profile(
    "artifactctl", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100
)
settings.load_profile("artifactctl")

pytest_plugins = ["tests.emulators.fixtures"]

ARTIFACTCTL = shutil.which("artifactctl") or str(Path(sys.executable).parent / "artifactctl")


@dataclass
class Result:
    args: list[str]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test touches the user's default store or inherits ARTIFACTCTL_* settings."""
    for key in list(os.environ):
        if key.startswith("ARTIFACTCTL_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    yield


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    """A fresh store, created by the real `artifactctl init`."""
    proc = subprocess.run(
        [ARTIFACTCTL, "init", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return tmp_path / ".artifactctl"


Runner = Callable[..., Result]


@pytest.fixture
def cli(store_dir: Path) -> Runner:
    """Run the installed `artifactctl` against ``store_dir`` the way a shell script would.

    ``cli("put", "data", "--name", "x", "--type", "t", expect=0)``: asserts the exit code
    (pass ``expect=None`` to skip) and that no traceback reached stderr.
    """

    def run(
        *args: str | os.PathLike[str],
        expect: int | None = 0,
        input: str | bytes | None = None,
        env: dict[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        store: bool = True,
        timeout: float = 120,
    ) -> Result:
        argv = [str(a) for a in args]
        full_env = dict(os.environ)
        if store:
            full_env["ARTIFACTCTL_DIR"] = str(store_dir)
        full_env.update(env or {})
        proc = subprocess.run(
            [ARTIFACTCTL, *argv],
            capture_output=True,
            input=input.encode() if isinstance(input, str) else input,
            env=full_env,
            cwd=cwd,
            timeout=timeout,
            check=False,
        )
        result = Result(
            argv,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )
        assert "Traceback" not in result.stderr, result.stderr
        if expect is not None:
            assert result.code == expect, (
                f"artifactctl {' '.join(argv)} exited {result.code}, expected {expect}\n"
                f"stdout: {result.stdout}\nstderr: {result.stderr}"
            )
        return result

    return run


def make_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: content}`` below ``root``."""
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            p.write_text(content)
        else:
            p.write_bytes(content)
    return root


@pytest.fixture
def sample_tree(tmp_path: Path) -> Path:
    return make_tree(
        tmp_path / "data",
        {
            "a.txt": "alpha\n",
            "b.csv": "x,y\n1,2\n",
            "sub/c.bin": bytes(range(256)) * 10,
            "sub/deeper/d.txt": "delta\n",
            "dup.txt": "alpha\n",
        },
    )
