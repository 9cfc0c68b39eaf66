"""artifactctl: fast, local-first, content-addressed artifact versioning.

import artifactctl
store = artifactctl.Store()
art = artifactctl.Artifact("mnist", type="dataset")
art.add_dir("data/")
logged = store.log_artifact(art, aliases=["best"])
logged.download("/tmp/mnist")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from artifactctl.errors import ArtifactctlError
    from artifactctl.sdk.artifact import Artifact
    from artifactctl.sdk.run import Run, init_run
    from artifactctl.sdk.store import Store

__all__ = ["Artifact", "ArtifactctlError", "Run", "Store", "__version__", "init_run"]


def __getattr__(name: str) -> Any:  # lazy, so `artifactctl --version` stays fast
    if name == "Store":
        from artifactctl.sdk.store import Store

        return Store
    if name == "Artifact":
        from artifactctl.sdk.artifact import Artifact

        return Artifact
    if name in ("init_run", "Run"):
        from artifactctl.sdk import run as _run

        return getattr(_run, name)
    if name == "ArtifactctlError":
        from artifactctl.errors import ArtifactctlError

        return ArtifactctlError
    raise AttributeError(name)
