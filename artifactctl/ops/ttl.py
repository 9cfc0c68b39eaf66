"""Time to live: ``put --ttl``, ``ttl set|show`` and the store's ``default-ttl``.

A TTL counts from the version's creation time; ``expires_at`` is stored beside it. The store
default (``artifactctl config set default-ttl 30d``) is given to each new version that sets no
TTL of its own, when it is committed; ``none`` opts a version out. Changing the default later
does not change existing versions (no retroactive deletion). ``gc`` deletes expired versions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from artifactctl.catalog import lifecycle as lc
from artifactctl.core.durations import format_duration, parse_ttl
from artifactctl.core.timefmt import iso
from artifactctl.errors import UsageError
from artifactctl.ops.edit import EditResult, update_version
from artifactctl.ops.resolve import resolve
from artifactctl.store import Store

DEFAULT_TTL_KEY = "default-ttl"


def default_ttl_seconds(store: Store) -> int | None:
    """The store's default TTL in seconds, or None when there is none."""
    raw = store.config.settings.get(DEFAULT_TTL_KEY)
    if raw is None:
        return None
    try:
        return parse_ttl(str(raw))
    except UsageError as exc:
        raise UsageError(
            f"the store setting {DEFAULT_TTL_KEY} = {raw!r} is invalid: {exc.message}",
            hint=f"fix it with `artifactctl config set {DEFAULT_TTL_KEY} 30d` (or unset it)",
        ) from None


def requested_ttl(text: str | None) -> int | Literal["default"] | None:
    """A ``--ttl`` option: None (not given) → ``"default"``; ``none`` → None; else seconds."""
    return "default" if text is None else parse_ttl(text)


@dataclass(slots=True)
class TtlInfo:
    version: str
    ttl_seconds: int | None
    created_at: str
    expires_at: str | None
    expired: bool
    protected: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "ttl": format_duration(self.ttl_seconds) if self.ttl_seconds is not None else None,
            "ttl_seconds": self.ttl_seconds,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "expired": self.expired,
            "protected": self.protected,
        }


def set_ttl(store: Store, spec: str, text: str) -> EditResult:
    """``ttl set SPEC DURATION|none``."""
    return update_version(store, spec, ttl_seconds=parse_ttl(text))


def show_ttl(store: Store, spec: str) -> TtlInfo:
    v = resolve(store, spec)
    with store.catalog.read():
        reasons = lc.protected_reasons(store.catalog, v.id)
    now = iso(store.now())
    return TtlInfo(
        v.label,
        v.ttl_seconds,
        v.created_at,
        v.expires_at,
        v.expires_at is not None and v.expires_at <= now,
        reasons,
    )
