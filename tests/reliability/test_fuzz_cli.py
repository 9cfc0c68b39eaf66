"""Over a thousand generated hostile command lines through the real CLI: no traceback, only
documented exit codes, nothing written outside the targets, the store unharmed."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from artifactctl.errors import EXIT_CODES
from tests.conftest import Runner, make_tree
from tests.reliability.hostile import generate

RUNNER = Path(__file__).with_name("fuzz_runner.py")
RESULTS = Path(__file__).with_name("results")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # nothing listens there now: connections are refused at once


def snapshot(root: Path, skip: list[Path]) -> dict[str, tuple[int, int]]:
    """path → (size, mtime_ns) of every file below ``root`` outside ``skip``."""
    found = {}
    for dirpath, dirnames, files in os.walk(root):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) not in skip]
        for f in files:
            if Path(dirpath, f) in skip:
                continue
            st = os.lstat(os.path.join(dirpath, f))
            found[os.path.join(dirpath, f)] = (st.st_size, st.st_mtime_ns)
    return found


def fill(argv: list[str], values: dict[str, str]) -> list[str]:
    out = []
    for a in argv:
        for key, value in values.items():
            a = a.replace(key, value)
        out.append(a)
    return out


@pytest.fixture
def base(cli: Runner, tmp_path: Path) -> Path:
    tree = make_tree(tmp_path / "base", {"x.txt": "the one true x\n", "d/y.txt": "why\n"})
    cli("put", tree, "--name", "base", "--type", "dataset", expect=0)
    return tree


def test_a_thousand_hostile_command_lines(
    cli: Runner, store_dir: Path, tmp_path: Path, base: Path
) -> None:
    sandbox = tmp_path / "sandbox"
    cwd = sandbox / "cwd"
    cwd.mkdir(parents=True)
    make_tree(sandbox / "in", {"in.txt": "input\n"})
    values = {
        "{IN}": str(sandbox / "in"),
        "{OUT}": str(cwd / "out"),
        "{PORT}": str(closed_port()),
    }
    inputs = [fill(a, values) for a in generate(seed=7, minimum=1000)]
    assert len(inputs) >= 1000
    (tmp_path / "inputs.json").write_text(json.dumps(inputs, ensure_ascii=True))
    watched = [store_dir, cwd, tmp_path / "inputs.json", tmp_path / "results.json"]
    before = snapshot(tmp_path, watched)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTIFACTCTL_")}
    env["ARTIFACTCTL_DIR"] = str(store_dir)
    env["ARTIFACTCTL_LOCK_TIMEOUT"] = "20"
    proc = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            str(tmp_path / "inputs.json"),
            str(tmp_path / "results.json"),
        ],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((tmp_path / "results.json").read_text())
    assert len(results) == len(inputs)
    tracebacks = [r for r in results if r["traceback"]]
    undocumented = [r for r in results if r["code"] not in EXIT_CODES]
    after = snapshot(tmp_path, watched)
    outside = {p: after[p] for p in after if before.get(p) != after[p]}
    outside_bytes = sum(size for size, _ in outside.values())
    stray = [p for p in os.listdir(cwd) if p != "out" and not p.endswith(".txt")]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "fuzz.txt").write_text(
        f"cli fuzz: {len(results)} hostile command lines, {len(tracebacks)} tracebacks,"
        f" {len(undocumented)} undocumented exit codes, {outside_bytes} bytes written outside"
        f" targets (exit codes: {sorted({r['code'] for r in results})})\n"
    )
    assert not tracebacks, "\n\n".join(f"{r['argv']!r}\n{r['stderr']}" for r in tracebacks[:5])
    assert not undocumented, [(r["argv"], r["code"]) for r in undocumented[:10]]
    assert not outside and not stray, (outside, stray)
    by_argv = {json.dumps(r["argv"]): r for r in results}

    def code(*argv: str) -> int:
        shown = [a if len(a) < 1000 else f"{a[:40]}…({len(a)} chars)" for a in argv]  # as stored
        return int(by_argv[json.dumps(fill(shown, values))]["code"])

    for spec in ("name:", "name::x", ":v1", "name:v-1", "../x", "/abs"):
        assert code("show", spec) == 2, spec
        assert code("get", spec, "--root", "{OUT}") == 2, spec
    assert code("put", "{IN}", "--name", "fz", "--type", "t", "--ttl", "-1d") == 2
    assert code("put", "{IN}", "--name", "fz", "--type", "t", "--ttl", "99999999999d") == 2
    assert code("show", "nope:v0") == 4
    for prefix in ("../x", "a//b", "a\\b", "C:x", "x" * 300, "a\x00b"):
        assert code("put", "{IN}", "--name", "fz", "--type", "t", "--prefix", prefix) == 2
    for meta in ("{", "[]", json.dumps({f"k{i}": i for i in range(101)})):
        assert code("put", "{IN}", "--name", "fz", "--type", "t", "--metadata", meta) == 2
    # the store is unharmed: fsck is clean and base:v0 still returns its bytes
    assert cli("fsck", "--json").json()["ok"]
    cli("verify", "base:v0", expect=0)
    got = cli("get", "base:v0", "--file", "x.txt", "-o", "-", expect=0)
    assert got.stdout == "the one true x\n"
    catalog = (store_dir / "catalog.db").read_bytes()
    for secret in (b"supersecret", b"hunter2", b"SECRETSIG"):
        assert secret not in catalog  # credentials never enter the catalog


@pytest.mark.parametrize(
    "argv,code",
    [
        (["get", "name::x"], 2),
        (["show", ":v1"], 2),
        (["verify", "name:v-1"], 2),
        (["ls", "name:"], 2),
        (["put", "{IN}", "--name", "fz", "--type", "t", "--ttl", "-1d"], 2),
        (["put", "{IN}", "--name", "fz", "--type", "t", "--metadata", "{"], 2),
        (["put", "{IN}", "--name", "fz", "--type", "t", "--bogus"], 2),
        (["put", "s3://AKIAKEY:supersecret@bucket/x", "--name", "fz", "--type", "t"], 2),
        (["put", "http://127.0.0.1:{PORT}/x", "--name", "fz", "--type", "t"], 7),
    ],
)
def test_hostile_command_lines_as_processes(
    cli: Runner, tmp_path: Path, base: Path, argv: list[str], code: int
) -> None:
    make_tree(tmp_path / "in", {"in.txt": "input\n"})
    values = {"{IN}": str(tmp_path / "in"), "{PORT}": str(closed_port())}
    r = cli(*fill(argv, values), expect=code)
    assert r.stderr.strip(), "a failure must say why"
    assert "supersecret" not in r.stderr
    cli("verify", "base:v0", expect=0)
