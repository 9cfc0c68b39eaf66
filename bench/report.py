"""The case catalog, the targets, and the two renderings of one run: console and RESULTS.md.

Ratios, everywhere the same way round:
- vs floor = artifactctl time / floor time (1.0 = as fast as the machine's own tool; lower is
  better; a target says "<= 1.2x cp -r").
- vs peer = peer time / artifactctl time ("8.0x faster"; higher is better).
All from medians of the repeats.
"""

from __future__ import annotations

import datetime
import os
import platform
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from measure import Series

ACTL = "artifactctl"
DVC = "dvc"
WANDB = "wandb"
WANDB_IMMUTABLE = "wandb immutable"
FLOOR = "floor"
PEER_TOOLS = (DVC, WANDB, WANDB_IMMUTABLE)
NOT_RUN_PEERS = "not run (make bench-peers)"
LS_ARGS = ["ls", "tiny", "--json"]
LS_TABLE_ARGS = ["ls", "tiny"]


@dataclass(frozen=True)
class CaseSpec:
    label: str
    workload: str  # "" for the start-up cases
    floor: str  # the floor this case is compared with: "cp -r", "stat walk", ... ("" for none)
    vs_hash: bool = False  # also compare with one xxh3 read of the same bytes

    def floor_cases(self) -> set[str]:
        """The floor cases (floor name + workload) this case needs measured."""
        names = {self.floor} if self.floor else set()
        if self.vs_hash:
            names.add("xxh3 read")
        return {floor_case(n, self.workload) for n in names}


def floor_case(name: str, workload: str) -> str:
    return f"{name} {workload}".strip()


def _cases() -> dict[str, CaseSpec]:
    cases: dict[str, CaseSpec] = {}
    for w in ("many", "large", "huge-tree"):
        cases[f"put-{w}"] = CaseSpec(f"put {w}", w, "cp -r", vs_hash=True)
        cases[f"noop-{w}"] = CaseSpec(f"no-op put {w}", w, "stat walk")
        if w == "many":
            cases[f"mutate-{w}"] = CaseSpec(f"put after mutate {w}", w, "")
        if w != "huge-tree":
            cases[f"get-copy-{w}"] = CaseSpec(f"get {w} (copy)", w, "cp -r")
        cases[f"get-hardlink-{w}"] = CaseSpec(f"get {w} (hardlink)", w, "cp -al")
        if w == "many":  # the first hardlink get gives packed blobs their loose files, once
            cases[f"get-hardlink-again-{w}"] = CaseSpec(f"get {w} (hardlink, again)", w, "cp -al")
        if w == "large":  # the file becomes the blob: one read to hash, no copy
            cases[f"put-link-{w}"] = CaseSpec(f"put {w} --link hardlink", w, "xxh3 read")
        if w != "huge-tree":
            cases[f"verify-{w}"] = CaseSpec(f"verify {w}", w, "xxh3 read")
    cases["version"] = CaseSpec("--version", "", "python startup")
    cases["ls"] = CaseSpec("ls --json (10,000 versions)", "", "python startup")
    cases["ls-table"] = CaseSpec("ls table (10,000 versions)", "", "python startup")
    return cases


CASES = _cases()


# ---------------------------------------------------------------------------------------------
# targets (from the project issue)


@dataclass(frozen=True)
class Check:
    """One number a target row asks for."""

    kind: str  # "peer" (peer/actl >= x), "floor" (actl/floor <= x), "abs" (s <= x), "rss" (MB)
    case: str
    limit: float
    ref: str = ""  # the peer tool, or the floor name
    label: str = ""


TARGETS: list[tuple[str, list[Check], list[Check], list[Check]]] = [
    (
        "put many",
        [Check("peer", "put-many", 8, DVC)],
        [Check("peer", "put-many", 10, WANDB)],
        [Check("floor", "put-many", 1.2, "cp -r")],
    ),
    (
        "put large",
        [Check("peer", "put-large", 4, DVC)],
        [Check("peer", "put-large", 4, WANDB)],
        [
            Check("floor", "put-large", 1.3, "cp -r"),
            Check("floor", "put-link-large", 1.5, "xxh3 read", "put --link hardlink"),
        ],
    ),
    (
        "no-op put many",
        [Check("peer", "noop-many", 10, DVC)],
        [Check("peer", "noop-many", 40, WANDB)],
        [Check("floor", "noop-many", 3, "stat walk")],
    ),
    (
        "put after mutate",
        [Check("peer", "mutate-many", 8, DVC)],
        [Check("peer", "mutate-many", 30, WANDB)],
        [],
    ),
    (
        "get many",
        [
            Check("peer", "get-copy-many", 8, DVC, "copy"),
            Check("peer", "get-hardlink-many", 10, DVC, "hardlink vs DVC hardlink"),
        ],
        [],
        [
            Check("floor", "get-copy-many", 1.3, "cp -r", "copy"),
            Check("floor", "get-hardlink-many", 1.5, "cp -al", "hardlink"),
            Check("floor", "get-hardlink-again-many", 1.5, "cp -al", "hardlink, again"),
        ],
    ),
    (
        "get large",
        [Check("peer", "get-copy-large", 1.5, DVC)],
        [],
        [Check("floor", "get-copy-large", 1.2, "cp -r")],
    ),
    (
        "--version, ls",
        [],
        [],
        [
            Check("abs", "version", 0.150, label="--version"),
            Check("abs", "ls", 0.150, label="ls --json"),
            Check("abs", "ls-table", 0.150, label="ls table"),
        ],
    ),
    ("memory", [], [], [Check("rss", "*-huge-tree", 300, label="huge-tree")]),
]


def _get(results: dict[tuple[str, str], Series], case: str, tool: str) -> Series | None:
    return results.get((case, tool))


def ratio_vs_floor(results: dict[tuple[str, str], Series], case: str, floor: str) -> float | None:
    actl = _get(results, case, ACTL)
    spec = CASES[case]
    ref = _get(results, floor_case(floor, spec.workload), FLOOR)
    if actl is None or ref is None or actl.median is None or not ref.median:
        return None
    return actl.median / ref.median


def ratio_vs_peer(results: dict[tuple[str, str], Series], case: str, tool: str) -> float | None:
    actl = _get(results, case, ACTL)
    peer = _get(results, case, tool)
    if actl is None or peer is None or actl.median is None or peer.median is None:
        return None
    return peer.median / actl.median if actl.median > 0 else None


def _evaluate(check: Check, results: dict[tuple[str, str], Series], peers_run: bool) -> str:
    suffix = f" ({check.label})" if check.label else ""
    if check.kind == "peer":
        if not peers_run:
            return NOT_RUN_PEERS
        r = ratio_vs_peer(results, check.case, check.ref)
        if r is None:
            return "no data" + suffix + _why(results, check.case, check.ref)
        ok = r >= check.limit
        return f"{'met' if ok else 'MISSED'}: {fmt_speedup(r)} (>= {check.limit:g}x){suffix}"
    if check.kind == "floor":
        r = ratio_vs_floor(results, check.case, check.ref)
        if r is None:
            return "no data" + suffix + _why(results, check.case, ACTL)
        ok = r <= check.limit
        return f"{'met' if ok else 'MISSED'}: {r:.2f}x {check.ref} (<= {check.limit:g}x){suffix}"
    if check.kind == "abs":
        s = _get(results, check.case, ACTL)
        if s is None or s.median is None:
            return "no data" + suffix + _why(results, check.case, ACTL)
        ok = s.median <= check.limit
        verdict = "met" if ok else "MISSED"
        return f"{verdict}: {s.median * 1000:.0f} ms (<= {check.limit * 1000:.0f} ms){suffix}"
    # rss: the largest peak over the matching cases
    peaks = [
        s.peak_rss_mb
        for (case, tool), s in results.items()
        if tool == ACTL and CASES.get(case) and _match(case, check.case) and s.peak_rss_mb
    ]
    if not peaks:
        return "not run (bench/run.py --huge)" + suffix
    peak = max(p for p in peaks if p is not None)
    ok = peak <= check.limit
    return f"{'met' if ok else 'MISSED'}: {peak:.0f} MB (<= {check.limit:g} MB){suffix}"


def _match(case: str, pattern: str) -> bool:
    import fnmatch

    return fnmatch.fnmatch(case, pattern)


def _why(results: dict[tuple[str, str], Series], case: str, tool: str) -> str:
    s = _get(results, case, tool)
    if s is None:
        return ""
    if s.na:
        return f": {s.na}"
    if s.errors:
        return f": {s.errors[0][:120]}"
    return ""


# ---------------------------------------------------------------------------------------------
# formatting helpers


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    if x < 1:
        return f"{x * 1000:.0f} ms"
    return f"{x:.2f} s"


def fmt_series(s: Series | None, peers_run: bool = True, peer: bool = False) -> str:
    if s is None:
        return NOT_RUN_PEERS if peer and not peers_run else "-"
    if s.na:
        return s.na.split(":")[0]
    if s.median is None:
        return "FAILED" if s.samples else "not run"
    text = fmt_s(s.median)
    if len(s.good) > 1:
        text += f" ({fmt_s(s.min)}–{fmt_s(s.max)})"
    if len(s.good) < len(s.samples):
        text += f" [{len(s.samples) - len(s.good)} failed]"
    return text


def fmt_speedup(r: float | None) -> str:
    if r is None:
        return "-"
    return f"{r:.1f}x faster" if r >= 1 else f"{1 / r:.1f}x slower"


def fmt_cpu(s: Series | None) -> str:
    return "-" if s is None or s.cpu_median is None else f"{s.cpu_median:.2f}"


def fmt_rss(s: Series | None) -> str:
    return "-" if s is None or s.peak_rss_mb is None else f"{s.peak_rss_mb:.0f}"


def _table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return out


def _peer_cell(
    results: dict[tuple[str, str], Series], case: str, tool: str, peers_run: bool
) -> tuple[str, str]:
    if not peers_run:
        return NOT_RUN_PEERS, "-"
    s = _get(results, case, tool)
    if s is None:
        return "-", "-"
    if s.na:
        return s.na.split(":")[0], "-"
    return fmt_series(s), fmt_speedup(ratio_vs_peer(results, case, tool))


def _case_rows(results: dict[tuple[str, str], Series], peers_run: bool) -> list[list[str]]:
    rows: list[list[str]] = []
    for case, spec in CASES.items():
        tools = {tool for (c, tool) in results if c == case}
        if not tools:
            continue
        actl = _get(results, case, ACTL)
        floor_s = (
            _get(results, floor_case(spec.floor, spec.workload), FLOOR) if spec.floor else None
        )
        vs_floor = "-"
        if spec.floor and floor_s is not None and floor_s.median is not None:
            r = ratio_vs_floor(results, case, spec.floor)
            vs_floor = f"{r:.2f}x {spec.floor}" if r is not None else "-"
        vs_hash = "-"
        if spec.vs_hash:
            r = ratio_vs_floor(results, case, "xxh3 read")
            vs_hash = f"{r:.2f}x" if r is not None else "-"
        dvc, dvc_r = _peer_cell(results, case, DVC, peers_run)
        wb, wb_r = _peer_cell(results, case, WANDB, peers_run)
        rows.append(
            [
                spec.label,
                fmt_series(actl),
                fmt_cpu(actl),
                fmt_rss(actl),
                f"{spec.floor}: {fmt_s(floor_s.median)}" if floor_s and floor_s.median else "-",
                vs_floor,
                vs_hash,
                dvc,
                dvc_r,
                wb,
                wb_r,
            ]
        )
    return rows


# ---------------------------------------------------------------------------------------------
# machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return 0.0


def _fs_type(path: Path) -> str:
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            mount = parts[1].replace("\\040", " ")
            inside = str(path) == mount or str(path).startswith(mount.rstrip("/") + "/")
            if inside and len(mount) >= len(best):
                best, kind = mount, parts[2]
    except (OSError, IndexError):
        pass
    return kind


def machine(work: Path) -> dict[str, object]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": round(_ram_gib(), 1),
        "fs": _fs_type(work.resolve()),
        "work": str(work),
        "python": sys.version.split()[0],
        "python_exe": sys.executable,
        "kernel": platform.release(),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


# ---------------------------------------------------------------------------------------------
# renderings


def render_markdown(
    results: dict[tuple[str, str], Series], meta: dict[str, object], peers_run: bool
) -> str:
    m = meta
    lines = ["# artifactctl benchmark results", ""]
    lines += [
        "Generated by `bench/run.py` (see `bench/README.md` for what each case does and how to "
        "read the ratios). Warm page cache; medians of the repeats, with (min–max).",
        "",
        f"- command: `{m.get('command')}`",
        f"- date: {m.get('date')}; total run time {float(str(m.get('total_s', 0))):.0f} s",
        f"- machine: {m.get('cpu')}, {m.get('cores')} cores, {m.get('ram_gib')} GiB RAM, "
        f"kernel {m.get('kernel')}",
        f"- work directory: `{_rel(m.get('work'))}` on {m.get('fs')}",
        f"- harness Python {m.get('python')} (`{_rel(m.get('python_exe'))}`); floors run with "
        f"`{_rel(m.get('floor_python'))}`",
        f"- artifactctl: {m.get('artifactctl_version')}",
    ]
    peer_meta = m.get("peers")
    if isinstance(peer_meta, dict):
        for name, status in peer_meta.items():
            lines.append(f"- {name}: {status}")
    else:
        lines.append("- peers: not run (make bench-peers)")
    wls = m.get("workloads")
    if isinstance(wls, dict):
        for name, info in wls.items():
            lines.append(
                f"- workload {name}: {info['files']:,} files, {info['bytes'] / 2**20:,.1f} MiB"
            )
    lines.append(f"- repeats: {m.get('repeat')} (huge-tree: 1; --version and ls: at least 5)")
    lines.append(f"- CPU time and peak RSS: {m.get('rss_method')}")
    lines.append(
        f"- load average (1, 5, 15 min) at start: {_load(m.get('load_start'))}; at end: "
        f"{_load(m.get('load_end'))}"
    )
    since = m.get("since_bulk_delete_s")
    if isinstance(since, int | float):
        lines.append(
            f"- the last bulk deletion in bench/.work ({m.get('bulk_deleted_files'):,} files) "
            f"ended {since:.0f} s before this run started"
            + (
                " (less than ext4's 360 s dirty-block window: create-heavy numbers, cp -r "
                "included, may be inflated; see Method)"
                if since < 360
                else ""
            )
        )
    cores = m.get("cores")
    loads = [m.get("load_start"), m.get("load_end")]
    if isinstance(cores, int) and any(isinstance(x, tuple | list) and x[0] > cores for x in loads):
        lines += [
            "",
            f"> **The machine was busy** (load average above its {cores} cores): other work "
            "competed with every tool and floor alike. Absolute times are inflated and noisy; "
            "the CPU column and the ratios suffer less. Re-run on an idle machine for the record.",
        ]
    lines += ["", "## Targets", ""]
    rows = []
    for label, dvc, wb, fl in TARGETS:
        cells = []
        for checks in (dvc, wb, fl):
            texts = dict.fromkeys(_evaluate(c, results, peers_run) for c in checks)
            cells.append("; ".join(texts) or "-")
        rows.append([label, *cells])
    lines += _table(["case", "vs DVC (default)", "vs W&B offline (default)", "vs floor"], rows)
    lines += ["", "## Results", ""]
    lines += [
        "artifactctl time is the median (min–max) of the repeats; RSS is the peak resident set "
        "of the largest process, in MB. *vs floor* = artifactctl ÷ floor (lower is better); "
        "*vs xxh3* = artifactctl ÷ one single-threaded xxh3-128 read of the same bytes; "
        "*vs DVC*, *vs W&B* = peer ÷ artifactctl.",
        "",
    ]
    header = [
        "case",
        "artifactctl",
        "CPU s",
        "RSS MB",
        "floor",
        "vs floor",
        "vs xxh3",
        "DVC",
        "vs DVC",
        "W&B offline",
        "vs W&B",
    ]
    lines += _table(header, _case_rows(results, peers_run))
    lines += ["", "## Floors", ""]
    floor_rows = [
        [s.case, fmt_series(s), fmt_cpu(s), fmt_rss(s)]
        for (_c, tool), s in sorted(results.items())
        if tool == FLOOR
    ]
    lines += _table(["floor", "time", "CPU s", "RSS MB"], floor_rows)
    if peers_run:
        lines += ["", "## Peers in detail", ""]
        lines += [
            "DVC in the hardlink rows runs with `dvc config cache.type hardlink`; every other "
            "DVC row uses the default cache.type (reflink, else copy). *W&B parts* are the "
            "medians the W&B script timed inside itself: import, wandb.init, add_dir, "
            "log_artifact + finish.",
            "",
        ]
        peer_rows = []
        for case, spec in CASES.items():
            for tool in PEER_TOOLS:
                s = _get(results, case, tool)
                if s is None or (s.na and tool == WANDB_IMMUTABLE):
                    continue
                parts = _parts(s)
                peer_rows.append(
                    [
                        spec.label,
                        tool,
                        fmt_series(s),
                        fmt_cpu(s),
                        fmt_rss(s),
                        fmt_speedup(ratio_vs_peer(results, case, tool)),
                        parts or (s.na or ""),
                    ]
                )
        header = ["case", "tool", "time", "CPU s", "RSS MB", "artifactctl is", "notes"]
        lines += _table(header, peer_rows)
    problems = [
        f"- **{CASES[s.case].label if s.case in CASES else s.case}** ({s.tool}): {e}"
        for s in results.values()
        for e in s.errors
    ]
    notes = [
        f"- {CASES[s.case].label if s.case in CASES else s.case} ({s.tool}): {n}"
        for s in results.values()
        for n in s.notes
    ]
    lines += ["", "## Problems seen", ""]
    lines += problems or ["None."]
    if notes:
        lines += ["", "## Notes", "", *notes]
    lines += ["", "## Method", "", *METHOD]
    return "\n".join(lines) + "\n"


def _load(x: object) -> str:
    if isinstance(x, tuple | list):
        return ", ".join(f"{v:.2f}" for v in x)
    return "-"


def _parts(s: Series) -> str:
    if not s.extra:
        return ""
    import statistics

    keys = [k for k in s.extra[0] if k != "entries"]
    med: Callable[[str], float] = lambda k: statistics.median(e.get(k, 0.0) for e in s.extra)  # noqa: E731
    return "W&B parts: " + ", ".join(f"{k} {fmt_s(med(k))}" for k in keys)


METHOD = [
    "- Every command runs as a subprocess, the way a user or a Makefile runs it (stdin closed, "
    "output to files, `NO_COLOR=1`); wall time is measured around start and wait; CPU time "
    "(user + system) and peak RSS come from `wait4` (via GNU time when installed): the largest "
    "single process of the tree, including the children it reaped.",
    "- Warm page cache: each workload is read once, untimed, and every chain runs once, untimed, "
    "on a 40-file tree before anything is timed (dropping caches needs root on a shared "
    "machine). `sync` runs untimed before each timed command. Python byte-code is cached in "
    "`bench/.work/pycache` (`PYTHONPYCACHEPREFIX`) for every Python tool alike.",
    "- Trees are never deleted during a run: they are moved to `bench/.work/trash` and deleted "
    "at its end (the next run waits until they are 65 s old). This file system is ext4 without "
    "a journal, which skips inodes freed in the last 60 s when it allocates new ones: creating "
    "20,000 files right after deleting 20,000 took 10-20 s of system time instead of ~1 s.",
    "- Each tool gets a fresh store and a fresh working copy (`cp -r`) per repeat; within a "
    "repeat the steps run in order: put, no-op put, get (copy), verify, get (hardlink), put "
    "after mutate (1% of files rewritten, 1% added, 1% deleted). Tools run alternately.",
    "- Floors run in the same run: `cp -r`, `cp -al`, one single-threaded xxh3-128 read of every "
    "byte (1 MiB chunks), and an `os.walk` + `os.stat` of every file; the Python floors pay "
    "interpreter start-up like the tools do.",
    "- W&B runs offline (`WANDB_MODE=offline`): put stages and hashes files locally; nothing is "
    "uploaded, and get/verify need a server, so they are n/a. DVC runs with analytics off.",
]


def render_console(
    results: dict[tuple[str, str], Series], meta: dict[str, object], peers_run: bool
) -> str:
    rows = [
        [r[0], r[1], r[2], r[3], r[5], r[8] if peers_run else "-", r[10] if peers_run else "-"]
        for r in _case_rows(results, peers_run)
    ]
    header = ["case", "artifactctl", "CPU s", "RSS MB", "vs floor", "vs DVC", "vs W&B"]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    out = ["", "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))]
    out += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    out += ["", "targets:"]
    for label, dvc, wb, fl in TARGETS:
        for c in dvc + wb + fl:
            out.append(f"  {label:16} {_evaluate(c, results, peers_run)}")
    if not peers_run:
        out.append("  (peer targets: run `make bench-peers`)")
    return "\n".join(out)


def _rel(path: object) -> str:
    """A path relative to the repository (results are committed; machine paths are not)."""
    import os

    text = str(path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.relpath(text, root) if text.startswith(root + os.sep) else text
