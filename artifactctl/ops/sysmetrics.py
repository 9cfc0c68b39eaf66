"""System metrics, read straight from /proc (no psutil): process CPU % and RSS, system memory
%, disk use of a directory, and per-GPU utilisation, memory and temperature from
``nvidia-smi`` when it exists. Anything that cannot be read is skipped quietly."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_INTERVAL = 15.0
_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    # after the command: state(0) ... utime(11) stime(12) cutime(13) cstime(14)
    try:
        return sum(int(fields[i]) for i in (11, 12, 13, 14)) / _TICKS
    except (IndexError, ValueError):
        return None


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 3)
    except (OSError, ValueError, IndexError):
        return None
    return None


def _memory_percent() -> float | None:
    info: dict[str, int] = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, rest = line.partition(":")
            info[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    total, avail = info.get("MemTotal"), info.get("MemAvailable")
    if not total or avail is None:
        return None
    return round(100.0 * (total - avail) / total, 2)


def _disk(path: str) -> dict[str, float]:
    try:
        st = os.statvfs(path)
    except OSError:
        return {}
    total = st.f_blocks * st.f_frsize
    free = st.f_bavail * st.f_frsize
    used = total - st.f_bfree * st.f_frsize
    if not total:
        return {}
    return {
        "disk_percent": round(100.0 * used / (used + free), 2) if used + free else 0.0,
        "disk_used_gb": round(used / 1e9, 3),
    }


def _gpus() -> dict[str, float]:
    exe = shutil.which("nvidia-smi")
    if not exe:
        return {}
    try:
        proc = subprocess.run(
            [
                exe,
                "--query-gpu=utilization.gpu,memory.used,memory.total,temperature.gpu",
                "--format=csv,noheader,nounits",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    out: dict[str, float] = {}
    if proc.returncode != 0:
        return out
    names = ("utilization_percent", "memory_used_mb", "memory_total_mb", "temperature_c")
    for i, line in enumerate(proc.stdout.strip().splitlines()):
        for name, raw in zip(names, line.split(","), strict=False):
            try:
                out[f"gpu/{i}/{name}"] = float(raw.strip())
            except ValueError:
                continue
    return out


class SystemSampler:
    """Samples one process (``pid``) and the machine; CPU % is over the time between samples."""

    def __init__(self, pid: int, cwd: str, *, monotonic: Callable[[], float] = time.monotonic):
        self.pid = pid
        self.cwd = cwd
        self.monotonic = monotonic
        self._last: tuple[float, float] | None = None
        cpu = _cpu_seconds(pid)
        if cpu is not None:
            self._last = (monotonic(), cpu)

    def sample(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        cpu = _cpu_seconds(self.pid)
        now = self.monotonic()
        if cpu is not None and self._last is not None and now > self._last[0]:
            out["cpu_percent"] = round(100.0 * (cpu - self._last[1]) / (now - self._last[0]), 2)
        if cpu is not None:
            self._last = (now, cpu)
        rss = _rss_mb(self.pid)
        if rss is not None:
            out["rss_mb"] = rss
        mem = _memory_percent()
        if mem is not None:
            out["memory_percent"] = mem
        out.update(_disk(self.cwd))
        out.update(_gpus())
        return out


class SystemMetricsThread(threading.Thread):
    """Calls ``emit(sample)`` every ``interval`` seconds until :meth:`stop`."""

    def __init__(
        self, sampler: SystemSampler, emit: Callable[[dict[str, Any]], None], interval: float
    ) -> None:
        super().__init__(name="artifactctl-system-metrics", daemon=True)
        self.sampler = sampler
        self.emit = emit
        self.interval = interval
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                sample = self.sampler.sample()
                if sample:
                    self.emit(sample)
            except Exception:  # never let a sampling problem disturb the run
                continue

    def stop(self) -> None:
        self._stop_event.set()
