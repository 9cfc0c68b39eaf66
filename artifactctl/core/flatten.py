"""Normalizing logged values: nested dicts become ``a/b`` keys; lists, numbers, strings, bools.

``{"train": {"loss": 0.1}}`` is logged as ``train/loss``. Lists and tuples stay lists (their
items normalized the same way, nested dicts inside a list stay dicts). NumPy-like scalars and
arrays are converted with ``.item()`` / ``.tolist()``. Anything else is a :class:`UsageError`.
"""

from __future__ import annotations

from typing import Any

from artifactctl.errors import UsageError

SEP = "/"
_SCALARS = (int, float, str, bool, type(None))


def flatten(data: dict[str, Any], sep: str = SEP) -> dict[str, Any]:
    """A flat ``{key: json-able value}`` dict; the fast path costs one type check per value."""
    if not isinstance(data, dict):
        raise UsageError(f"log() takes a dict, not {type(data).__name__}")
    out: dict[str, Any] = {}
    for key, value in data.items():
        if type(key) is not str:
            raise UsageError(f"metric names are strings, not {type(key).__name__} ({key!r})")
        t = type(value)
        if t is float or t is int or t is str or t is bool or value is None:
            out[key] = value
        elif isinstance(value, dict):
            for sub, v in flatten(value, sep).items():
                out[f"{key}{sep}{sub}"] = v
        else:
            out[key] = normalize(value, key)
    return out


def normalize(value: Any, key: str = "") -> Any:
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, list | tuple):
        return [normalize(v, key) for v in value]
    if isinstance(value, dict):
        return {str(k): normalize(v, key) for k, v in value.items()}
    tolist = getattr(value, "tolist", None)
    if callable(tolist):  # numpy arrays and scalars
        return normalize(tolist(), key)
    item = getattr(value, "item", None)
    if callable(item):
        return normalize(item(), key)
    raise UsageError(
        f"cannot log {key!r}: values of type {type(value).__name__} are not supported",
        hint="log numbers, strings, bools, lists or dicts of them",
    )


def is_number(value: Any) -> bool:
    t = type(value)
    return t is int or t is float
