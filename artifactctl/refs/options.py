"""Options every handler reads: per-scheme settings from the store's config, and timeouts.

Settings (``artifactctl config set KEY VALUE``; none of them is a secret, and secrets are never
read from here): ``s3.endpoint_url``, ``s3.profile``, ``s3.region``, ``s3.anon``,
``gcs.endpoint_url``, ``gcs.project``, ``gcs.anon``, ``azure.account_name``,
``azure.account_url``, ``azure.anon``, ``refs.connect_timeout`` (s, default 10),
``refs.read_timeout`` (s, default 60), ``refs.timeout`` (s, bound on one metadata call including
the backend's retries, default 120) and ``refs.workers`` (concurrent transfers, default 8).
The environment variables ``ARTIFACTCTL_REFS_TIMEOUT``, ``ARTIFACTCTL_REFS_CONNECT_TIMEOUT``,
``ARTIFACTCTL_REFS_READ_TIMEOUT`` and ``ARTIFACTCTL_REFS_WORKERS`` override them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from artifactctl.errors import UsageError


def _number(settings: Mapping[str, Any], key: str, env: str, default: float) -> float:
    raw: Any = os.environ.get(env) or settings.get(key, default)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise UsageError(f"{key} must be a number of seconds, not {raw!r}") from None
    if value <= 0:
        raise UsageError(f"{key} must be positive, not {raw!r}")
    return value


def truthy(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


@dataclass(slots=True)
class RefOptions:
    algorithm: str = "xxh3-128"
    settings: dict[str, Any] = field(default_factory=dict)
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    timeout: float = 120.0
    workers: int = 8

    @classmethod
    def from_settings(cls, algorithm: str, settings: Mapping[str, Any]) -> RefOptions:
        workers = int(_number(settings, "refs.workers", "ARTIFACTCTL_REFS_WORKERS", 8))
        return cls(
            algorithm=algorithm,
            settings=dict(settings),
            connect_timeout=_number(
                settings, "refs.connect_timeout", "ARTIFACTCTL_REFS_CONNECT_TIMEOUT", 10
            ),
            read_timeout=_number(
                settings, "refs.read_timeout", "ARTIFACTCTL_REFS_READ_TIMEOUT", 60
            ),
            timeout=_number(settings, "refs.timeout", "ARTIFACTCTL_REFS_TIMEOUT", 120),
            workers=max(1, min(workers, 64)),
        )

    def get(self, key: str) -> Any:
        value = self.settings.get(key)
        return None if value in (None, "") else value
