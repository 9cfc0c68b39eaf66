"""Hypothesis over manifest parsing, spec parsing and path normalisation, with hostile alphabets.

tests/core has the plain properties (round trips, random bytes/text never crash); these aim at
the edges an attacker picks: path separators, dots, drive letters, NUL, normalisation forms and
structurally valid manifests carrying a hostile path.
"""

from __future__ import annotations

import contextlib
import json
import posixpath
import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from artifactctl.core import manifest as mf
from artifactctl.core.paths import join_prefix, normalize_entry_path, under_prefix
from artifactctl.core.spec import parse_spec
from artifactctl.errors import IntegrityError, UsageError

HOSTILE_PARTS = [
    "..",
    ".",
    "",
    "a",
    "é",
    "e\u0301",
    "C:",
    "c:",
    "\\",
    "..\\",
    "\x00",
    "\n",
    "~",
    "$HOME",
    " ",
    "x" * 256,
    "😀",
    "\udcff",
    "/",
    "//",
    "A",
    "Ω",
    "\u212b",
]
hostile_paths = st.lists(st.sampled_from(HOSTILE_PARTS), min_size=1, max_size=6).map(
    lambda parts: "/".join(parts)
) | st.text(alphabet=st.sampled_from(list("./\\:aé\x00\u0301C")), max_size=20)


def _stays_inside(path: str) -> bool:
    joined = posixpath.normpath(posixpath.join("/target", path))
    return joined.startswith("/target/") and ".." not in path.split("/")


@settings(max_examples=400)
@given(hostile_paths)
def test_normalised_hostile_paths_stay_inside_any_root(text: str) -> None:
    try:
        p = normalize_entry_path(text)
    except UsageError:
        return
    assert _stays_inside(p)
    assert "\\" not in p and "\x00" not in p and not re.match(r"[A-Za-z]:", p)
    assert unicodedata.is_normalized("NFC", p)
    assert p.encode("utf-8")  # valid UTF-8: no surrogates survive


@settings(max_examples=300)
@given(hostile_paths, st.sampled_from(["a", "b/c", "é"]))
def test_prefix_join_never_escapes(prefix: str, path: str) -> None:
    try:
        joined = join_prefix(prefix, path)
    except UsageError:
        return
    assert _stays_inside(joined) and under_prefix(joined, prefix.strip("/"))


@settings(max_examples=300)
@given(hostile_paths, st.integers(min_value=0, max_value=3))
def test_manifest_with_a_hostile_path_is_refused_or_safe(bad: str, position: int) -> None:
    """A structurally perfect manifest that carries one hostile path: parse refuses it with an
    IntegrityError, or the path is a valid, normalised one."""
    paths = sorted(
        {"a.txt", "b/c.txt", "z.txt", bad}, key=lambda p: p.encode("utf-8", "surrogatepass")
    )
    header = {"algorithm": "xxh3-128", "entries": len(paths), "format": 1}
    header["kind"] = "artifactctl.manifest"
    lines = [json.dumps(header, sort_keys=True, separators=(",", ":"))]
    for p in paths:
        doc = {"digest": "xxh3-128:" + "ab" * 16, "path": p, "size": position}
        lines.append(json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    try:
        m = mf.parse(data, expect_algorithm="xxh3-128")
    except IntegrityError:
        return
    for e in m.entries:
        assert normalize_entry_path(e.path) == e.path and _stays_inside(e.path)


@settings(max_examples=300)
@given(
    st.lists(
        st.sampled_from(
            [
                "{",
                "}",
                '"path"',
                ":",
                ",",
                '"..\\/x"',
                "null",
                "1e999",
                '"\\u0000"',
                "[",
                "]",
                '"size"',
                "-1",
                "true",
                '"digest"',
                '"xxh3-128:' + "0" * 32 + '"',
            ]
        ),
        max_size=14,
    )
)
def test_manifest_lines_of_json_fragments_never_crash(tokens: list[str]) -> None:
    header = b'{"algorithm":"xxh3-128","entries":1,"format":1,"kind":"artifactctl.manifest"}\n'
    with contextlib.suppress(IntegrityError):
        mf.parse(header + "".join(tokens).encode() + b"\n")


spec_alphabet = st.sampled_from([*"ab:v0-1@/._ ", "latest", "v", "::", "@@", "x" * 130])


@settings(max_examples=400)
@given(st.lists(spec_alphabet, max_size=8).map("".join))
def test_hostile_specs_parse_or_refuse_cleanly(text: str) -> None:
    try:
        spec = parse_spec(text)
    except UsageError:
        return
    assert spec.name and ":" not in spec.name and "@" not in spec.name
    assert spec.version is None or spec.version >= 0
    assert parse_spec(str(spec)) == spec
