"""The Bloom filter that spares a put most lookups of what it already wrote (catalog/staging)."""

from __future__ import annotations

import hashlib

from artifactctl.catalog.staging import _Filter


def _digest(i: int) -> str:
    return "xxh3-128:" + hashlib.md5(str(i).encode()).hexdigest()


def test_members_are_always_found_and_strangers_rarely() -> None:
    f = _Filter()
    members = [_digest(i) for i in range(200_000)]
    for d in members:
        f.add(d)
    assert all(d in f for d in members)  # never a false "no": a blob is never written twice
    strangers = [_digest(i) for i in range(200_000, 220_000)]
    wrong = sum(d in f for d in strangers)
    assert wrong < len(strangers) // 100  # a false "yes" only costs one query


def test_longer_digests_use_their_last_bytes() -> None:
    f = _Filter()
    d = "sha256:" + hashlib.sha256(b"x").hexdigest()
    assert d not in f
    f.add(d)
    assert d in f
