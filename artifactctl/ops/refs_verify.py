"""``verify --references``: check referenced objects against their pins.

Without ``deep``: metadata only, in batched calls per backend (one listing of a common prefix
where many objects share a bucket, concurrent HEADs otherwise), nothing downloaded. With
``deep``: each pinned object is downloaded (its pinned version where the backend keeps one) and
re-hashed against what the pin proves (size, content digest, md5). Unpinned (``--no-checksum``)
entries have nothing to compare: they are counted, not judged.
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from artifactctl.core.manifest import Entry
from artifactctl.core.refs import parse_ref_uri, redact
from artifactctl.errors import NotFoundError
from artifactctl.ops.refs_get import _tmp_path, download
from artifactctl.ops.refs_put import ref_options
from artifactctl.refs import CHANGED, OK, VANISHED, Handlers, RefChangedError
from artifactctl.store import Store


@dataclass(slots=True)
class RefProblem:
    path: str
    uri: str
    state: str  # changed | vanished
    detail: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "uri": redact(self.uri),
            "state": self.state,
            "detail": self.detail,
        }


@dataclass(slots=True)
class RefCheck:
    deep: bool
    checked: int = 0
    unpinned: int = 0
    changed: list[RefProblem] = field(default_factory=list)
    vanished: list[RefProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.changed and not self.vanished

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "deep": self.deep,
            "checked": self.checked,
            "unpinned": self.unpinned,
            "changed": [p.to_json() for p in self.changed],
            "vanished": [p.to_json() for p in self.vanished],
        }


def check_references(
    store: Store, entries: list[Entry], *, deep: bool = False, workers: int | None = None
) -> RefCheck:
    result = RefCheck(deep)
    pinned = [e for e in entries if e.ref is not None and e.ref.get("pinned", True)]
    result.unpinned = sum(1 for e in entries if e.ref is not None) - len(pinned)
    options = ref_options(store)
    handlers = Handlers(options)
    if deep:
        _deep(store, handlers, pinned, result, workers or options.workers)
        return result
    by_scheme: dict[str, list[Entry]] = defaultdict(list)
    for e in pinned:
        assert e.ref is not None
        by_scheme[parse_ref_uri(e.ref["uri"]).scheme].append(e)
    for members in by_scheme.values():
        refs = [e.ref for e in members if e.ref is not None]
        statuses = handlers.for_uri(refs[0]["uri"]).check(refs)
        for e, st in zip(members, statuses, strict=True):
            result.checked += 1
            if st.state == CHANGED:
                result.changed.append(RefProblem(e.path, st.uri, CHANGED, st.detail))
            elif st.state == VANISHED:
                result.vanished.append(RefProblem(e.path, st.uri, VANISHED, None))
    return result


def _deep(
    store: Store, handlers: Handlers, entries: list[Entry], result: RefCheck, workers: int
) -> None:
    def one(e: Entry) -> RefProblem | None:
        assert e.ref is not None
        tmp = _tmp_path(store)
        try:
            download(handlers, e.ref, tmp, store.algorithm)
        except RefChangedError as exc:
            return RefProblem(e.path, e.ref["uri"], CHANGED, exc.message)
        except NotFoundError:
            return RefProblem(e.path, e.ref["uri"], VANISHED, None)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return None

    with ThreadPoolExecutor(max(1, workers)) as pool:
        for problem in pool.map(one, entries):
            result.checked += 1
            if problem is None:
                continue
            (result.changed if problem.state == CHANGED else result.vanished).append(problem)


__all__ = ["OK", "RefCheck", "RefProblem", "check_references"]
