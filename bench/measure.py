"""Run one command the way a user's shell would, and measure it.

Wall time is time.perf_counter() around fork/exec and wait. CPU time and memory come from wait4 on
the child: ru_utime + ru_stime, and ru_maxrss, the peak resident set of the largest single process
of the tree (KiB; wait4 folds in the descendants the child waited for), not the sum of processes
that ran at the same time.

That wait4 runs inside GNU time (`/usr/bin/time -f "%M %U %S"`) when it is installed: a process
forked straight from this harness inherits the harness's own peak RSS at exec (Linux folds the old
address space's high-water mark into ru_maxrss), which would put a ~25 MB floor under every
number. Without /usr/bin/time the harness calls os.wait4 itself and says so in the report.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

TAIL = 4000
GNU_TIME = "/usr/bin/time"


def rss_method() -> str:
    if os.access(GNU_TIME, os.X_OK):
        return "GNU time (wait4 in a small parent process)"
    return "os.wait4 in the harness (includes the harness's own ~25 MB at fork)"


@dataclass
class Sample:
    """One timed run of one command."""

    wall: float
    maxrss_kib: int
    rc: int
    cpu: float = 0.0  # user + system seconds of the tree (the reaped part of it)
    stdout: str = field(repr=False, default="")
    stderr: str = field(repr=False, default="")
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.rc == 0 and not self.timed_out

    def why(self) -> str:
        """A one-line account of a failure, for the report."""
        if self.timed_out:
            return f"timed out after {self.wall:.0f} s"
        tail = (self.stderr.strip() or self.stdout.strip()).splitlines()[-3:]
        return f"exit {self.rc}: " + " | ".join(line.strip() for line in tail)[:300]


def run(
    argv: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> Sample:
    """Run argv to completion (stdin closed, output to temp files) and measure it."""
    use_time = os.access(GNU_TIME, os.X_OK)
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(prefix="bench-rss-") as rss,
    ):
        cmd = [str(a) for a in argv]
        if use_time:
            cmd = [GNU_TIME, "-f", "%M %U %S", "-o", rss.name, *cmd]
        timed_out = threading.Event()
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                cmd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                start_new_session=True,
            )
        except OSError as exc:
            return Sample(time.perf_counter() - start, 0, 127, "", f"cannot start: {exc}")

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if timed_out.is_set():  # the group may hold stragglers (daemons) after a kill
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        maxrss = usage.ru_maxrss
        cpu = usage.ru_utime + usage.ru_stime
        if use_time:
            maxrss, cpu = _parse_time(Path(rss.name).read_text())
        return Sample(
            wall=wall,
            maxrss_kib=maxrss,
            cpu=cpu,
            rc=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace")[-TAIL:],
            timed_out=timed_out.is_set(),
        )


def _parse_time(text: str) -> tuple[int, float]:
    """GNU time's "%M %U %S" line (after a "Command exited with ..." line on failure)."""
    for line in reversed(text.strip().splitlines()):
        parts = line.split()
        if len(parts) == 3 and parts[0].isdigit():
            try:
                return int(parts[0]), float(parts[1]) + float(parts[2])
            except ValueError:
                break
    return 0, 0.0


@dataclass
class Series:
    """All samples of one case for one tool, plus what went wrong and what to note."""

    case: str
    tool: str
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: list[dict[str, float]] = field(default_factory=list)
    na: str | None = None

    def add_error(self, text: str) -> None:
        if text not in self.errors:
            self.errors.append(text)

    def add_note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def good(self) -> list[Sample]:
        return [s for s in self.samples if s.ok]

    @property
    def median(self) -> float | None:
        good = self.good
        return statistics.median(s.wall for s in good) if good else None

    @property
    def min(self) -> float | None:
        good = self.good
        return min(s.wall for s in good) if good else None

    @property
    def max(self) -> float | None:
        good = self.good
        return max(s.wall for s in good) if good else None

    @property
    def cpu_median(self) -> float | None:
        good = self.good
        return statistics.median(s.cpu for s in good) if good else None

    @property
    def peak_rss_mb(self) -> float | None:
        """Peak RSS in MB (10**6 bytes) over the good samples."""
        good = self.good
        return max(s.maxrss_kib for s in good) * 1024 / 1e6 if good else None
