"""Metadata documents: JSON objects with at most 100 top-level keys."""

from __future__ import annotations

import json
from typing import Any

from artifactctl.errors import UsageError

MAX_KEYS = 100
MAX_BYTES = 1_000_000
MAX_DEPTH = 32


def check_metadata(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise UsageError(f"metadata must be a JSON object, got {type(value).__name__}")
    if len(value) > MAX_KEYS:
        raise UsageError(f"metadata has {len(value)} top-level keys; at most {MAX_KEYS} allowed")
    if _depth(value) > MAX_DEPTH:
        raise UsageError(f"metadata is nested deeper than {MAX_DEPTH} levels")
    try:
        encoded = json.dumps(value, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"metadata is not plain JSON: {exc}") from None
    if len(encoded) > MAX_BYTES:
        raise UsageError(f"metadata is {len(encoded)} bytes as JSON; at most {MAX_BYTES} allowed")
    return value


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def parse_metadata_text(text: str) -> dict[str, Any]:
    """Parse the JSON text of a ``--metadata`` option (the CLI reads ``@file`` first)."""
    if len(text) > MAX_BYTES * 2:
        raise UsageError(f"metadata text is over {MAX_BYTES * 2} bytes")
    try:
        value = json.loads(text)
    except RecursionError:
        raise UsageError("metadata is nested too deeply") from None
    except ValueError as exc:
        raise UsageError(f"metadata is not valid JSON: {exc}") from None
    return check_metadata(value)
