"""`gc` never removes a temporary file a live command is writing, whatever its grace period
(blobs/inuse.py): here a pack is half written by another process while `gc --grace 0s` runs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import Runner

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from artifactctl.blobs.packs import PackWriter
    store = Path(sys.argv[1])
    w = PackWriter(store / "packs", store / "tmp")
    w.add("xxh3-128:" + "ab" * 16, b"half written")
    w._flush()
    print("ready", flush=True)
    sys.stdin.readline()  # until the test has run gc
    print(w.close()[0], flush=True)
    """
)


def test_gc_leaves_a_live_writers_temp_files(cli: Runner, store_dir: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdin is not None
        assert writer.stdout.readline().strip() == "ready"
        (debris := store_dir / "tmp" / "blob-1-1").write_bytes(b"left by a crash")
        live = [p for p in (store_dir / "tmp").iterdir() if p.name.startswith("pack-")]
        assert len(live) == 1
        result = cli("gc", "--grace", "0s", "--json").json()
        assert result["temp_removed"] == 1  # the crash debris, not the live pack
        assert live[0].exists() and not debris.exists()
        writer.stdin.write("\n")
        writer.stdin.flush()
        pack = writer.stdout.readline().strip()
        assert writer.wait(timeout=60) == 0
        assert (store_dir / "packs" / f"{pack}.pack").exists()  # installed whole
    finally:
        writer.kill()
