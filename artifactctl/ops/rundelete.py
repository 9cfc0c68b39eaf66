"""Deleting the versions a run logged (``run delete --delete-artifacts``)."""

from __future__ import annotations

from artifactctl.catalog import versions as q
from artifactctl.catalog.db import Catalog


def delete_outputs(cat: Catalog, run_id: str, now: str) -> list[str]:
    """Mark the run's committed versions DELETED, drop their aliases and tags, and point
    ``latest`` at the newest version that remains. Blobs are left to ``gc``."""
    rows = cat.all(
        "SELECT v.id, v.artifact_id, a.name || ':v' || v.number FROM versions v"
        " JOIN artifacts a ON a.id = v.artifact_id WHERE v.run_id = ? AND v.state = ?",
        (run_id, q.COMMITTED),
    )
    artifacts: set[int] = set()
    for vid, aid, _label in rows:
        q.set_state(cat, int(vid), q.DELETED, now)  # type: ignore[call-overload]
        cat.exec("DELETE FROM aliases WHERE version_id = ?", (vid,))
        cat.exec("DELETE FROM tags WHERE version_id = ?", (vid,))
        artifacts.add(int(aid))  # type: ignore[call-overload]
    for aid in artifacts:
        newest = q.latest_committed(cat, aid)
        if newest is not None:
            q.set_alias(cat, aid, "latest", newest.id, now)
    return [str(r[2]) for r in rows]
