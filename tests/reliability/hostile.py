"""Generated hostile command lines for the CLI fuzz test (deterministic for a seed).

Every input is an argv list for ``artifactctl``; none of them names a valid artifact of the test
store (``base``), so none can change what ``base:v0`` returns. Placeholders: ``{IN}`` (a small
input directory), ``{OUT}`` (a target root inside the sandbox), ``{PORT}`` (a closed port on
127.0.0.1).
"""

from __future__ import annotations

import json
import random

BAD_TEXT = [
    "",
    " ",
    ".",
    "..",
    "../x",
    "../../etc/passwd",
    "/abs",
    "/etc/passwd",
    "a//b",
    "a/./b",
    "a/",
    "a\\b",
    "..\\..\\x",
    "C:x",
    "c:/windows",
    "a\x00b",
    "\x00",
    "x" * 300,
    "d/" * 1100,
    "e\u0301",
    "\udcff\udcfe",
    "a\nb",
    "\t",
    "\u202etxt.exe",
    "😀" * 70,
    "name:",
    "name::x",
    ":v1",
    "name:v-1",
    "name:v01",
    "name:v99999999999999999999999",
    "name@",
    "name@zz",
    "name@ab",
    "@abcd",
    "a:b:c",
    "a/b/c",
    "-x",
    "--",
    "%s%n%x",
    "' OR 1=1 --",
    "name;rm -rf /",
    "$(touch pwned)",
    "latest",
    "registry/",
    "/registry/x",
    "nope:latest",
    "nope:v0",
]

# in every template (the test checks their exit codes); the rest of BAD_TEXT is sampled
ESSENTIAL = [
    "name:",
    "name::x",
    ":v1",
    "name:v-1",
    "../x",
    "/abs",
    "a//b",
    "a\\b",
    "C:x",
    "x" * 300,
    "a\x00b",
    "nope:v0",
]

BAD_DURATIONS = ["-1d", "99999999999d", "1e9", "0", "d", "1x", "1d-", "NaN", "∞", "1 d", "0d"]
BAD_SIZES = ["-1", "1XB", "GB", "1e400", "NaN", "99999999999999999999999999GB", ""]

BAD_URIS = [
    "s3://",
    "s3:///key",
    "gs://",
    "az://",
    "abfs://",
    "ftp://host/x",
    "javascript:alert(1)",
    "file://",
    "file:///definitely/not/here",
    "file://remotehost/x",
    "s3://AKIAKEY:supersecret@bucket/x",
    "https://user:hunter2@127.0.0.1:{PORT}/x",
    "http://127.0.0.1:{PORT}/x",
    "http://127.0.0.1:{PORT}/x?sig=SECRETSIG",
    "http://[::1",
    "http://%zz/",
    "s3://bucket/../../x",
]


def bad_metadata() -> list[str]:
    nested: object = 1
    for _ in range(40):
        nested = {"k": nested}
    return [
        "{",
        "[]",
        '"text"',
        "null",
        "{'single': 'quotes'}",
        '{"a": NaN}',
        '{"a": Infinity}',
        json.dumps({f"k{i}": i for i in range(101)}),
        json.dumps(nested),
        json.dumps({"big": "x" * (10 * 1024 * 1024)}),
        "@/definitely/not/here.json",
        "@/",
        '{"\\ud800": 1}',
        '{"a": 1, "a": 2}',
    ]


def templates() -> list[list[str]]:
    """Command lines with one hostile slot ``S``."""
    return [
        ["get", "S", "--root", "{OUT}"],
        ["get", "S", "--file", "x.txt", "-o", "-"],
        ["get", "base:v0", "--root", "{OUT}", "--path-prefix", "S"],
        ["get", "base:v0", "--file", "S", "-o", "-"],
        ["get", "base:v0", "--root", "{OUT}", "--link", "S"],
        ["checkout", "S", "{OUT}"],
        ["show", "S"],
        ["files", "S"],
        ["verify", "S"],
        ["diff", "S", "base:v0"],
        ["ls", "S"],
        ["alias", "set", "S", "prod"],
        ["alias", "set", "base:v0", "S"],
        ["tag", "add", "base:v0", "S"],
        ["tag", "add", "S", "ok"],
        ["link", "S", "registry/x"],
        ["link", "base:v0", "S"],
        ["delete", "S", "--yes"],
        ["edit", "S", "--description", "d"],
        ["ttl", "set", "S", "30d"],
        ["put", "{IN}", "--name", "S", "--type", "t"],
        ["put", "{IN}", "--name", "fz", "--type", "S"],
        ["put", "{IN}", "--name", "fz", "--type", "t", "--alias", "S"],
        ["put", "{IN}", "--name", "fz", "--type", "t", "--tag", "S"],
        ["put", "{IN}", "--name", "fz", "--type", "t", "--prefix", "S"],
        ["put", "--name", "fz", "--type", "t", "--ref-name", "S=file:///definitely/not/here"],
        ["put", "--from", "S", "{IN}"],
        ["put", "S", "--name", "fz", "--type", "t"],
        ["lineage", "S"],
        ["S"],
        ["put", "{IN}", "--S"],
        ["ls", "--S"],
    ]


def generate(seed: int = 7, minimum: int = 1000) -> list[list[str]]:
    """At least ``minimum`` command lines: every template × every bad text, plus the option
    values (durations, sizes, URIs, metadata), plus random mixes up to ``minimum``."""
    rng = random.Random(seed)
    out: list[list[str]] = []
    others = [t for t in BAD_TEXT if t not in ESSENTIAL]
    for tpl in templates():
        if tpl == ["S"]:  # an unknown command: a few are enough (each costs a full help scan)
            out.extend(_fill(tpl, t) for t in rng.sample(BAD_TEXT, 6))
            continue
        for text in ESSENTIAL + rng.sample(others, 16):
            out.append(_fill(tpl, text))
    for d in BAD_DURATIONS:
        out.append(["put", "{IN}", "--name", "fz", "--type", "t", "--ttl", d])
        out.append(["gc", "--dry-run", "--grace", d])
        out.append(["ttl", "set", "base:v0", d])
        out.append(["fsck", "--grace", d])
    for size in BAD_SIZES:
        out.append(["cache", "cleanup", size, "--dry-run"])
    for uri in BAD_URIS:
        out.append(["put", uri, "--name", "fz", "--type", "t"])
        out.append(["put", "--name", "fz", "--type", "t", "--ref-name", f"data={uri}"])
    for meta in bad_metadata():
        out.append(["put", "{IN}", "--name", "fz", "--type", "t", "--metadata", meta])
        out.append(["edit", "base:v0", "--metadata", meta])
    pool = BAD_TEXT + BAD_DURATIONS + BAD_URIS
    tpls = [t for t in templates() if t != ["S"]]
    while len(out) < minimum:
        tpl = rng.choice(tpls)
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 3)))
        out.append(_fill(tpl, text))
    return out


def _fill(tpl: list[str], text: str) -> list[str]:
    return [a.replace("S", text) if "S" in a and a not in ("--S",) else _opt(a, text) for a in tpl]


def _opt(arg: str, text: str) -> str:
    return "--" + text if arg == "--S" else arg
