"""The pure part: URI validation, credential rejection, and the reference digest."""

from __future__ import annotations

import pytest

from artifactctl.core.refs import (
    DEFAULT_MAX_OBJECTS,
    check_max_objects,
    looks_like_uri,
    make_ref,
    parse_ref_name,
    parse_ref_uri,
    pin_difference,
    redact,
    ref_digest,
)
from artifactctl.errors import UsageError


@pytest.mark.parametrize(
    ("uri", "scheme", "bucket", "key", "prefix"),
    [
        ("s3://bkt/a/b.csv", "s3", "bkt", "a/b.csv", False),
        ("s3://bkt/a/", "s3", "bkt", "a/", True),
        ("s3://bkt", "s3", "bkt", "", True),
        ("gs://b-1/x", "gs", "b-1", "x", False),
        ("az://ctr/dir/blob", "az", "ctr", "dir/blob", False),
        ("abfs://ctr/dir/", "abfs", "ctr", "dir/", True),
        ("file:///tmp/x/../y", "file", "", "tmp/y", False),
        ("file:///mnt/data/", "file", "", "mnt/data/", True),
        ("https://host:8443/p/q.txt?x=1", "https", "", "p/q.txt?x=1", False),
    ],
)
def test_parse(uri: str, scheme: str, bucket: str, key: str, prefix: bool) -> None:
    p = parse_ref_uri(uri)
    assert (p.scheme, p.bucket, p.key, p.is_prefix) == (scheme, bucket, key, prefix)


@pytest.mark.parametrize(
    ("uri", "words"),
    [
        ("data/x.csv", "not a URI"),
        ("ftp://h/x", "unsupported reference scheme"),
        ("s3://", "no valid bucket"),
        ("s3://bkt/a//b", "empty"),
        ("s3://bkt/a/../b", "'..'"),
        ("s3://bkt/k?versionId=1", "query"),
        ("file://host/x", "names host"),
        ("file:relative", "not a URI"),
        ("https://u:p@h/x", "embeds credentials"),
        ("s3://AKIA:secret@bkt/x", "embeds credentials"),
        ("https://h/x?sig=abc", "credential"),
        ("https://h/x?X-Amz-Signature=abc&X-Amz-Credential=k", "credential"),
        ("http://h/x\n", "control characters"),
    ],
)
def test_rejects(uri: str, words: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_ref_uri(uri)
    assert words in str(info.value)
    assert "secret" not in str(info.value) and "abc" not in info.value.message


def test_redact() -> None:
    assert redact("https://u:p@h/x?sig=abc&a=b") == "https://***@h/x?sig=***&a=***"


def test_looks_like_uri() -> None:
    assert looks_like_uri("s3://b/k") and looks_like_uri("file:///x")
    assert not looks_like_uri("data/x") and not looks_like_uri("C:\\x")


def test_ref_digest_is_deterministic_and_tracks_the_pin() -> None:
    pin = {"etag": "abc", "version_id": "v1", "size": 3, "unknown": None}
    ref = make_ref("s3://b/k", pin)
    assert ref == {"etag": "abc", "version_id": "v1", "size": 3, "uri": "s3://b/k", "pinned": True}
    d = ref_digest("xxh3-128", ref)
    assert d.startswith("xxh3-128:") and len(d.split(":")[1]) == 32
    assert d == ref_digest("xxh3-128", dict(reversed(list(ref.items()))))  # key order irrelevant
    assert d != ref_digest("xxh3-128", make_ref("s3://b/k", {**pin, "version_id": "v2"}))
    assert d != ref_digest("xxh3-128", make_ref("s3://b/k2", pin))
    unpinned = make_ref("s3://b/k", {}, pinned=False)
    assert ref_digest("sha256", unpinned).startswith("sha256:")


def test_golden_ref_digest() -> None:
    ref = make_ref("gs://b/k", {"generation": "1", "md5": "XrY7u+Ae7tCTyyK7j1rNww==", "size": 11})
    assert ref_digest("sha256", ref) == ref_digest("sha256", ref)
    import hashlib

    canonical = (
        b'artifactctl.ref\n{"generation":"1","md5":"XrY7u+Ae7tCTyyK7j1rNww==","pinned":true,'
        b'"size":11,"uri":"gs://b/k"}'
    )
    assert ref_digest("sha256", ref) == "sha256:" + hashlib.sha256(canonical).hexdigest()


def test_pin_difference() -> None:
    pinned = {"uri": "s3://b/k", "etag": "a", "version_id": "1", "size": 1}
    assert pin_difference("s3", pinned, {"etag": "a", "version_id": "1", "size": 1}) is None
    assert "version_id" in str(pin_difference("s3", pinned, {"etag": "a", "version_id": "2"}))
    # a touched file with the same bytes is not a change
    f = {"content_digest": "x", "size": 1, "mtime_ns": 5}
    assert pin_difference("file", f, {"content_digest": "x", "size": 1, "mtime_ns": 9}) is None


def test_max_objects_and_ref_name() -> None:
    assert check_max_objects(None) == DEFAULT_MAX_OBJECTS == 10_000_000
    for bad in (0, -1, True):
        with pytest.raises(UsageError):
            check_max_objects(bad)  # type: ignore[arg-type]
    assert parse_ref_name("a/b.csv=s3://bkt/k").name == "a/b.csv"
    with pytest.raises(UsageError):
        parse_ref_name("s3://bkt/k")
