import os
import time
from pathlib import Path

from tests.conftest import Runner


def test_gc_removes_interrupted_reference_downloads(cli: Runner, store_dir: Path) -> None:
    tmp = store_dir / "refcache" / "tmp"
    tmp.mkdir(parents=True)
    old, new = tmp / "dead.part", tmp / "live.part"
    old.write_bytes(b"x" * 100)
    new.write_bytes(b"y")
    past = time.time() - 7200
    os.utime(old, (past, past))
    cli("gc")
    assert not old.exists()
    assert new.exists()  # younger than the grace period: a download may be writing it
    cli("fsck")
