"""``artifactctl run log|history|summary|plot`` and ``artifactctl runs histories``."""

from __future__ import annotations

import csv
import json as jsonlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table, warn
from artifactctl.errors import UsageError

KeysOpt = Annotated[str | None, typer.Option("--keys", "-k", help="Comma-separated metric names.")]
XAxisOpt = Annotated[str, typer.Option("--x-axis", help="Metric used as x (default _step).")]
SamplesOpt = Annotated[
    int | None, typer.Option("--samples", help="At most this many rows, evenly spaced.")
]
FormatOpt = Annotated[
    str, typer.Option("--format", help="table, csv, json or parquet (needs pyarrow).")
]
StreamOpt = Annotated[str, typer.Option("--stream", help="default, or system.")]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
RunArg = Annotated[str, typer.Argument(help="Run id (or a unique run name).")]


def _keys(text: str | None) -> list[str] | None:
    return [k.strip() for k in text.split(",") if k.strip()] if text else None


def _cell(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, list | dict | bool):
        return jsonlib.dumps(v)
    return v


def _emit(
    columns: list[str], rows: list[dict[str, Any]], fmt: str, output: Path | None, doc: Any
) -> None:
    from artifactctl.ops.metrics import write_parquet

    if fmt == "parquet":
        write_parquet(columns, rows, str(output) if output else sys.stdout.buffer)
        return
    fh = open(output, "w", newline="", encoding="utf-8") if output else None  # noqa: SIM115
    try:
        stream = fh or sys.stdout
        if fmt == "csv":
            w = csv.writer(stream, lineterminator="\n")
            w.writerow(columns)
            for r in rows:
                w.writerow([_cell(r.get(c)) for c in columns])
        elif fmt == "json":
            stream.write(jsonlib.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        elif fmt == "table":
            if fh is not None:
                raise UsageError("--output needs --format csv, json or parquet")
            t = table(*columns)
            for r in rows:
                t.add_row(*[_fmt(r.get(c)) for c in columns])
            show_table(t)
        else:
            raise UsageError(f"unknown format {fmt!r}", hint="use table, csv, json or parquet")
    finally:
        if fh is not None:
            fh.close()


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(_cell(v))


def register(run_app: typer.Typer, runs_app: typer.Typer) -> None:
    @run_app.command("log")
    def log_cmd(
        values: Annotated[
            list[str] | None, typer.Argument(help="KEY=VALUE pairs (JSON values).")
        ] = None,
        run: common.RunOpt = None,
        step: Annotated[int | None, typer.Option("--step", help="Explicit step.")] = None,
        jsonl: Annotated[
            str | None,
            typer.Option(
                "--jsonl", help="Read one JSON object per line from a file, or - (stdin)."
            ),
        ] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Log metrics to a run (default: $ARTIFACTCTL_RUN_ID), one step per call or line.

        Example: artifactctl run log loss=0.31 acc=0.9 --step 3
        """
        from artifactctl.ops.metrics import log_rows
        from artifactctl.ops.runs import parse_assignments, require_run_id

        items: list[tuple[dict[str, Any], int | None]] = []
        if jsonl is not None:
            if values:
                raise UsageError("give KEY=VALUE pairs or --jsonl, not both")
            items = _read_jsonl(jsonl, step)
        else:
            if not values:
                raise UsageError("nothing to log", hint="artifactctl run log loss=0.3")
            items = [(parse_assignments(values, "value"), step)]
        with common.open_store(store) as s:
            result = log_rows(s, require_run_id(run), items)
        for w in result.warnings:
            warn(w)
        if json:
            print_json(result.to_json())
        else:
            steps = result.steps
            where = f"step {steps[0]}" if len(steps) == 1 else f"steps {steps[0]}..{steps[-1]}"
            out(f"logged {len(result.keys)} key(s) to {result.run_id} at {where}")

    @run_app.command("history")
    def history_cmd(
        run: RunArg,
        keys: KeysOpt = None,
        x_axis: XAxisOpt = "_step",
        samples: SamplesOpt = None,
        format: FormatOpt = "table",
        stream: StreamOpt = "default",
        output: OutputOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Print a run's metrics history.

        Example: artifactctl run history 1a2b3c4d --keys loss,val_loss --samples 100 --format csv
        """
        from artifactctl.ops.metrics import history

        with common.open_store(store) as s:
            h = history(s, run, keys=_keys(keys), x_axis=x_axis, samples=samples, stream=stream)
        fmt = "json" if json else format
        _emit(h.columns, h.rows, fmt, output, h.to_json())

    @run_app.command("summary")
    def summary_cmd(
        run: RunArg, store: common.StoreOpt = None, json: common.JsonOpt = False
    ) -> None:
        """Print a run's summary (last value per metric, unless defined otherwise).

        Example: artifactctl run summary 1a2b3c4d --json | jq .val_acc
        """
        from artifactctl.ops.metrics import summary

        with common.open_store(store) as s:
            result = summary(s, run)
        if json:
            print_json(result.to_json())
            return
        for k, v in result.summary.items():
            out(f"{k} = {_fmt(v)}")

    @run_app.command("plot")
    def plot_cmd(
        run: RunArg,
        keys: Annotated[str, typer.Option("--keys", "-k", help="Comma-separated metrics.")],
        x_axis: Annotated[
            str | None, typer.Option("--x-axis", help="Default: the metric's step_metric or _step.")
        ] = None,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write a PNG here.")
        ] = None,
        samples: SamplesOpt = 1000,
        width: Annotated[int, typer.Option("--width", help="Terminal chart columns.")] = 72,
        height: Annotated[int, typer.Option("--height", help="Terminal chart rows.")] = 16,
        stream: StreamOpt = "default",
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Draw metrics as a line chart: in the terminal, or a PNG with --output.

        Example: artifactctl run plot 1a2b3c4d --keys loss,val_loss --output loss.png
        """
        from artifactctl.ops.plot import plot

        with common.open_store(store) as s:
            result = plot(
                s,
                run,
                keys=_keys(keys) or [],
                x_axis=x_axis,
                samples=samples,
                output=str(output) if output else None,
                width=width,
                height=height,
                stream=stream,
            )
        if json:
            print_json(result.to_json())
        elif result.output:
            out(result.output)
        else:
            sys.stdout.write(result.text)

    @runs_app.command("histories")
    def histories_cmd(
        project: Annotated[str | None, typer.Option("--project", "-p", help="Project.")] = None,
        keys: KeysOpt = None,
        samples: SamplesOpt = 500,
        x_axis: XAxisOpt = "_step",
        filter: Annotated[
            list[str] | None, typer.Option("--filter", "-f", help="Run filter (as run ls).")
        ] = None,
        format: FormatOpt = "csv",
        stream: StreamOpt = "default",
        output: OutputOpt = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Sampled histories of many runs, one table with run_id and run_name columns.

        Example: artifactctl runs histories --project mnist --keys loss --samples 200 --format csv
        """
        from artifactctl.ops.metrics import histories

        with common.open_store(store) as s:
            hs = histories(
                s,
                project=project,
                keys=_keys(keys),
                samples=samples,
                x_axis=x_axis,
                filters=filter or [],
                stream=stream,
            )
        columns: list[str] = ["run_id", "run_name"]
        rows: list[dict[str, Any]] = []
        for h in hs:
            columns.extend(c for c in h.columns if c not in columns)
            rows.extend({"run_id": h.run_id, "run_name": h.run_name, **r} for r in h.rows)
        fmt = "json" if json else format
        _emit(columns, rows, fmt, output, {"columns": columns, "rows": rows})


def _read_jsonl(source: str, step: int | None) -> list[tuple[dict[str, Any], int | None]]:
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {source}: {exc.strerror}") from None
    items: list[tuple[dict[str, Any], int | None]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = jsonlib.loads(line)
        except ValueError as exc:
            raise UsageError(f"line {n} is not JSON: {exc}") from None
        if not isinstance(doc, dict):
            raise UsageError(f"line {n} is not a JSON object")
        s = doc.pop("_step", step)
        if s is not None and (isinstance(s, bool) or not isinstance(s, int)):
            raise UsageError(f"line {n}: _step must be an integer")
        items.append((doc, s))
    if not items:
        raise UsageError("no JSON objects to log")
    return items
