"""Fixtures for runs: a low-level store opened on the CLI-made store directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from artifactctl.store import Store


@pytest.fixture
def store(store_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("ARTIFACTCTL_DIR", str(store_dir))
    s = Store(store_dir)
    yield s
    s.close()
