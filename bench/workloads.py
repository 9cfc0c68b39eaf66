"""Deterministic benchmark workloads, generated once and cached under bench/.work/data.

Every byte is a function of the workload name, a seed and a file index: the sizes and the layout
come from `random.Random(seed).random()` (the Mersenne Twister stream is stable across CPython
versions for an integer seed), the bytes from SHAKE-128 over a counter (standard, fast enough, and
the same on every machine). The cache is keyed by GENERATION_VERSION: bump it when anything here
changes the bytes, and the next run regenerates.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import random
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

GENERATION_VERSION = "1"
SEED = 20240601

MANY_FILES = 20_000
MANY_MIN, MANY_MAX = 512, 32 * 1024
LARGE_FILES = 8
LARGE_SIZE = 128 * 1024 * 1024
HUGE_FILES = 1_000_000
HUGE_MAX = 4 * 1024
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Workload:
    """A generated directory and what it holds."""

    name: str
    path: Path
    files: int
    bytes: int
    seconds_to_generate: float
    cached: bool


def _shake(label: str, n: int) -> bytes:
    return hashlib.shake_128(label.encode()).digest(n)


def _sort_by_random_keys(items: list[int], rng: random.Random) -> list[int]:
    keys = {i: rng.random() for i in items}
    return sorted(items, key=lambda i: keys[i])


def _log_uniform(rng: random.Random, lo: int, hi: int) -> int:
    return int(math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * rng.random()))


# ---------------------------------------------------------------------------------------------
# many: 20,000 files of 512 B .. 32 KiB (log-uniform), three directory levels, 1/4 duplicates.


def _gen_many(dest: Path) -> None:
    rng = random.Random(SEED)
    n = MANY_FILES
    sizes = [_log_uniform(rng, MANY_MIN, MANY_MAX) for _ in range(n)]
    rel: list[str] = []
    for i in range(n):
        a, b, c = (int(rng.random() * 10) for _ in range(3))
        rel.append(f"part{a:02d}/group{b:02d}/shard{c:02d}/item{i:05d}.bin")
    order = _sort_by_random_keys(list(range(n)), rng)
    dups = set(order[: n // 4])
    originals = [i for i in range(n) if i not in dups]
    source = {i: originals[int(rng.random() * len(originals))] for i in sorted(dups)}
    made: set[Path] = set()
    for i in range(n):
        src = source.get(i, i)
        data = _shake(f"many:{SEED}:{src}", sizes[src])
        path = dest / rel[i]
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)


# ---------------------------------------------------------------------------------------------
# large: 8 files of 128 MiB of pseudo-random bytes.


def _gen_large_file(path: str, index: int) -> None:
    with open(path, "wb") as f:
        for chunk in range(LARGE_SIZE // CHUNK):
            f.write(_shake(f"large:{SEED}:{index}:{chunk}", CHUNK))


def _gen_large(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = [
            pool.submit(_gen_large_file, str(dest / f"model-{i}.bin"), i)
            for i in range(LARGE_FILES)
        ]
        for job in jobs:
            job.result()


# ---------------------------------------------------------------------------------------------
# huge-tree: 1,000,000 files of 0 .. 4 KiB, 100 x 10 directories of 1,000 files.

_HUGE_TOP = 100
_HUGE_PER_TOP = HUGE_FILES // _HUGE_TOP
_POOL_SIZE = 8 * 1024 * 1024


def _gen_huge_top(dest: str, top: int) -> None:
    rng = random.Random(SEED * 1000 + top)
    pool = _shake(f"huge-pool:{SEED}", _POOL_SIZE)
    for j in range(_HUGE_PER_TOP):
        i = top * _HUGE_PER_TOP + j
        size = int(rng.random() * (HUGE_MAX + 1))
        off = int(rng.random() * (_POOL_SIZE - HUGE_MAX))
        directory = os.path.join(dest, f"t{top:03d}", f"s{j // 1000:02d}")
        if j % 1000 == 0:
            os.makedirs(directory, exist_ok=True)
        data = (i.to_bytes(8, "little") + pool[off : off + size])[:size]
        with open(os.path.join(directory, f"f{i:07d}"), "wb") as f:
            f.write(data)


def _gen_huge(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for job in [pool.submit(_gen_huge_top, str(dest), t) for t in range(_HUGE_TOP)]:
            job.result()


def _gen_tiny(dest: Path) -> None:
    """40 small files in three levels, a few duplicates: for the untimed warm-up chains."""
    for i in range(40):
        path = dest / f"a{i % 2}" / f"b{i % 3}" / f"c{i % 4}" / f"f{i:02d}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_shake(f"tiny:{SEED}:{i % 30}", 100 + 37 * (i % 30)))


GENERATORS: dict[str, Callable[[Path], None]] = {
    "tiny": _gen_tiny,
    "many": _gen_many,
    "large": _gen_large,
    "huge-tree": _gen_huge,
}


def tree_stats(root: Path) -> tuple[int, int]:
    """Number of regular files and their total size under root."""
    files = total = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            st = os.lstat(os.path.join(dirpath, name))
            files += 1
            total += st.st_size
    return files, total


def rmtree(path: Path) -> None:
    """Remove a tree, also when a tool left read-only files or directories in it."""
    if not os.path.lexists(path):
        return

    def fix(func: Callable[..., object], p: str, _exc: object) -> None:
        os.chmod(os.path.dirname(p), 0o700)
        if os.path.isdir(p) and not os.path.islink(p):
            os.chmod(p, 0o700)
            shutil.rmtree(p, onerror=fix)
        else:
            os.unlink(p)

    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, onerror=fix)
    else:
        os.unlink(path)


def ensure(name: str, work: Path, log: Callable[[str], None] = print) -> Workload:
    """Return the cached workload, generating it first when the cache lacks this version."""
    data_dir = work / "data"
    path = data_dir / f"{name}-v{GENERATION_VERSION}"
    meta_path = data_dir / f"{name}-v{GENERATION_VERSION}.json"
    if path.is_dir() and meta_path.is_file():
        meta = json.loads(meta_path.read_text())
        return Workload(name, path, meta["files"], meta["bytes"], meta["seconds"], cached=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob(f"{name}-v*"):  # other generation versions, half-made trees
        rmtree(old)
    log(f"generating workload {name} in {path} (cached for later runs) ...")
    tmp = data_dir / f"{name}-v{GENERATION_VERSION}.tmp"
    start = time.perf_counter()
    GENERATORS[name](tmp)
    seconds = time.perf_counter() - start
    tmp.rename(path)
    files, total = tree_stats(path)
    meta_path.write_text(json.dumps({"files": files, "bytes": total, "seconds": seconds}))
    log(f"  {files:,} files, {total / 2**20:,.1f} MiB in {seconds:.1f} s")
    return Workload(name, path, files, total, seconds, cached=False)


# ---------------------------------------------------------------------------------------------
# mutate: on a working copy of `many`, rewrite 1%, add 1%, delete 1% of the files.


def mutate(root: Path, fraction: float = 0.01) -> dict[str, int]:
    """Change a tree in place, deterministically; returns how many files each change touched.

    Rewrites unlink the old file and create a new one (as editors and most tools do), so a
    hard-linked workspace never writes through into a tool's cache.
    """
    files = sorted(
        os.path.relpath(os.path.join(d, n), root) for d, _s, names in os.walk(root) for n in names
    )
    rng = random.Random(SEED + 1)
    k = max(1, int(len(files) * fraction))
    order = _sort_by_random_keys(list(range(len(files))), rng)
    rewrite = [files[i] for i in sorted(order[:k])]
    delete = [files[i] for i in sorted(order[k : 2 * k])]
    for j, rel in enumerate(rewrite):
        path = root / rel
        os.unlink(path)
        path.write_bytes(_shake(f"mutate-rewrite:{SEED}:{j}", _log_uniform(rng, 512, 32768)))
    for rel in delete:
        os.unlink(root / rel)
    dirs = sorted({os.path.dirname(f) for f in files})
    for j in range(k):
        directory = root / dirs[int(rng.random() * len(dirs))]
        data = _shake(f"mutate-add:{SEED}:{j}", _log_uniform(rng, 512, 32768))
        (directory / f"added{j:05d}.bin").write_bytes(data)
    return {"rewritten": len(rewrite), "deleted": len(delete), "added": k}
