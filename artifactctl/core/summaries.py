"""Run summaries: by default the last value logged per key, or an aggregate chosen with
``define_metric(name, summary="min|max|mean|first|last|none")``.

The aggregation state per key is ``[count, sum, min, max, first, last]`` (numbers only for
count/sum/min/max; first/last for any value), JSON-serializable so it persists with the run.
"""

from __future__ import annotations

import fnmatch
from typing import Any

from artifactctl.errors import UsageError

MODES = ("min", "max", "mean", "first", "last", "none")


def check_mode(mode: str | None) -> str | None:
    if mode is None:
        return None
    if mode not in MODES:
        raise UsageError(f"invalid summary {mode!r}", hint=f"use one of: {', '.join(MODES)}")
    return mode


def definition_for(defs: dict[str, dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The definition for ``key``: exact name first, then glob patterns (``train/*``)."""
    found = defs.get(key)
    if found is not None:
        return found
    for pattern, d in defs.items():
        if "*" in pattern and fnmatch.fnmatchcase(key, pattern):
            return d
    return None


def update(state: dict[str, list[Any]], row: dict[str, Any]) -> None:
    for key, value in row.items():
        agg = state.get(key)
        t = type(value)
        numeric = (t is int or t is float) and value == value  # NaN does not aggregate
        if agg is None:
            state[key] = (
                [1, value, value, value, value, value]
                if numeric
                else [0, 0, None, None, value, value]
            )
            continue
        if numeric:
            if agg[0] == 0:
                agg[1], agg[2], agg[3] = value, value, value
            else:
                agg[1] += value
                if agg[2] is None or value < agg[2]:
                    agg[2] = value
                if agg[3] is None or value > agg[3]:
                    agg[3] = value
            agg[0] += 1
        agg[5] = value


def value_of(agg: list[Any], mode: str) -> Any:
    count, total, lo, hi, first, last = agg
    if mode == "min":
        return lo
    if mode == "max":
        return hi
    if mode == "mean":
        return total / count if count else None
    if mode == "first":
        return first
    return last


def apply(
    summary: dict[str, Any],
    state: dict[str, list[Any]],
    keys: set[str] | dict[str, Any],
    defs: dict[str, dict[str, Any]],
) -> None:
    """Recompute ``summary[key]`` for the keys just logged."""
    for key in keys:
        d = definition_for(defs, key) if defs else None
        mode = (d or {}).get("summary") or "last"
        if mode == "none":
            summary.pop(key, None)
            continue
        agg = state.get(key)
        if agg is not None:
            summary[key] = value_of(agg, mode)
