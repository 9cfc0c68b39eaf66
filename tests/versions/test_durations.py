"""core/durations.py: TTL and grace durations."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from artifactctl.core.durations import MAX_SECONDS, format_duration, parse_duration, parse_ttl
from artifactctl.errors import UsageError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30d", 30 * 86400),
        ("12h", 12 * 3600),
        ("90m", 5400),
        ("2w", 14 * 86400),
        ("45s", 45),
        ("1d12h", 36 * 3600),
        (" 7D ", 7 * 86400),
    ],
)
def test_parses(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("-1d", "negative"),
        ("+1d", "negative"),
        ("99999999999d", "100 years"),
        ("999999999999999d", "too long"),
        ("0d", "longer than zero"),
        ("", "invalid duration"),
        ("10", "invalid duration"),
        ("1y", "invalid duration"),
        ("1.5d", "invalid duration"),
        ("d", "invalid duration"),
    ],
)
def test_rejects_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_duration(text)
    assert fragment in err.value.message


def test_zero_is_allowed_only_when_asked() -> None:
    assert parse_duration("0s", allow_zero=True) == 0


def test_none_is_a_ttl_but_not_a_duration() -> None:
    assert parse_ttl("none") is None
    assert parse_ttl("NONE") is None
    assert parse_ttl("3d") == 3 * 86400
    with pytest.raises(UsageError):
        parse_duration("none")


@given(st.integers(min_value=1, max_value=MAX_SECONDS))
def test_format_round_trips(seconds: int) -> None:
    assert parse_duration(format_duration(seconds)) == seconds


def test_format_is_short() -> None:
    assert format_duration(14 * 86400) == "2w"
    assert format_duration(5400) == "1h30m"
