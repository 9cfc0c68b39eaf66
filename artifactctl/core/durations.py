"""Durations for TTLs and grace periods: ``30d``, ``12h``, ``90m``, ``2w``, ``45s``, ``1d12h``.

Pure: text in, whole seconds out (and back). ``none`` is not a duration; :func:`parse_ttl` maps it
to ``None`` (no expiry).
"""

from __future__ import annotations

import re

from artifactctl.errors import UsageError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: The longest duration accepted: 100 years (anything longer is a typo, or "none").
MAX_SECONDS = 100 * 365 * 86400
_PART = re.compile(r"(\d+)([smhdw])")
_WHOLE = re.compile(r"^(?:\d+[smhdw])+$")
_HINT = "use a positive number with a unit: 45s, 90m, 12h, 30d, 2w (or combined, 1d12h)"


def parse_duration(text: str, *, allow_zero: bool = False) -> int:
    """Whole seconds of ``text``; :class:`UsageError` naming the problem otherwise."""
    raw = text.strip().lower() if isinstance(text, str) else ""
    if raw.startswith(("-", "+")):
        raise UsageError(f"invalid duration {text!r}: it cannot be negative or signed", hint=_HINT)
    if not _WHOLE.match(raw):
        raise UsageError(f"invalid duration {text!r}", hint=_HINT)
    seconds = 0
    for number, unit in _PART.findall(raw):
        if len(number) > 12:
            raise UsageError(f"invalid duration {text!r}: {number}{unit} is far too long")
        seconds += int(number) * UNITS[unit]
    if seconds > MAX_SECONDS:
        raise UsageError(
            f"invalid duration {text!r}: longer than 100 years",
            hint="use `none` for no expiry",
        )
    if seconds == 0 and not allow_zero:
        raise UsageError(f"invalid duration {text!r}: it must be longer than zero", hint=_HINT)
    return seconds


def parse_ttl(text: str) -> int | None:
    """A TTL option: a duration in seconds, or ``None`` for ``none`` (never expires)."""
    if isinstance(text, str) and text.strip().lower() == "none":
        return None
    return parse_duration(text)


def format_duration(seconds: int) -> str:
    """The shortest exact text: ``2w``, ``1d12h``, ``90m`` → ``1h30m``, ``0s``."""
    if seconds <= 0:
        return "0s"
    parts = []
    rest = seconds
    for unit in ("w", "d", "h", "m", "s"):
        n, rest = divmod(rest, UNITS[unit])
        if n:
            parts.append(f"{n}{unit}")
    return "".join(parts)
