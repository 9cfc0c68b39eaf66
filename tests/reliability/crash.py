"""Crash harness: run real ``artifactctl`` commands and SIGKILL them at seeded random moments.

For every command (a :class:`Scenario`) the harness first runs it once to completion to measure
how long it takes, then, for each kill point, prepares fresh work (new content to put, a version
to delete, garbage for gc, …), starts the command in a subprocess and sends SIGKILL after a delay
drawn from the measured duration. After every kill it checks, with the real CLI:

1. ``fsck --json`` reports no damage: the catalog is readable, no committed version has a missing
   or corrupt blob, manifests parse, aliases point at committed versions (debris younger than
   the grace period is not damage, and fsck does not report it);
2. a re-run of the same command succeeds (for ``delete``: or says the version is gone);
3. ``gc --grace 0s`` succeeds, and then ``fsck --grace 0s --json`` is clean: no damage and no
   debris (orphan blobs, temp files, stale pending versions) left.

Run it directly for a report: ``python tests/reliability/crash.py --kills 30 --files 2000``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTIFACTCTL = shutil.which("artifactctl") or str(Path(sys.executable).parent / "artifactctl")
DAMAGE = {
    "catalog",
    "corrupt-blob",
    "missing-blob",
    "bad-manifest",
    "dangling-alias",
    "bad-pack",
}
RESULTS = Path(__file__).with_name("results")  # crash-LABEL.txt: the last summary line per label


class HarnessError(AssertionError):
    pass


@dataclass
class Proc:
    argv: list[str]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@dataclass
class Tally:
    tried: int = 0  # SIGKILL delivered to a running command
    survived: int = 0  # ... and every check afterwards passed
    finished_first: int = 0  # the command exited before the signal (not a kill point)


@dataclass
class Summary:
    seed: int
    per_command: dict[str, Tally] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def tried(self) -> int:
        return sum(t.tried for t in self.per_command.values())

    @property
    def survived(self) -> int:
        return sum(t.survived for t in self.per_command.values())

    def line(self, label: str) -> str:
        parts = ", ".join(f"{k} {t.survived}/{t.tried}" for k, t in self.per_command.items())
        return (
            f"crash[{label}] seed={self.seed}: {self.tried} kill points tried, {self.survived}"
            f" survived, {len(self.failures)} failed ({parts}) in {self.seconds:.0f} s"
        )


class Harness:
    """One working directory, one store per scenario, the CLI as users run it."""

    def __init__(self, workdir: Path, *, seed: int, files: int) -> None:
        self.workdir = workdir
        self.rng = random.Random(seed)
        self.seed = seed
        self.files = files
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("ARTIFACTCTL_")}
        self.env["NO_COLOR"] = "1"

    def store_for(self, name: str) -> Path:
        base = self.workdir / name
        base.mkdir(parents=True, exist_ok=True)
        store = base / ".artifactctl"
        if not store.exists():
            self.run(store, "init", str(base), expect=(0,))
        return store

    def run(self, store: Path, *args: str, expect: tuple[int, ...] | None = None) -> Proc:
        env = dict(self.env, ARTIFACTCTL_DIR=str(store))
        p = subprocess.run(
            [ARTIFACTCTL, *args], capture_output=True, env=env, timeout=300, check=False
        )
        proc = Proc(list(args), p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode())
        if "Traceback" in proc.stderr:
            raise HarnessError(f"traceback from artifactctl {' '.join(args)}:\n{proc.stderr}")
        if expect is not None and proc.code not in expect:
            raise HarnessError(
                f"artifactctl {' '.join(args)} exited {proc.code} (expected {expect}):\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def timed(self, store: Path, argv: list[str]) -> float:
        start = time.monotonic()
        self.run(store, *argv, expect=(0,))
        return time.monotonic() - start

    def kill_after(self, store: Path, argv: list[str], delay: float) -> bool:
        """Start the command, SIGKILL it after ``delay`` s; True if it was still running."""
        env = dict(self.env, ARTIFACTCTL_DIR=str(store))
        p = subprocess.Popen(
            [ARTIFACTCTL, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
        )
        try:
            p.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
        _, err = p.communicate(timeout=60)
        if p.returncode != -signal.SIGKILL:
            if p.returncode != 0 or b"Traceback" in err:
                raise HarnessError(f"{argv} exited {p.returncode} unkilled:\n{err.decode()}")
            return False
        return True

    def check_after_kill(self, store: Path, scenario: Scenario, argv: list[str]) -> None:
        fsck = self.run(store, "fsck", "--json", expect=(0, 6)).json()
        damage = [p for p in fsck["problems"] if p["kind"] in DAMAGE]
        if damage:
            raise HarnessError(f"damage after killing {argv}: {damage}")
        rerun = self.run(store, *argv)
        if not scenario.rerun_ok(self, store, rerun):
            raise HarnessError(f"re-run of {argv} failed: {rerun.code}\n{rerun.stderr}")
        self.run(store, "gc", "--grace", "0s", "--json", expect=(0,))
        clean = self.run(store, "fsck", "--grace", "0s", "--json", expect=(0, 6)).json()
        if not clean["ok"]:
            raise HarnessError(f"fsck after gc --grace 0s (after {argv}): {clean['problems']}")
        leftovers = list((store / "tmp").iterdir())
        if leftovers:
            raise HarnessError(f"temp files left after gc --grace 0s: {leftovers[:5]}")


@dataclass
class Scenario:
    """A command to kill: ``prepare(h, store, i)`` makes fresh work and returns the argv."""

    name: str
    setup: Callable[[Harness, Path], None]
    prepare: Callable[[Harness, Path, int], list[str]]
    rerun_ok: Callable[[Harness, Path, Proc], bool] = lambda h, s, p: p.code == 0


# -- helpers that set up state through the Python API (fast: no process start) -----------------


def _library(store: Path) -> Any:
    from artifactctl.store import Store

    return Store.open(store, create=False)


def write_tree(root: Path, n: int, tag: str, *, share: float = 0.0) -> Path:
    """``n`` small files under ``root`` (32 directories); content unique to ``tag`` except a
    ``share`` fraction that is the same for every tag (dedup)."""
    if root.exists():
        shutil.rmtree(root)
    for d in range(min(32, n)):
        (root / f"d{d:02d}").mkdir(parents=True)
    cut = int(n * share)
    for j in range(n):
        body = f"shared {j}\n" if j < cut else f"{tag} file {j}\n" * (1 + j % 7)
        (root / f"d{j % 32:02d}" / f"f{j:05d}.txt").write_text(body)
    return root


def _lib_put(store: Path, paths: list[Path], name: str, **kw: Any) -> Any:
    from artifactctl.ops.put import put

    with _library(store) as s:
        return put(s, [str(p) for p in paths], name=name, type="dataset", **kw)


def _lib_delete_all_but_latest(store: Path, name: str) -> None:
    from artifactctl.catalog import versions as q
    from artifactctl.ops.delete import delete

    with _library(store) as s:
        rows = [v for v in q.versions_of(s.catalog, name) if v.state == q.COMMITTED]
        for v in rows[:-1]:
            delete(s, v.label, delete_aliases=True, force=True)


# -- the commands ------------------------------------------------------------------------------


def _put_prepare(h: Harness, store: Path, i: int) -> list[str]:
    _lib_delete_all_but_latest(store, "big")  # keeps the store (and fsck) small between points
    tree = write_tree(store.parent / "tree", h.files, f"put-{i}", share=0.2)
    return ["put", str(tree), "--name", "big", "--type", "dataset", "--alias", "candidate"]


def _put_from_setup(h: Harness, store: Path) -> None:
    _lib_put(store, [write_tree(store.parent / "base", h.files, "base")], "base")


def _put_from_prepare(h: Harness, store: Path, i: int) -> list[str]:
    extra = write_tree(store.parent / "extra", 50, f"from-{i}")
    return ["put", "--from", "base:latest", str(extra), "--prefix", "added", "--alias", "next"]


def _delete_setup(h: Harness, store: Path) -> None:
    _lib_put(store, [write_tree(store.parent / "keep", 100, "keep")], "keep")


def _delete_prepare(h: Harness, store: Path, i: int) -> list[str]:
    res = _lib_put(store, [write_tree(store.parent / "victim", 200, f"victim-{i}")], "victim")
    return ["delete", res.version, "--yes", "--delete-aliases"]


def _delete_rerun_ok(h: Harness, store: Path, p: Proc) -> bool:
    if p.code == 0:
        return True
    if p.code != 4:
        return False
    listed = h.run(store, "ls", "victim", "--json", expect=(0, 4))
    return p.argv[1] not in listed.stdout  # the first (killed) run deleted it


def _gc_prepare(h: Harness, store: Path, i: int) -> list[str]:
    from artifactctl.ops.delete import delete

    res = _lib_put(store, [write_tree(store.parent / "junk", h.files // 2, f"junk-{i}")], "junk")
    with _library(store) as s:
        delete(s, res.version, delete_aliases=True, force=True)
    return ["gc", "--grace", "0s"]


def _repack_prepare(h: Harness, store: Path, i: int) -> list[str]:
    """A pack whose blobs are a third live: gc rewrites it (live blobs to a new pack, rows
    moved in one transaction, then the old pack deleted)."""
    from artifactctl.ops.delete import delete

    tree = write_tree(store.parent / "mix", h.files // 2, f"mix-{i}")
    res = _lib_put(store, [tree], "mix")
    kept = store.parent / "kept"
    if kept.exists():
        shutil.rmtree(kept)
    kept.mkdir()
    for k, f in enumerate(sorted(tree.rglob("*.txt"))):
        if k % 3 == 0:
            (kept / f"{k}.txt").write_bytes(f.read_bytes())
    _lib_put(store, [kept], f"kept{i}")
    with _library(store) as s:
        delete(s, res.version, delete_aliases=True, force=True)
    return ["gc", "--grace", "0s"]


def _hardlink_get_prepare(h: Harness, store: Path, i: int) -> list[str]:
    """A get --link hardlink of packed blobs: each gets a loose file, then the rows say so."""
    _lib_put(store, [write_tree(store.parent / "linked", h.files // 2, f"ln-{i}")], f"ln{i}")
    return ["get", f"ln{i}", "--root", str(store.parent / f"out-{i}"), "--link", "hardlink"]


def _models_setup(h: Harness, store: Path) -> None:
    from artifactctl.ops.put import put

    with _library(store) as s:
        for k in range(40):
            src = store.parent / "m" / f"{k}"
            src.mkdir(parents=True)
            (src / "weights.bin").write_bytes(f"model {k}".encode() * 100)
            put(s, [str(src)], name="model", type="model")


def _link_prepare(h: Harness, store: Path, i: int) -> list[str]:
    return ["link", f"model:v{i % 40}", "registry/model", "--alias", "staging"]


def _alias_prepare(h: Harness, store: Path, i: int) -> list[str]:
    return ["alias", "set", f"model:v{h.rng.randrange(40)}", "prod"]


def _cache_setup(h: Harness, store: Path) -> None:
    src = write_tree(store.parent / "remote", 200, "remote")
    _lib_put(store, [], "refs", ref_names=[f"data={src.as_uri()}/"])


def _cache_prepare(h: Harness, store: Path, i: int) -> list[str]:
    from artifactctl.ops.get import get

    root = store.parent / "got"
    if root.exists():
        shutil.rmtree(root)
    with _library(store) as s:
        get(s, "refs:latest", root=root)  # fills refcache/ again
    return ["cache", "cleanup", "0"]


SCENARIOS: list[Scenario] = [
    Scenario("put", lambda h, s: None, _put_prepare),
    Scenario("put-from", _put_from_setup, _put_from_prepare),
    Scenario("delete", _delete_setup, _delete_prepare, _delete_rerun_ok),
    Scenario("gc", lambda h, s: None, _gc_prepare),
    Scenario("gc-repack", lambda h, s: None, _repack_prepare),
    Scenario("get-hardlink", lambda h, s: None, _hardlink_get_prepare),
    Scenario("link", _models_setup, _link_prepare),
    Scenario("alias-set", _models_setup, _alias_prepare),
    Scenario("cache-cleanup", _cache_setup, _cache_prepare),
]


def run_crashes(
    workdir: Path,
    *,
    seed: int,
    kills_per_command: int,
    files: int,
    extra_kills: dict[str, int] | None = None,
    only: list[str] | None = None,
    label: str = "run",
    results: Path | None = RESULTS,
) -> Summary:
    """Run every scenario until ``kills_per_command`` kills landed (or 4× as many attempts)."""
    h = Harness(workdir, seed=seed, files=files)
    summary = Summary(seed)
    start = time.monotonic()
    for sc in SCENARIOS:
        if only and sc.name not in only:
            continue
        tally = summary.per_command.setdefault(sc.name, Tally())
        store = h.store_for(sc.name)
        sc.setup(h, store)
        duration = h.timed(store, sc.prepare(h, store, 0))  # one clean run: the time to aim at
        attempt = 0
        wanted = kills_per_command + (extra_kills or {}).get(sc.name, 0)
        while tally.tried < wanted and attempt < 4 * wanted:
            attempt += 1
            argv = sc.prepare(h, store, attempt)
            # most of a short command is interpreter start-up: aim at the whole run, and at
            # its second half more often, where the writes are
            frac = h.rng.uniform(0.05, 1.0) if h.rng.random() < 0.4 else h.rng.uniform(0.5, 1.1)
            if not h.kill_after(store, argv, duration * frac):
                tally.finished_first += 1
                duration *= 0.95
                h.check_after_kill(store, sc, argv)  # the unkilled run must leave it clean too
                continue
            tally.tried += 1
            try:
                h.check_after_kill(store, sc, argv)
            except HarnessError as exc:
                summary.failures.append(f"{sc.name} (delay {duration * frac:.3f} s): {exc}")
                continue
            tally.survived += 1
    summary.seconds = time.monotonic() - start
    if results is not None:
        results.mkdir(exist_ok=True)
        text = summary.line(label) + "\n" + "".join(f"FAILED: {f}\n" for f in summary.failures)
        (results / f"crash-{label}.txt").write_text(text, encoding="utf-8")
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--kills", type=int, default=30, help="kill points per command")
    ap.add_argument("--files", type=int, default=2000, help="files per put")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", action="append", help="scenario name (repeatable)")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--label", default="manual", help="label of the summary line")
    args = ap.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="artifactctl-crash-") as tmp:
        s = run_crashes(
            args.workdir or Path(tmp),
            seed=args.seed,
            kills_per_command=args.kills,
            files=args.files,
            only=args.only,
            label=args.label,
        )
    print(s.line(args.label))
    for f in s.failures:
        print("FAILED:", f)
    return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main())
