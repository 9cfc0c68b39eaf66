"""``config get|set|unset|ls``: the store's settings in ``config.toml``.

Each key is declared once in :data:`SETTINGS` with its description and a validator that turns
the user's text into the stored value (or raises :class:`UsageError`). Other features add their
keys here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from artifactctl.core.durations import parse_ttl
from artifactctl.core.sizes import parse_size
from artifactctl.errors import NotFoundError, UsageError
from artifactctl.store import PACK_MAX_KEY, Store

PACK_LIMIT = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Setting:
    key: str
    description: str
    validate: Callable[[str], Any]  # user text → stored value


def _pack_max(text: str) -> int:
    size = parse_size(text)
    if size > PACK_LIMIT:
        raise UsageError(
            f"{PACK_MAX_KEY} can be at most 64MiB", hint="larger blobs are better as loose files"
        )
    return size


def _ttl_text(text: str) -> str:
    parse_ttl(text)  # validated; stored as the user wrote it
    return text.strip().lower()


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "default-ttl",
            "TTL given to new versions that set none (e.g. 30d; `none` = no expiry)",
            _ttl_text,
        ),
        Setting(
            PACK_MAX_KEY,
            "blobs up to this size are stored in pack files, larger ones as loose files"
            " (default 1MiB; 0 = never pack)",
            _pack_max,
        ),
    )
}


@dataclass(slots=True)
class ConfigItem:
    key: str
    value: Any
    description: str

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "value": self.value, "description": self.description}


def _setting(key: str) -> Setting:
    found = SETTINGS.get(key)
    if found is None:
        raise UsageError(
            f"unknown setting {key!r}", hint="known settings: " + ", ".join(sorted(SETTINGS))
        )
    return found


def get(store: Store, key: str) -> ConfigItem:
    setting = _setting(key)
    if key not in store.config.settings:
        raise NotFoundError(f"{key} is not set", hint=f"`artifactctl config set {key} VALUE`")
    return ConfigItem(key, store.config.settings[key], setting.description)


def set_(store: Store, key: str, value: str) -> ConfigItem:
    setting = _setting(key)
    stored = setting.validate(value)
    store.set_setting(key, stored)
    return ConfigItem(key, stored, setting.description)


def unset(store: Store, key: str) -> ConfigItem:
    setting = _setting(key)
    store.set_setting(key, None)
    return ConfigItem(key, None, setting.description)


def ls(store: Store) -> list[ConfigItem]:
    """Every known setting (value None when unset), then any unknown keys found in the file."""
    items = [
        ConfigItem(k, store.config.settings.get(k), s.description)
        for k, s in sorted(SETTINGS.items())
    ]
    items += [
        ConfigItem(k, v, "(unknown to this version of artifactctl)")
        for k, v in sorted(store.config.settings.items())
        if k not in SETTINGS
    ]
    return items
