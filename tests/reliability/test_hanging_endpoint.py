"""A reference endpoint that accepts connections and never answers: bounded, exit 7."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import Runner


@pytest.fixture
def silent_server() -> Iterator[int]:
    """127.0.0.1:PORT accepts TCP connections, reads, and never sends a byte."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = srv.accept()
            except OSError:
                continue
            held.append(conn)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join(2)
    for c in held:
        c.close()
    srv.close()


def test_hanging_http_endpoint_is_bounded(cli: Runner, silent_server: int) -> None:
    uri = f"http://127.0.0.1:{silent_server}/data.csv"
    env = {
        "ARTIFACTCTL_REFS_TIMEOUT": "3",
        "ARTIFACTCTL_REFS_CONNECT_TIMEOUT": "2",
        "ARTIFACTCTL_REFS_READ_TIMEOUT": "2",
    }
    # a hang would trip the runner's own 60 s timeout and fail the test (no timing assertion)
    r = cli("put", uri, "--name", "hang", "--type", "t", env=env, expect=7, timeout=60)
    assert r.stderr.startswith("error: ") and "127.0.0.1" in r.stderr
    assert cli("ls", "--json").json() == []  # nothing half-written
