"""artifactctl benchmark: artifactctl against the physical floor and against DVC and W&B offline.

    python bench/run.py [--peers] [--huge] [--repeat N] [--cases PATTERN ...] [--out FILE]

Every command runs as a subprocess, exactly as a user or a Makefile would run it, with a warm page
cache (one untimed read of each workload first; dropping caches needs root). `sync` runs, untimed,
before every timed command, so no command pays for the write-back of the one before. Each chain
(one tool, one workload) starts from a fresh store and a fresh working copy; the tools run
alternately, one chain each per repeat, so that machine noise hits them alike. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fnmatch
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import floors  # noqa: E402
import measure  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402
from measure import Sample, Series  # noqa: E402
from workloads import Workload  # noqa: E402

REPO = HERE.parent
ACTL = "artifactctl"
STEP_TIMEOUT = 3600.0
LS_VERSIONS = 10_000
LS_ARTIFACT = "tiny"
LS_CACHE_VERSION = "1"
RECENTLY_DELETED_S = 65.0
TRASH_NOTE = (
    "ext4 without a journal, as here, skips inodes freed in the last 60 s when it allocates new "
    "ones, which makes creating files right after deleting thousands of them many times slower; "
    "so trees are moved to bench/.work/trash during a run and deleted at its end"
)
SLOW_STARTUP_BUDGET = 10.0  # a start-up case stops repeating once its runs add up to this


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _last_json(text: str) -> object:
    """The JSON document a --json command printed (the whole output, else its last line)."""
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    raise ValueError("no JSON in the output")


def _count_files(root: Path) -> int:
    return sum(len(names) for _d, _s, names in os.walk(root))


def _more_files_than(root: Path, limit: int) -> bool:
    seen = 0
    for _d, _s, names in os.walk(root):
        seen += len(names)
        if seen > limit:
            return True
    return False


class Bench:
    """The state of one benchmark run: options, results, and the helpers every chain uses."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work: Path = args.work
        self.runs = self.work / "runs"
        self.actl: Path = args.artifactctl
        self.actl_ok = self.actl.is_file() and os.access(self.actl, os.X_OK)
        self.cases: list[str] = args.case_ids
        self.results: dict[tuple[str, str], Series] = {}
        self.peer_status: dict[str, str] = {}
        self.floor_python = sys.executable
        self.meta: dict[str, object] = {}
        self.quiet = False
        self.trash = self.work / "trash"
        self.trashed = 0

    @contextlib.contextmanager
    def warming(self) -> Iterator[None]:
        """Run chains untimed and unrecorded (every case on, results thrown away)."""
        saved = self.results, self.cases, self.quiet
        self.results, self.cases, self.quiet = {}, list(report.CASES), True
        try:
            yield
        finally:
            self.results, self.cases, self.quiet = saved

    # -- selection and bookkeeping ------------------------------------------------------------

    def wants(self, case: str) -> bool:
        return case in self.cases

    def wants_workload(self, w: str) -> bool:
        return any(report.CASES[c].workload == w for c in self.cases)

    def series(self, case: str, tool: str) -> Series:
        key = (case, tool)
        if key not in self.results:
            self.results[key] = Series(case, tool)
        return self.results[key]

    def peer_ok(self, name: str) -> bool:
        return self.peer_status.get(name, "").startswith("ok")

    def note_na(self, case: str, tool: str, text: str) -> None:
        if self.wants(case):
            self.series(case, tool).na = text

    def skip_rest(self, tool: str, w: str, reason: str) -> None:
        for case in self.cases:
            spec = report.CASES[case]
            s = self.series(case, tool) if spec.workload == w else None
            if s is not None and s.na is None and not s.samples:
                s.add_error(f"not run: {reason}")

    def fail_all(self, tool: str, w: str, reason: str) -> None:
        for case in self.cases:
            if report.CASES[case].workload == w:
                s = self.series(case, tool)
                if s.na is None:
                    s.add_error(reason)

    # -- running things -----------------------------------------------------------------------

    def env(self, **extra: str) -> dict[str, str]:
        drop = ("ARTIFACTCTL_", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
        env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
        # Byte-code is cached (as on a user's machine) but in bench/.work, not in the sources.
        env.update(
            NO_COLOR="1",
            DVC_NO_ANALYTICS="1",
            WANDB_MODE="offline",
            WANDB_SILENT="true",
            PYTHONPYCACHEPREFIX=str(self.work / "pycache"),
        )
        env.update(extra)
        return env

    def run_untimed(
        self,
        argv: list[str | os.PathLike[str]],
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> Sample | None:
        sample = measure.run(argv, cwd=cwd, env=env or self.env(), timeout=STEP_TIMEOUT)
        if not sample.ok:
            log(f"  untimed step failed: {shlex.join(map(str, argv))}: {sample.why()}")
            return None
        return sample

    def timed(
        self,
        case: str,
        tool: str,
        argv: list[str | os.PathLike[str]],
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
        always: bool = False,
    ) -> Sample | None:
        """Run and record a timed step of `case`; untimed-and-unrecorded when only a dependency.

        Returns None when the case is not selected and nothing needs it (always=False).
        """
        record = self.wants(case)
        if not record and not always:
            return None
        os.sync()
        sample = measure.run(argv, cwd=cwd, env=env or self.env(), timeout=STEP_TIMEOUT)
        if record:
            s = self.series(case, tool)
            s.samples.append(sample)
            if not sample.ok:
                s.add_error(sample.why())
            if self.quiet:
                if not sample.ok:
                    log(f"  warm-up: {tool} {case} failed: {sample.why()}")
                return sample
            log(
                f"  {tool:16} {report.CASES[case].label:28} {sample.wall:8.3f} s"
                f"  cpu {sample.cpu:7.2f} s  {sample.maxrss_kib * 1024 / 1e6:6.0f} MB"
                + ("" if sample.ok else "  FAILED")
            )
        elif not sample.ok:
            log(f"  {tool}: {case} (untimed dependency) failed: {sample.why()}")
        return sample

    def fresh_dir(self, name: str) -> Path:
        path = self.runs / name
        self.remove(path)
        path.mkdir(parents=True)
        return path

    def remove(self, path: Path) -> None:
        """Delete a tree, or, when it holds many files, move it to the trash (see TRASH_NOTE)."""
        if not os.path.lexists(path):
            return
        if os.path.isdir(path) and not os.path.islink(path) and _more_files_than(path, 500):
            self.trash.mkdir(parents=True, exist_ok=True)
            self.trashed += 1
            os.rename(path, self.trash / f"{self.trashed:05d}-{path.name}")
        else:
            workloads.rmtree(path)

    def empty_trash(self) -> None:
        """Delete the trash and remember when, so that the next run can wait the window out."""
        if not self.trash.exists():
            return
        count = _count_files(self.trash)
        log(f"deleting {count:,} work files ...")
        workloads.rmtree(self.trash)
        os.sync()
        (self.work / "last-cleanup.json").write_text(
            json.dumps({"time": time.time(), "files": count})
        )

    def wait_out_deletions(self) -> None:
        """Sleep until files deleted in bulk are older than ext4's recently-deleted window."""
        marker = self.work / "last-cleanup.json"
        if not marker.is_file():
            return
        info = json.loads(marker.read_text())
        self.meta["since_bulk_delete_s"] = time.time() - info["time"]
        self.meta["bulk_deleted_files"] = info["files"]
        left = info["time"] + RECENTLY_DELETED_S - time.time()
        if info["files"] > 5000 and left > 0:
            log(f"waiting {left:.0f} s after deleting {info['files']:,} files ({TRASH_NOTE})")
            time.sleep(left)

    def copy_tree(self, src: Path, dst: Path) -> None:
        subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
        os.sync()

    def mutate(self, path: Path) -> None:
        workloads.mutate(path)
        os.sync()

    def check_tree(self, case: str, tool: str, path: Path, wl: Workload) -> None:
        if not self.wants(case):
            return
        files, size = workloads.tree_stats(path)
        if (files, size) != (wl.files, wl.bytes):
            self.series(case, tool).add_error(
                f"wrong result: {files:,} files / {size:,} bytes, expected "
                f"{wl.files:,} / {wl.bytes:,}"
            )

    def expect_created(self, case: str, sample: Sample | None, created: bool) -> None:
        if sample is None or not sample.ok or not self.wants(case):
            return
        s = self.series(case, ACTL)
        try:
            doc = _last_json(sample.stdout)
        except ValueError:
            s.add_error("put --json printed no JSON")
            return
        if not isinstance(doc, dict) or "created" not in doc:
            s.add_error('put --json has no "created" field')
        elif doc["created"] is not created:
            s.add_error(
                f'put --json said "created": {json.dumps(doc["created"])}, expected '
                f"{json.dumps(created)}"
            )


# ---------------------------------------------------------------------------------------------
# chains


def chain_floors(b: Bench, wl: Workload) -> None:
    w = wl.name
    dst = b.runs / f"floor-{w}"
    needed = set().union(*(report.CASES[c].floor_cases() for c in b.cases))
    for name, argv in floors.commands(b.floor_python, wl.path, dst).items():
        case = report.floor_case(name, w)
        if case not in needed:
            continue
        if name == "xxh3 read" and not b.meta.get("xxhash"):
            b.series(case, "floor").na = "n/a: xxhash is not installed in this Python"
            continue
        b.remove(dst)
        os.sync()
        sample = measure.run(argv, env=b.env(), timeout=STEP_TIMEOUT)
        s = b.series(case, "floor")
        s.samples.append(sample)
        if not sample.ok:
            s.add_error(sample.why())
        if not b.quiet:
            log(
                f"  {'floor':16} {case:28} {sample.wall:8.3f} s  cpu {sample.cpu:7.2f} s"
                f"  {sample.maxrss_kib * 1024 / 1e6:6.0f} MB"
                + ("" if sample.ok else f"  FAILED {sample.why()}")
            )
        b.remove(dst)


def chain_artifactctl(b: Bench, wl: Workload) -> None:
    """put, no-op put, get copy, verify, get hardlink, put after mutate: one fresh store."""
    w = wl.name
    if not b.actl_ok:
        b.skip_rest(ACTL, w, f"no CLI at {b.actl}")
        return
    base = b.fresh_dir(f"actl-{w}")
    # a working copy, as the peers get (huge-tree: the cached tree itself, a copy is minutes)
    needs_copy = w != "huge-tree"
    data = base / "data" if needs_copy else wl.path
    if needs_copy:
        b.copy_tree(wl.path, data)
    root = base / "store"
    if b.run_untimed([b.actl, "init", root]) is None:
        b.skip_rest(ACTL, w, "artifactctl init failed")
        return
    cli: list[str | os.PathLike[str]] = [b.actl, "--store", root / ".artifactctl"]
    put_argv = [*cli, "put", data, "--name", w, "--type", "dataset", "--json"]
    put = b.timed(f"put-{w}", ACTL, put_argv, always=True)
    if put is None or not put.ok:
        b.skip_rest(ACTL, w, "the first put failed")
        return
    b.expect_created(f"put-{w}", put, True)
    if b.wants(f"noop-{w}"):
        b.expect_created(f"noop-{w}", b.timed(f"noop-{w}", ACTL, put_argv), False)
    if b.wants(f"get-copy-{w}") or b.wants(f"verify-{w}"):
        out = base / "out-copy"
        out.mkdir()
        argv = [*cli, "get", f"{w}:v0", "--root", out, "--link", "copy", "--json"]
        got = b.timed(f"get-copy-{w}", ACTL, argv, always=b.wants(f"verify-{w}"))
        if got is not None and got.ok:
            b.check_tree(f"get-copy-{w}", ACTL, out, wl)
            b.timed(f"verify-{w}", ACTL, [*cli, "verify", f"{w}:v0", out])
        elif b.wants(f"verify-{w}"):
            b.skip_rest(ACTL, w, "get --link copy failed")
    if b.wants(f"get-hardlink-{w}"):
        out = base / "out-hardlink"
        out.mkdir()
        argv = [*cli, "get", f"{w}:v0", "--root", out, "--link", "hardlink", "--json"]
        got = b.timed(f"get-hardlink-{w}", ACTL, argv)
        if got is not None and got.ok:
            b.check_tree(f"get-hardlink-{w}", ACTL, out, wl)
    if b.wants(f"get-hardlink-again-{w}"):  # blobs that were packed have loose files now
        out = base / "out-hardlink-again"
        out.mkdir()
        argv = [*cli, "get", f"{w}:v0", "--root", out, "--link", "hardlink", "--json"]
        got = b.timed(f"get-hardlink-again-{w}", ACTL, argv)
        if got is not None and got.ok:
            b.check_tree(f"get-hardlink-again-{w}", ACTL, out, wl)
    if b.wants(f"put-link-{w}"):  # a second store: the file itself becomes the blob
        root2 = base / "store-link"
        if b.run_untimed([b.actl, "init", root2]) is not None:
            argv = [b.actl, "--store", root2 / ".artifactctl", "put", data, "--name", w]
            argv += ["--type", "dataset", "--link", "hardlink", "--json"]
            b.expect_created(f"put-link-{w}", b.timed(f"put-link-{w}", ACTL, argv), True)
    if b.wants(f"mutate-{w}"):
        b.mutate(data)
        b.expect_created(f"mutate-{w}", b.timed(f"mutate-{w}", ACTL, put_argv), True)
    b.remove(base)


def actl_python(b: Bench) -> str:
    """The interpreter the CLI runs on (its venv's python), for the startup floor."""
    candidate = b.actl.parent / "python"
    return str(candidate) if candidate.exists() else sys.executable


LS_BUILD_SCRIPT = """\
import os, sys, time
import artifactctl

store_dir, count, name, src = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
start = time.perf_counter()
with artifactctl.Store(store_dir) as store:
    for i in range(count):
        path = os.path.join(src, "v.txt")
        with open(path, "w") as f:
            f.write(f"version {i}\\n")
        art = artifactctl.Artifact(name, type="dataset")
        art.add_file(path)
        store.log_artifact(art)
        if i % 1000 == 999:
            print(f"  {i + 1:,} versions in {time.perf_counter() - start:.0f} s", flush=True)
"""


def _count_versions(b: Bench, store: Path) -> int:
    sample = measure.run([b.actl, "--store", store, *report.LS_ARGS], env=b.env())
    try:
        doc = _last_json(sample.stdout) if sample.ok else []
    except ValueError:
        return -1
    return len(doc) if isinstance(doc, list) else -1


def ls_store(b: Bench) -> tuple[Path | None, str]:
    """A store whose artifact `tiny` has LS_VERSIONS versions, built once and cached.

    Built through the Python API (`import artifactctl`, one Store, LS_VERSIONS log_artifact
    calls): through the CLI it would take a process start per version (over an hour). The cache
    is checked with an untimed `ls` and rebuilt when that no longer sees every version.
    """
    root = b.work / f"ls-store-v{LS_CACHE_VERSION}"
    marker = root / "complete.json"
    store = root / "store" / ".artifactctl"
    if marker.is_file() and _count_versions(b, store) == LS_VERSIONS:
        return store, json.loads(marker.read_text())["how"]
    workloads.rmtree(root)
    root.mkdir(parents=True)
    (root / "src").mkdir()
    if b.run_untimed([b.actl, "init", root / "store"]) is None:
        return None, "artifactctl init failed"
    log(f"building a store with {LS_VERSIONS:,} versions for the ls case (cached) ...")
    script = root / "build.py"
    script.write_text(LS_BUILD_SCRIPT)
    start = time.perf_counter()
    argv = [actl_python(b), script, store, str(LS_VERSIONS), LS_ARTIFACT, root / "src"]
    done = measure.run(argv, env=b.env(), timeout=STEP_TIMEOUT)
    seconds = time.perf_counter() - start
    if not done.ok:
        return None, f"building the versions with the Python API failed: {done.why()}"
    count = _count_versions(b, store)
    if count != LS_VERSIONS:
        return None, f"built {LS_VERSIONS:,} versions, but `ls --json` lists {count:,}"
    how = (
        f"store built once with the Python API: {LS_VERSIONS:,} log_artifact calls, {seconds:.0f} s"
    )
    marker.write_text(json.dumps({"how": how}))
    return store, how


def chain_startup(b: Bench) -> None:
    """`artifactctl --version`, `ls` of an artifact with many versions, and python startup."""
    if b.wants("version") or b.wants("ls") or b.wants("ls-table"):
        sample = measure.run([actl_python(b), "-c", "pass"], env=b.env())
        b.series(report.floor_case("python startup", ""), "floor").samples.append(sample)
    if not b.actl_ok:
        for case in ("version", "ls", "ls-table"):
            if b.wants(case):
                b.series(case, ACTL).add_error(f"not run: no CLI at {b.actl}")
        return
    b.timed("version", ACTL, [b.actl, "--version"])
    if b.wants("ls") or b.wants("ls-table"):
        store = b.meta.get("ls_store")
        for case, args in (("ls", report.LS_ARGS), ("ls-table", report.LS_TABLE_ARGS)):
            if not b.wants(case):
                continue
            spent = sum(x.wall for x in b.series(case, ACTL).samples)
            if spent > SLOW_STARTUP_BUDGET:
                b.series(case, ACTL).add_note(
                    f"repeated fewer times: its runs took over {SLOW_STARTUP_BUDGET:.0f} s in all"
                )
            elif isinstance(store, str):
                b.timed(case, ACTL, [b.actl, "--store", store, *args])
                b.series(case, ACTL).add_note(str(b.meta.get("ls_how")))
            else:
                b.series(case, ACTL).add_error(f"not run: {b.meta.get('ls_how')}")


# ---------------------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--peers", action="store_true", help="also measure DVC and W&B offline")
    p.add_argument("--huge", action="store_true", help="also the 1,000,000-file huge-tree cases")
    p.add_argument("--repeat", type=int, default=3, help="timed runs per case (default 3)")
    p.add_argument(
        "--cases",
        nargs="+",
        default=None,
        metavar="PATTERN",
        help="case ids or shell patterns, e.g. 'put-*' '*-many' version (default: all)",
    )
    p.add_argument("--out", type=Path, default=HERE / "RESULTS.md", help="report file")
    p.add_argument(
        "--artifactctl",
        type=Path,
        default=REPO / ".venv" / "bin" / "artifactctl",
        help="the CLI to measure (default: .venv/bin/artifactctl of the repo)",
    )
    p.add_argument("--work", type=Path, default=HERE / ".work", help=argparse.SUPPRESS)
    p.add_argument("--list", action="store_true", help="list the case ids and exit")
    p.add_argument(
        "--rerender",
        type=Path,
        metavar="JSON",
        help="only re-render --out from a saved bench/.work/last-results.json",
    )
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    all_ids = [c for c, spec in report.CASES.items() if args.huge or spec.workload != "huge-tree"]
    if args.cases:
        chosen = [c for c in all_ids if any(fnmatch.fnmatch(c, pat) for pat in args.cases)]
        if not chosen:
            p.error(f"no case matches {args.cases}; cases: {', '.join(all_ids)}")
        args.case_ids = chosen
    else:
        args.case_ids = all_ids
    args.work = args.work.resolve()
    args.artifactctl = args.artifactctl.absolute()
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.list:
        for case, spec in report.CASES.items():
            print(f"{case:24} {spec.label}")
        return 0
    if args.rerender:
        results, meta = load_raw(args.rerender)
        args.out.write_text(report.render_markdown(results, meta, peers_run=bool(meta["peers"])))
        print(report.render_console(results, meta, peers_run=bool(meta["peers"])))
        return 0
    started = time.perf_counter()
    b = Bench(args)
    b.runs.mkdir(parents=True, exist_ok=True)
    for old in b.runs.iterdir():  # left by an interrupted run
        b.remove(old)
    b.empty_trash()
    b.wait_out_deletions()
    b.meta.update(report.machine(b.work))
    b.meta["command"] = shlex.join(sys.orig_argv)
    b.meta["repeat"] = args.repeat
    b.meta["rss_method"] = measure.rss_method()
    if not floors.have_xxhash(b.floor_python):
        other = actl_python(b)
        if other != b.floor_python and floors.have_xxhash(other):
            b.floor_python = other
    b.meta["xxhash"] = floors.have_xxhash(b.floor_python)
    b.meta["floor_python"] = b.floor_python
    if b.actl_ok:
        v = measure.run([b.actl, "--version"], env=b.env())  # untimed warm-up, and the version
        b.meta["artifactctl_version"] = v.stdout.strip() if v.ok else f"--version failed: {v.why()}"
    else:
        b.meta["artifactctl_version"] = f"not found at {b.actl}"
    log(f"artifactctl: {b.meta['artifactctl_version']}")

    if args.peers:
        b.peer_status = peers.setup(log)
        for name, status in b.peer_status.items():
            log(f"{name}: {status}")
    b.meta["peers"] = dict(b.peer_status) if args.peers else None

    wls: dict[str, Workload] = {}
    for name in ("many", "large", "huge-tree"):
        if b.wants_workload(name):
            wls[name] = workloads.ensure(name, b.work, log)
            measure.run([sys.executable, floors.HERE / "floors.py", "read", wls[name].path])
    b.meta["workloads"] = {
        n: {
            "files": wl.files,
            "bytes": wl.bytes,
            "generated_s": wl.seconds_to_generate,
            "cached": wl.cached,
        }
        for n, wl in wls.items()
    }
    if (b.wants("ls") or b.wants("ls-table")) and b.actl_ok:
        store, how = ls_store(b)
        b.meta["ls_store"] = str(store) if store else None
        b.meta["ls_how"] = how

    log("warm-up: every chain once, untimed, on a 40-file tree (byte-code, imports, caches)")
    tiny = dataclasses.replace(workloads.ensure("tiny", b.work, log), name="many")
    with b.warming():
        chain_floors(b, tiny)
        chain_artifactctl(b, tiny)
        if args.peers:
            for tool in (peers.DVC, peers.WANDB, peers.WANDB_IMMUTABLE):
                run_peer(b, tool, tiny)
        chain_startup(b)
    b.meta["load_start"] = os.getloadavg()

    for name, wl in wls.items():
        repeats = 1 if name == "huge-tree" else args.repeat
        for rep in range(repeats):
            log(f"[{name}] repeat {rep + 1}/{repeats}")
            chain_floors(b, wl)
            chain_artifactctl(b, wl)
            if not args.peers:
                continue
            if name == "huge-tree":
                for case in b.cases:
                    if report.CASES[case].workload == name:
                        for tool in (peers.DVC, peers.WANDB):
                            b.series(case, tool).na = "not run: peers skip huge-tree (hours)"
                continue
            for tool in (peers.DVC, peers.WANDB, peers.WANDB_IMMUTABLE):
                run_peer(b, tool, wl)
    if any(b.wants(c) for c in ("version", "ls", "ls-table")):
        log("[startup]")
        for _ in range(max(5, args.repeat)):
            chain_startup(b)

    b.meta["load_end"] = os.getloadavg()
    b.meta["total_s"] = time.perf_counter() - started
    text = report.render_markdown(b.results, b.meta, peers_run=args.peers)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    save_raw(b.work / "last-results.json", b.results, b.meta)
    print(report.render_console(b.results, b.meta, peers_run=args.peers))
    log(f"wrote {args.out} in {b.meta['total_s']:.0f} s")
    b.empty_trash()
    return 0


def save_raw(path: Path, results: dict[tuple[str, str], Series], meta: dict[str, object]) -> None:
    raw = {
        "meta": meta,
        "series": [
            {
                "case": s.case,
                "tool": s.tool,
                "na": s.na,
                "errors": s.errors,
                "notes": s.notes,
                "extra": s.extra,
                "samples": [
                    {
                        "wall": x.wall,
                        "cpu": x.cpu,
                        "maxrss_kib": x.maxrss_kib,
                        "rc": x.rc,
                        "timed_out": x.timed_out,
                    }
                    for x in s.samples
                ],
            }
            for s in results.values()
        ],
    }
    path.write_text(json.dumps(raw, indent=1, default=str))


def load_raw(path: Path) -> tuple[dict[tuple[str, str], Series], dict[str, object]]:
    raw = json.loads(path.read_text())
    results: dict[tuple[str, str], Series] = {}
    for d in raw["series"]:
        samples = [Sample(**x) for x in d.pop("samples")]
        results[(d["case"], d["tool"])] = Series(**d, samples=samples)
    return results, raw["meta"]


def run_peer(b: Bench, tool: str, wl: Workload) -> None:
    """Run one peer chain; a peer that is missing or crashes is reported, never fatal."""
    name = "dvc" if tool == peers.DVC else "wandb"
    if not b.peer_ok(name):
        b.skip_rest(tool, wl.name, f"{name} unavailable: {b.peer_status.get(name)}")
        return
    try:
        if tool == peers.DVC:
            peers.chain_dvc(b, wl)
        else:
            peers.chain_wandb(b, wl, "immutable" if tool == peers.WANDB_IMMUTABLE else "default")
    except Exception as exc:  # a peer's failure must not end the run
        b.fail_all(tool, wl.name, f"harness error in the {tool} chain: {exc!r}")
        log(f"  {tool} chain crashed: {exc!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
