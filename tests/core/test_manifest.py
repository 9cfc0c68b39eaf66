"""The canonical manifest format, pinned by golden bytes in tests/data/."""

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from artifactctl.core import manifest as mf
from artifactctl.core.digest import format_digest, hash_bytes
from artifactctl.core.manifest import Entry
from artifactctl.errors import IntegrityError, UsageError

DATA = Path(__file__).parent.parent / "data"

# The fixed small tree whose manifest and digest are pinned (also built on disk by the CLI test).
GOLDEN_TREE = {
    "README.md": b"# golden\n",
    "data/train.csv": b"x,y\n1,2\n3,4\n",
    "data/\u00e9t\u00e9.txt": b"summer\n",
    "empty": b"",
}


def golden_manifest() -> mf.Manifest:
    entries = [
        Entry(p, format_digest("xxh3-128", hash_bytes("xxh3-128", b)), len(b))
        for p, b in GOLDEN_TREE.items()
    ]
    return mf.build("xxh3-128", entries)


def test_golden_bytes_and_digest() -> None:
    m = golden_manifest()
    assert m.to_bytes() == (DATA / "golden-manifest.jsonl").read_bytes()
    assert m.digest() == (DATA / "golden-digest.txt").read_text().strip()


def test_canonical_form() -> None:
    lines = golden_manifest().to_bytes().decode().splitlines()
    header = json.loads(lines[0])
    assert header == {
        "algorithm": "xxh3-128",
        "entries": 4,
        "format": 1,
        "kind": "artifactctl.manifest",
    }
    paths = [json.loads(line)["path"] for line in lines[1:]]
    assert paths == sorted(paths, key=lambda p: p.encode())
    for line in lines:
        doc = json.loads(line)
        assert line == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_order_of_input_does_not_matter() -> None:
    m1 = golden_manifest()
    m2 = mf.build("xxh3-128", list(reversed(m1.entries)))
    assert m1.to_bytes() == m2.to_bytes()


def test_duplicate_paths_rejected() -> None:
    e = Entry("a", "xxh3-128:" + "0" * 32, 1)
    with pytest.raises(UsageError):
        mf.build("xxh3-128", [e, Entry("a", e.digest, 1)])


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: b"",
        lambda b: b[: len(b) // 2],
        lambda b: b.replace(b'"format":1', b'"format":99'),
        lambda b: b.replace(b'"entries":4', b'"entries":5'),
        lambda b: b.replace(b'"path":"README.md"', b'"path":"../README.md"'),
        lambda b: b.replace(b'"path":"README.md"', b'"path":"/etc/passwd"'),
        lambda b: b.replace(b'"size":0', b'"size":-1'),
        lambda b: b.replace(b"xxh3-128:", b"md5:", 1).replace(b'"algorithm":"md5:', b""),
        lambda b: b + b"not json\n",
        lambda b: b"\n".join(reversed(b.split(b"\n")[1:-1])),
    ],
)
def test_parse_rejects_damage(mutate) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IntegrityError):
        mf.parse(mutate(golden_manifest().to_bytes()))


entry_paths = st.lists(
    st.from_regex(r"[a-z0-9_\-]{1,8}(/[a-z0-9_\-\u00e9]{1,8}){0,3}", fullmatch=True),
    unique=True,
    max_size=30,
)


@given(entry_paths, st.data())
def test_round_trip(paths: list[str], data: st.DataObject) -> None:
    entries = []
    for p in paths:
        size = data.draw(st.integers(min_value=0, max_value=2**40))
        digest = format_digest(
            "xxh3-128", data.draw(st.from_regex(r"[0-9a-f]{32}", fullmatch=True))
        )
        entries.append(Entry(p, digest, size))
    m = mf.build("xxh3-128", entries)
    parsed = mf.parse(m.to_bytes(), expect_algorithm="xxh3-128")
    assert parsed.to_bytes() == m.to_bytes()
    assert parsed.digest() == m.digest()


@given(st.binary(max_size=300))
def test_parse_never_crashes(blob: bytes) -> None:
    with contextlib.suppress(IntegrityError):
        mf.parse(blob)


@given(st.text(min_size=1, max_size=30), st.integers(min_value=0, max_value=2**50))
def test_fast_lines_equal_json_dumps(path: str, size: int) -> None:
    entry = Entry(path, format_digest("xxh3-128", "ab" * 16), size)
    fast = list(mf.Manifest("xxh3-128", [entry]).iter_lines())[1]
    slow = json.dumps(entry.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert fast == (slow + "\n").encode("utf-8", "surrogatepass")
