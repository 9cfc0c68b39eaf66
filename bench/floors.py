"""Physical floors: what the machine itself needs to copy, link, hash or stat a tree.

Imported by run.py for the floor commands, and run as a script (in its own process, so that it is
timed and its memory counted exactly like a tool) for the Python floors:

    python bench/floors.py xxh3 DIR       one single-threaded xxh3-128 pass over every byte
    python bench/floors.py statwalk DIR   os.walk and one os.stat per file (the no-op put floor)
    python bench/floors.py read DIR       read every byte, no hashing (the untimed warm-up)

Each prints one JSON line: files, bytes and, for xxh3, a digest over all files (so the work cannot
be optimised away).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

CHUNK = 1024 * 1024
HERE = Path(__file__).resolve().parent


def have_xxhash(python: str) -> bool:
    """Whether that interpreter can import xxhash (needed by the xxh3 floor)."""
    import subprocess

    return subprocess.run([python, "-c", "import xxhash"], capture_output=True).returncode == 0


def commands(python: str, src: Path, dst: Path) -> dict[str, list[str]]:
    """The floor commands for one workload; dst must not exist (cp creates it)."""
    script = str(HERE / "floors.py")
    return {
        "cp -r": ["cp", "-r", str(src), str(dst)],
        "cp -al": ["cp", "-al", str(src), str(dst)],
        "xxh3 read": [python, script, "xxh3", str(src)],
        "stat walk": [python, script, "statwalk", str(src)],
    }


def _files(root: str) -> list[str]:
    out: list[str] = []
    for dirpath, dirs, names in os.walk(root):
        dirs.sort()
        out.extend(os.path.join(dirpath, n) for n in sorted(names))
    return out


def xxh3(root: str) -> dict[str, object]:
    import xxhash

    buf = bytearray(CHUNK)
    view = memoryview(buf)
    total = 0
    files = _files(root)
    combined = xxhash.xxh3_128()
    for path in files:
        h = xxhash.xxh3_128()
        with open(path, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                h.update(view[:n])
                total += n
        combined.update(h.digest())
    return {"files": len(files), "bytes": total, "digest": combined.hexdigest()}


def statwalk(root: str) -> dict[str, object]:
    files = total = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            st = os.stat(os.path.join(dirpath, name))
            files += 1
            total += st.st_size
    return {"files": files, "bytes": total}


def read(root: str) -> dict[str, object]:
    buf = bytearray(CHUNK)
    total = 0
    files = _files(root)
    for path in files:
        with open(path, "rb", buffering=0) as f:
            while n := f.readinto(buf):
                total += n
    return {"files": len(files), "bytes": total}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in {"xxh3", "statwalk", "read"}:
        print(__doc__, file=sys.stderr)
        return 2
    what, root = argv
    result = {"xxh3": xxh3, "statwalk": statwalk, "read": read}[what](root)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
