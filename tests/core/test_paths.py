import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from artifactctl.core.paths import (
    is_valid_entry_path,
    join_prefix,
    normalize_entry_path,
    under_prefix,
)
from artifactctl.errors import UsageError


@pytest.mark.parametrize(
    "good,expected",
    [
        ("a", "a"),
        ("a/b/c.txt", "a/b/c.txt"),
        ("e\u0301.txt", "\u00e9.txt"),
        ("..a", "..a"),
        ("a..", "a.."),
    ],
)
def test_accepts_and_normalises(good: str, expected: str) -> None:
    assert normalize_entry_path(good) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/abs",
        "a/../b",
        "..",
        "a/./b",
        "./a",
        "a//b",
        "a/",
        "a\\b",
        "C:x",
        "c:/x",
        "a\x00b",
        "x" * 256,
        "a/" + "y" * 256,
        "/".join(["d"] * 2100),
        "a\nb",
        "\udcff",
    ],
)
def test_rejects(bad: str) -> None:
    with pytest.raises(UsageError):
        normalize_entry_path(bad)


@given(st.text(max_size=60))
def test_normalised_paths_are_safe_and_idempotent(text: str) -> None:
    try:
        p = normalize_entry_path(text)
    except UsageError:
        return
    assert not p.startswith("/")
    assert all(part not in ("", ".", "..") for part in p.split("/"))
    assert "\\" not in p and "\x00" not in p
    assert unicodedata.is_normalized("NFC", p)
    assert normalize_entry_path(p) == p
    assert is_valid_entry_path(p)


@given(st.lists(st.sampled_from(["a", "b", "..", ".", "", "c/d", "é"]), min_size=1, max_size=6))
def test_joined_components_never_escape(parts: list[str]) -> None:
    text = "/".join(parts)
    try:
        p = normalize_entry_path(text)
    except UsageError:
        assert any(x in ("..", ".", "") for x in text.split("/"))
        return
    depth = 0
    for part in p.split("/"):
        depth += -1 if part == ".." else 1
        assert depth >= 0


def test_prefix_helpers() -> None:
    assert join_prefix("raw/", "a.txt") == "raw/a.txt"
    assert join_prefix(None, "a.txt") == "a.txt"
    with pytest.raises(UsageError):
        join_prefix("../x", "a")
    assert under_prefix("a/b", "a")
    assert not under_prefix("ab/c", "a")
    assert under_prefix("a", "a/")
