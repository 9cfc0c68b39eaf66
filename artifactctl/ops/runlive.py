"""A live run's background work: heartbeat every 30 s, flushing buffered metrics that have
waited a second, and (opt-in) system metrics every 15 s into the ``system`` stream."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable

from artifactctl.catalog import history as hq
from artifactctl.errors import ArtifactctlError
from artifactctl.ops.metrics import MetricsWriter
from artifactctl.ops.runs import HEARTBEAT_SECONDS
from artifactctl.ops.sysmetrics import DEFAULT_INTERVAL, SystemMetricsThread, SystemSampler


class LiveRun:
    def __init__(
        self,
        writer: MetricsWriter,
        *,
        start_ts: float,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
        system_metrics: bool = False,
        system_interval: float = DEFAULT_INTERVAL,
        pid: int | None = None,
        cwd: str = ".",
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.writer = writer
        self.start_ts = start_ts
        self.heartbeat_seconds = heartbeat_seconds
        self.wall = wall
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="artifactctl-run", daemon=True)
        self._system: SystemMetricsThread | None = None
        self._system_step = 0
        if system_metrics:
            with writer.store.catalog.read():
                last = hq.last_step(writer.store.catalog, writer.run_id, hq.SYSTEM_STREAM)
            self._system_step = 0 if last is None else last + 1
            sampler = SystemSampler(pid or 0, cwd)
            self._system = SystemMetricsThread(sampler, self._emit_system, system_interval)

    def set_pid(self, pid: int) -> None:
        if self._system is not None:
            self._system.sampler = SystemSampler(pid, self._system.sampler.cwd)

    def start(self) -> None:
        self._thread.start()
        if self._system is not None:
            self._system.start()

    def _emit_system(self, sample: dict[str, object]) -> None:
        with self.writer.lock:
            step = self._system_step
            self._system_step += 1
            self.writer.add(hq.SYSTEM_STREAM, step, self.wall(), dict(sample))

    def _loop(self) -> None:
        last_beat = time.monotonic()
        tick = min(self.writer.flush_seconds, self.heartbeat_seconds)
        while not self._stop.wait(tick):
            try:
                if time.monotonic() - last_beat >= self.heartbeat_seconds:
                    self.writer.flush(heartbeat=True)
                    last_beat = time.monotonic()
                elif self.writer.due():
                    self.writer.flush()
            except ArtifactctlError:  # a busy catalog: try again at the next tick
                continue
            except Exception:  # the store was closed under us: the run is over for this thread
                return

    def stop(self) -> None:
        self._stop.set()
        if self._system is not None:
            self._system.stop()
            self._system.join(timeout=5)
        with contextlib.suppress(RuntimeError):
            self._thread.join(timeout=5)
