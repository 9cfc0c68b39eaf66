"""Worker processes for the concurrency tests, run as ``python workers.py COMMAND ARGS…``.

Each prints one JSON document on stdout; any exception is a traceback on stderr and a non-zero
exit, which the tests report.
"""

from __future__ import annotations

import json
import sys
import time


def put_many(store: str, worker: str, count: str) -> None:
    """``count`` log_artifact calls of distinct content to the artifact ``shared``."""
    import artifactctl

    s = artifactctl.Store(store)
    created = []
    for i in range(int(count)):
        art = artifactctl.Artifact("shared", type="dataset")
        with art.new_file("data.txt", mode="w") as f:
            f.write(f"worker {worker} put {i}\n")
        with art.new_file("common.txt", mode="w") as f:
            f.write("the same in every version\n")
        created.append(s.log_artifact(art).version)
    s.close()
    print(json.dumps(created))


def churn(store: str, worker: str, count: str) -> None:
    """Puts whose blobs gc may be freeing at that moment: every version shares a file with
    versions that a sibling worker deletes."""
    import artifactctl

    s = artifactctl.Store(store)
    made = []
    for i in range(int(count)):
        art = artifactctl.Artifact(f"churn{worker}", type="dataset")
        with art.new_file("shared.txt", mode="w") as f:
            f.write(f"shared {i % 3}\n")  # re-used by older (deleted) versions
        with art.new_file("own.txt", mode="w") as f:
            f.write(f"worker {worker} version {i}\n")
        logged = s.log_artifact(art)
        made.append(logged.qualified_name)
        if i >= 1:  # delete the previous one: its blobs become garbage for the gc loop
            s.artifact(made[-2]).delete(delete_aliases=True)
    s.close()
    print(json.dumps(made))


def gc_loop(store: str, seconds: str, grace: str) -> None:
    from artifactctl.ops.gc import gc
    from artifactctl.store import Store

    end = time.monotonic() + float(seconds)
    runs = removed = 0
    while time.monotonic() < end:
        with Store.open(store, create=False) as s:
            res = gc(s, grace_seconds=int(grace))
        runs += 1
        removed += res.blobs_removed + res.orphans_removed + res.temp_removed
    print(json.dumps({"runs": runs, "removed": removed}))


if __name__ == "__main__":
    commands = {"put-many": put_many, "churn": churn, "gc-loop": gc_loop}
    commands[sys.argv[1]](*sys.argv[2:])
