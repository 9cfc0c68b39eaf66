"""Metric naming rules (W&B's: ``^[_a-zA-Z][_a-zA-Z0-9]*$``, per ``/``-separated section)."""

from __future__ import annotations

import re

_PART = re.compile(r"^[_a-zA-Z][_a-zA-Z0-9]*$")

#: Keys artifactctl writes itself into every history row.
RESERVED = frozenset({"_step", "_timestamp", "_runtime"})

RULE = "letters, digits and '_', not starting with a digit; '/' separates sections"


def is_valid_metric_name(name: str) -> bool:
    """True when every ``/``-separated part follows the rule (``train/loss`` is fine)."""
    if not name:
        return False
    return all(_PART.match(part) for part in name.split("/"))
