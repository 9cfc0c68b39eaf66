"""``artifactctl run exec -- CMD ARGS...``: run a command as a run.

Starts a run (with heartbeat), runs CMD with ``ARTIFACTCTL_RUN_ID`` set, copies its stdout and
stderr to ours as they come while appending both to the run's log, and finishes the run as
``finished`` (exit 0), ``failed`` (non-zero) or ``killed`` (Ctrl-C, SIGTERM, or CMD killed by a
signal). CMD's exit code is passed through (128 + N for signal N, 127 when CMD is missing).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from types import FrameType
from typing import IO, Any

from artifactctl.catalog import runs as rq
from artifactctl.core.timefmt import parse_iso
from artifactctl.errors import ConflictError, NotFoundError, UsageError
from artifactctl.ops import runenv
from artifactctl.ops.metrics import MetricsWriter
from artifactctl.ops.runlive import LiveRun
from artifactctl.ops.runs import finish_run, log_path, run_dir, start_run
from artifactctl.ops.sysmetrics import DEFAULT_INTERVAL
from artifactctl.store import Store

CHUNK = 65536


@dataclass(slots=True)
class ExecResult:
    run_id: str
    name: str
    state: str
    exit_code: int
    log: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.run_id,
            "name": self.name,
            "state": self.state,
            "exit_code": self.exit_code,
            "log": self.log,
        }


class _Terminated(Exception):
    pass


_PARTIAL_MAX = 64 * 1024  # a line longer than this goes to the log unfinished


def _pump(src: IO[bytes], dst: IO[bytes] | None, log: IO[bytes], lock: threading.Lock) -> None:
    """Copy ``src`` to ``dst`` as it comes, and to the shared log whole lines at a time, so
    that stdout and stderr lines never interleave mid-line in the log (an unbuffered Python
    writes a print's text and its newline in two writes)."""
    fd = src.fileno()
    pending = b""
    while True:
        try:
            chunk = os.read(fd, CHUNK)
        except OSError:
            break
        if not chunk:
            break
        if dst is not None:
            with contextlib.suppress(OSError, ValueError):
                dst.write(chunk)
                dst.flush()
        pending += chunk
        cut = pending.rfind(b"\n") + 1
        if cut == 0 and len(pending) < _PARTIAL_MAX:
            continue
        whole, pending = (pending[:cut], pending[cut:]) if cut else (pending, b"")
        with lock:
            log.write(whole)
            log.flush()
    if pending:
        with lock:
            log.write(pending)
            log.flush()


def exec_run(
    store: Store,
    command: list[str],
    *,
    stdout: IO[bytes] | None,
    stderr: IO[bytes] | None,
    system_metrics: bool = False,
    system_interval: float = DEFAULT_INTERVAL,
    on_start: Any = None,
    **start: Any,
) -> ExecResult:
    if not command:
        raise UsageError("no command given", hint="artifactctl run exec -- python train.py")
    meta, diff = runenv.collect(command)
    info = start_run(store, meta=meta, heartbeat=True, **start)
    rid = info.id
    folder = run_dir(store, rid)
    folder.mkdir(parents=True, exist_ok=True)
    if diff:
        (folder / "diff.patch").write_text(diff, encoding="utf-8")
    if on_start is not None:
        on_start(info)
    env = dict(os.environ, ARTIFACTCTL_RUN_ID=rid, PYTHONUNBUFFERED="1")
    env["ARTIFACTCTL_DIR"] = str(store.path)
    writer = MetricsWriter(store, rid)
    live = LiveRun(
        writer,
        start_ts=parse_iso(info.row.created_at).timestamp(),
        system_metrics=system_metrics,
        system_interval=system_interval,
        cwd=os.getcwd(),
    )
    state, code = rq.FAILED, 1
    with open(log_path(store, rid), "ab") as log:
        lock = threading.Lock()
        try:
            proc = subprocess.Popen(
                command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
        except FileNotFoundError:
            _finish(store, rid, 127, rq.FAILED)
            raise NotFoundError(
                f"command not found: {command[0]}", hint="check the command and your PATH"
            ) from None
        except OSError as exc:
            _finish(store, rid, 126, rq.FAILED)
            raise UsageError(f"cannot run {command[0]}: {exc.strerror}") from None
        live.set_pid(proc.pid)
        live.start()
        assert proc.stdout is not None and proc.stderr is not None
        pumps = [
            threading.Thread(target=_pump, args=(proc.stdout, stdout, log, lock), daemon=True),
            threading.Thread(target=_pump, args=(proc.stderr, stderr, log, lock), daemon=True),
        ]
        for t in pumps:
            t.start()
        previous = signal.getsignal(signal.SIGTERM)

        def on_term(signum: int, frame: FrameType | None) -> None:
            raise _Terminated()

        with contextlib.suppress(ValueError):  # not the main thread: no handler
            signal.signal(signal.SIGTERM, on_term)
        try:
            rc = proc.wait()
            state = rq.FINISHED if rc == 0 else (rq.KILLED if rc < 0 else rq.FAILED)
            code = rc if rc >= 0 else 128 - rc
        except (KeyboardInterrupt, _Terminated) as exc:
            sig = signal.SIGINT if isinstance(exc, KeyboardInterrupt) else signal.SIGTERM
            _stop_child(proc, sig)
            state, code = rq.KILLED, 130 if sig == signal.SIGINT else 143
        finally:
            with contextlib.suppress(ValueError):
                signal.signal(signal.SIGTERM, previous)
            for t in pumps:
                t.join(timeout=10)
            live.stop()
            writer.flush(heartbeat=True)
            _finish(store, rid, code, state)
    return ExecResult(rid, info.row.name, state, code, str(log_path(store, rid)))


def _stop_child(proc: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(OSError):
        proc.send_signal(sig)
    deadline = time.monotonic() + 10
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()


def _finish(store: Store, run_id: str, code: int, state: str) -> None:
    with contextlib.suppress(ConflictError):  # CMD may have finished the run itself
        finish_run(store, run_id, exit_code=code, state=state)
