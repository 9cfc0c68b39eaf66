"""Listing and pinning N objects under one S3 prefix against moto's S3 server.

    .venv/bin/python bench/refs_bench.py [--objects 10000] [--versioned/--unversioned]

Creates the objects with threads (not timed), then times the reference path that `put` takes:
one bulk listing (ListObjectVersions on a versioned bucket, 1,000 keys per page) turned into
pinned manifest entries, and then the same through the CLI (`artifactctl put s3://…/ --json`,
which also writes the manifest and commits). Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulators.servers import S3Server, subprocess_env  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--objects", type=int, default=10_000)
    ap.add_argument("--unversioned", action="store_true")
    args = ap.parse_args()
    with S3Server() as server:
        bucket = server.create_bucket("bench-refs", versioned=not args.unversioned)
        client = server.client()
        t0 = time.perf_counter()

        def put(i: int) -> None:
            client.put_object(Bucket=bucket, Key=f"prefix/d{i % 100:02d}/o{i:06d}", Body=b"%d" % i)

        with ThreadPoolExecutor(16) as pool:
            list(pool.map(put, range(args.objects)))
        create_s = time.perf_counter() - t0

        env = subprocess_env(server)
        os.environ.update(env)
        from artifactctl.core.refs import make_ref, parse_ref_uri, ref_digest
        from artifactctl.refs import RefOptions, handler_for

        handler = handler_for("s3", RefOptions())
        t0 = time.perf_counter()
        objs = handler.list_objects(parse_ref_uri(f"s3://{bucket}/prefix/"))
        digests = [ref_digest("xxh3-128", make_ref(o.uri, o.pin)) for o in objs]
        lib_s = time.perf_counter() - t0
        assert len(digests) == args.objects

        with tempfile.TemporaryDirectory() as tmp:
            exe = str(Path(sys.executable).parent / "artifactctl")
            subprocess.run([exe, "init", tmp], check=True, capture_output=True, env=env)
            env["ARTIFACTCTL_DIR"] = f"{tmp}/.artifactctl"
            t0 = time.perf_counter()
            out = subprocess.run(
                [exe, "put", f"s3://{bucket}/prefix/", "--name", "b", "--type", "t", "--json"],
                check=True,
                capture_output=True,
                env=env,
            )
            cli_s = time.perf_counter() - t0
            count = json.loads(out.stdout)["file_count"]
    print(
        json.dumps(
            {
                "objects": args.objects,
                "versioned": not args.unversioned,
                "create_objects_s": round(create_s, 2),
                "list_and_pin_s": round(lib_s, 2),
                "cli_put_s": round(cli_s, 2),
                "cli_file_count": count,
            }
        )
    )


if __name__ == "__main__":
    main()
