"""Version specifiers: ``name``, ``name:vN``, ``name:alias``, ``name@DIGESTPREFIX``.

``name`` may be ``registry/name`` for a portfolio. ``name`` alone means ``name:latest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from artifactctl.core.digest import is_lower_hex
from artifactctl.core.names import check_alias, check_portfolio
from artifactctl.errors import UsageError

_VERSION = re.compile(r"^v(0|[1-9]\d{0,17})$")
MIN_DIGEST_PREFIX = 4


@dataclass(frozen=True, slots=True)
class Spec:
    name: str
    version: int | None = None
    alias: str | None = None
    digest_prefix: str | None = None

    def __str__(self) -> str:
        if self.version is not None:
            return f"{self.name}:v{self.version}"
        if self.digest_prefix is not None:
            return f"{self.name}@{self.digest_prefix}"
        return f"{self.name}:{self.alias or 'latest'}"

    @property
    def is_portfolio_path(self) -> bool:
        return "/" in self.name


def parse_spec(text: str) -> Spec:
    """Parse a version specifier or raise :class:`UsageError` naming the problem."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError("empty version specifier", hint="use NAME, NAME:vN or NAME:ALIAS")
    if "@" in text:
        name, _, prefix = text.partition("@")
        check_portfolio(name) if name else _no_name(text)
        hexpart = prefix.partition(":")[2] or prefix  # NAME@ALGO:HEX or NAME@HEX
        if len(hexpart) < MIN_DIGEST_PREFIX or not is_lower_hex(hexpart):
            raise UsageError(
                f"invalid specifier {text!r}: after '@' give at least "
                f"{MIN_DIGEST_PREFIX} lowercase hex digits of the version digest"
            )
        return Spec(name, digest_prefix=hexpart)
    name, sep, rest = text.partition(":")
    if not name:
        _no_name(text)
    check_portfolio(name)
    if not sep:
        return Spec(name, alias="latest")
    if rest == "":
        raise UsageError(
            f"invalid specifier {text!r}: nothing after ':'", hint="use NAME:vN or NAME:ALIAS"
        )
    if rest.startswith("v") and rest[1:].isdigit():
        m = _VERSION.match(rest)
        if not m:
            raise UsageError(f"invalid version {rest!r} in {text!r}")
        return Spec(name, version=int(m.group(1)))
    if rest.startswith("v") and rest[1:2] in ("-", "+"):
        raise UsageError(f"invalid version {rest!r} in {text!r}: versions are v0, v1, …")
    if rest == "latest":
        return Spec(name, alias="latest")
    try:
        check_alias(rest)
    except UsageError as exc:
        raise UsageError(f"invalid specifier {text!r}: {exc.message}", hint=exc.hint) from None
    return Spec(name, alias=rest)


def _no_name(text: str) -> None:
    raise UsageError(f"invalid specifier {text!r}: it has no artifact name before ':' or '@'")
