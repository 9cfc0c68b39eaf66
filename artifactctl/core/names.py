"""Names of artifacts, types, aliases, tags and portfolios."""

from __future__ import annotations

import re

from artifactctl.errors import UsageError

_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")
_VERSION_LIKE = re.compile(r"^v\d+$")
RESERVED_ALIASES = frozenset({"latest"})


def _check(kind: str, value: str) -> str:
    if not isinstance(value, str) or not _NAME.match(value) or value in (".", ".."):
        raise UsageError(
            f"invalid {kind} {value!r}",
            hint=f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} uses letters, digits, '_', '-'"
            " and '.', at most 128 characters",
        )
    return value


def check_name(name: str) -> str:
    """An artifact name (a portfolio may be ``registry/name``: see :func:`check_portfolio`)."""
    return _check("artifact name", name)


def check_type(type_: str) -> str:
    return _check("artifact type", type_)


def check_tag(tag: str) -> str:
    return _check("tag", tag)


def check_alias(alias: str) -> str:
    _check("alias", alias)
    if _VERSION_LIKE.match(alias):
        raise UsageError(
            f"invalid alias {alias!r}: it looks like a version number",
            hint="aliases such as 'prod' or 'best' cannot have the form vN",
        )
    return alias


def check_portfolio(name: str) -> str:
    """``name`` or ``registry/name``; each part follows the name rules."""
    parts = name.split("/")
    if len(parts) > 2:
        raise UsageError(f"invalid portfolio {name!r}: use NAME or REGISTRY/NAME")
    for part in parts:
        _check("portfolio name", part)
    return name
