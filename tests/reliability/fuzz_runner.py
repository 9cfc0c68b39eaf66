"""Run many command lines through the real CLI entry point in one process (for the fuzz test).

``python fuzz_runner.py INPUTS.json RESULTS.json``: INPUTS is a list of argv lists (placeholders
already filled). For each, ``artifactctl.cli.main.run(argv)`` is called with stdout/stderr captured
and stdin empty; RESULTS gets ``{argv, code, traceback, stderr}`` per input. An exception escaping
``run`` is what a user would see as a traceback: it is recorded as one.
"""

from __future__ import annotations

import io
import json
import sys
import time
import traceback


def main(inputs: str, results: str) -> None:
    from artifactctl.cli.main import run

    with open(inputs, encoding="utf-8") as fh:
        argvs = json.load(fh)
    out = []
    real_out, real_err, real_in = sys.stdout, sys.stderr, sys.stdin
    for argv in argvs:
        err = io.StringIO()
        sys.stdout, sys.stderr, sys.stdin = io.StringIO(), err, io.StringIO("")
        crashed = False
        start = time.monotonic()
        try:
            code = run(argv)
        except SystemExit as exc:  # typer/click may exit directly
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # a traceback is exactly what we are counting
            crashed = True
            code = -1
            err.write(traceback.format_exc())
        finally:
            sys.stdout, sys.stderr, sys.stdin = real_out, real_err, real_in
        text = err.getvalue()
        out.append(
            {
                "argv": [a if len(a) < 1000 else f"{a[:40]}…({len(a)} chars)" for a in argv],
                "code": code,
                "traceback": crashed or "Traceback (most recent call last)" in text,
                "stderr": text[-2000:],
                "seconds": round(time.monotonic() - start, 4),
            }
        )
    with open(results, "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
