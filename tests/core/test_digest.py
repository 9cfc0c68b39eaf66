import hashlib

import pytest

from artifactctl.core.digest import Digest, format_digest, hash_bytes, new_hasher, short
from artifactctl.errors import UsageError


def test_xxh3_known_value() -> None:
    # xxh3-128 of b"" is a published constant
    assert hash_bytes("xxh3-128", b"") == "99aa06d3014798d86001c324468d497f"


def test_sha256_matches_hashlib() -> None:
    assert hash_bytes("sha256", b"abc") == hashlib.sha256(b"abc").hexdigest()


def test_blake3_streaming_equals_one_shot() -> None:
    h = new_hasher("blake3")
    h.update(b"ab")
    h.update(b"c")
    assert h.hexdigest() == hash_bytes("blake3", b"abc")


def test_parse_and_print_round_trip() -> None:
    text = format_digest("xxh3-128", "0" * 32)
    assert str(Digest.parse(text)) == text
    assert short(text, 4) == "0000"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "xxh3-128",
        "md5:" + "0" * 32,
        "xxh3-128:" + "0" * 31,
        "xxh3-128:" + "G" * 32,
        "xxh3-128:" + "A" * 32,
        "sha256:" + "0" * 32,
    ],
)
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(UsageError):
        Digest.parse(bad)


def test_unknown_algorithm() -> None:
    with pytest.raises(UsageError, match="unknown hash algorithm"):
        new_hasher("md5")
