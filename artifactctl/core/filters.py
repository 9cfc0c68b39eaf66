"""Run filters (``summary.val_acc>0.9``, ``state=finished``, ``tags=best``) and orderings.

A filter is ``FIELD OP VALUE`` with OP one of ``= != > >= < <= ~`` (``~``: contains). FIELD is
``config.KEY``, ``summary.KEY`` (dotted keys reach into nested values), or one of the run fields
in :data:`FIELDS`. ``tags=T`` is true when the run has tag T (``tags!=T`` when it has not). The
VALUE is read as JSON when it parses (``0.9``, ``true``, ``"x"``), else as text. A run without
the field never matches (except ``!=``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from artifactctl.errors import UsageError

FIELDS = (
    "id",
    "name",
    "project",
    "group",
    "job_type",
    "state",
    "tags",
    "notes",
    "created_at",
    "updated_at",
    "finished_at",
    "heartbeat_at",
    "exit_code",
    "runtime",
)
_EXPR = re.compile(r"^\s*([A-Za-z_][\w./\-]*)\s*(!=|>=|<=|=|>|<|~)\s*(.*?)\s*$", re.S)


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    op: str
    value: Any

    def __str__(self) -> str:
        return f"{self.field}{self.op}{self.value}"


def _check_field(field: str) -> str:
    head = field.split(".", 1)[0]
    if head in ("config", "summary"):
        if "." not in field:
            raise UsageError(f"{field!r} needs a key, e.g. {head}.lr")
        return field
    if field not in FIELDS:
        raise UsageError(
            f"unknown run field {field!r}",
            hint=f"use config.KEY, summary.KEY or one of: {', '.join(FIELDS)}",
        )
    return field


def parse_filter(expr: str) -> Filter:
    m = _EXPR.match(expr)
    if not m:
        raise UsageError(
            f"invalid filter {expr!r}", hint="write FIELD OP VALUE, e.g. summary.val_acc>0.9"
        )
    field, op, raw = m.groups()
    return Filter(_check_field(field), op, parse_value(raw))


def parse_value(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def lookup(doc: dict[str, Any], field: str) -> tuple[bool, Any]:
    """``(found, value)`` of a dotted field in a run document."""
    head, _, rest = field.partition(".")
    if head not in doc:
        return False, None
    value = doc[head]
    if not rest:
        return True, value
    if not isinstance(value, dict):
        return False, None
    if rest in value:  # flattened keys such as summary["train/loss"] or "a.b"
        return True, value[rest]
    for part in rest.split("."):
        if not isinstance(value, dict) or part not in value:
            return False, None
        value = value[part]
    return True, value


def matches(f: Filter, doc: dict[str, Any]) -> bool:
    found, actual = lookup(doc, f.field)
    if f.field == "tags":
        has = f.value in (actual or []) if f.op in ("=", "!=") else False
        if f.op == "=":
            return has
        if f.op == "!=":
            return not has
        if f.op == "~":
            return any(str(f.value) in t for t in actual or [])
    if not found or actual is None:
        return f.op == "!="
    if f.op == "~":
        return str(f.value) in str(actual)
    if f.op in ("=", "!="):
        equal = actual == f.value or (isinstance(actual, str) and actual == str(f.value))
        return equal if f.op == "=" else not equal
    a, b = _comparable(actual, f.value)
    if a is None:
        return False
    try:
        return bool({">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b}[f.op])
    except TypeError:
        return False


def _comparable(a: Any, b: Any) -> tuple[Any, Any]:
    numeric = (int, float)
    if isinstance(a, numeric) and not isinstance(a, bool):
        if isinstance(b, numeric) and not isinstance(b, bool):
            return a, b
        return None, None
    if isinstance(a, str):
        return a, str(b)
    return None, None


def parse_order(order: str) -> tuple[str, bool]:
    """``+created_at`` / ``-summary.val_acc`` → (field, descending)."""
    text = order.strip()
    desc = text.startswith("-")
    field = text[1:] if text[:1] in "+-" else text
    return _check_field(field), desc


def sort_runs(docs: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """Sort by one field; runs without it come last in either direction."""
    field, desc = parse_order(order)
    have: list[tuple[Any, dict[str, Any]]] = []
    missing: list[tuple[Any, dict[str, Any]]] = []
    for d in docs:
        found, value = lookup(d, field)
        (have if found and value is not None else missing).append((value, d))
    try:
        have.sort(key=lambda p: p[0], reverse=desc)
    except TypeError:
        have.sort(key=lambda p: str(p[0]), reverse=desc)
    return [d for _, d in have] + [d for _, d in missing]
