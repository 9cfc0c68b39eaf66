"""Shared helpers for the versions tests."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Runner, make_tree

LATER = {"ARTIFACTCTL_NOW": "2099-01-01T00:00:00Z"}


def fsck_ok(cli: Runner) -> None:
    """The store is whole: every committed version's blobs exist and hash right."""
    doc = cli("fsck", "--json", expect=0).json()
    assert doc["ok"], doc["problems"]


def versions(cli: Runner, tmp_path: Path, name: str = "m", n: int = 3) -> Path:
    """``name:v0`` … ``name:v{n-1}``, each with one changed file and one shared file."""
    data = make_tree(tmp_path / f"src-{name}", {"shared.txt": "same in every version\n"})
    for i in range(n):
        (data / "w.bin").write_text(f"weights {i}\n")
        cli("put", data, "--name", name, "--type", "model", expect=0)
    return data
