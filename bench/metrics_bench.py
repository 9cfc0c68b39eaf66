"""How fast is run.log? 100,000 calls with 10 keys each, into a fresh store.

    python bench/metrics_bench.py [--calls 100000] [--keys 10]

Prints the wall time of the logging loop, of finish() (the last flush) and the rate.
"""

from __future__ import annotations

import argparse
import tempfile
import time

import artifactctl


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--keys", type=int, default=10)
    args = ap.parse_args()
    names = [f"metric_{j}" for j in range(args.keys)]
    with tempfile.TemporaryDirectory() as tmp:
        store = artifactctl.Store.init(tmp)
        run = artifactctl.init_run(project="bench", store=store)
        t0 = time.perf_counter()
        for i in range(args.calls):
            run.log({n: i * 0.001 + j for j, n in enumerate(names)})
        t1 = time.perf_counter()
        run.finish()
        t2 = time.perf_counter()
        rows = len(run.history(keys=names[:1]))
        store.close()
    total = t2 - t0
    print(
        f"{args.calls:,} run.log calls x {args.keys} keys: loop {t1 - t0:.2f} s, "
        f"finish {t2 - t1:.2f} s, total {total:.2f} s "
        f"({args.calls / total:,.0f} calls/s, {args.calls * args.keys / total:,.0f} values/s); "
        f"{rows:,} rows stored"
    )


if __name__ == "__main__":
    main()
