"""SIGKILL at random moments loses nothing: the quick set here, the full set under -m crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.crash import run_crashes


def test_quick_crash_set(tmp_path: Path) -> None:
    s = run_crashes(
        tmp_path,
        seed=11,
        kills_per_command=2,
        files=200,
        extra_kills={"put": 1, "gc": 1},
        label="quick",
    )
    print(s.line("quick"))
    assert not s.failures, "\n".join(s.failures)
    assert s.tried >= 19, s.line("quick")
    assert set(s.per_command) == {
        "put",
        "put-from",
        "delete",
        "gc",
        "gc-repack",
        "get-hardlink",
        "link",
        "alias-set",
        "cache-cleanup",
    }


@pytest.mark.crash
def test_full_crash_set(tmp_path: Path) -> None:
    s = run_crashes(tmp_path, seed=2024, kills_per_command=30, files=2000, label="full")
    print(s.line("full"))
    assert not s.failures, "\n".join(s.failures[:10])
    assert s.tried >= 200, s.line("full")
