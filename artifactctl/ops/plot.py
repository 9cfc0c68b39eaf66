"""``run plot``: a run's history as a line chart, in the terminal or as a PNG file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artifactctl.core import chart, png
from artifactctl.core.summaries import definition_for
from artifactctl.errors import StorageError, UsageError
from artifactctl.ops.metrics import history
from artifactctl.ops.runs import find_run
from artifactctl.store import Store


@dataclass(slots=True)
class PlotResult:
    run_id: str
    keys: list[str]
    x_axis: str
    points: dict[str, int]
    ranges: dict[str, list[float]] = field(default_factory=dict)
    text: str = ""
    output: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "keys": self.keys,
            "x_axis": self.x_axis,
            "points": self.points,
            "ranges": self.ranges,
            "output": self.output,
        }


def plot(
    store: Store,
    run_ref: str,
    *,
    keys: list[str],
    x_axis: str | None = None,
    samples: int | None = 1000,
    output: str | None = None,
    width: int = 72,
    height: int = 16,
    stream: str = "default",
) -> PlotResult:
    """x-axis: ``x_axis``, else the first key's ``define_metric(step_metric=...)``, else
    ``_step``."""
    if not keys:
        raise UsageError("name the metrics to plot", hint="--keys loss,val_loss")
    run = find_run(store, run_ref)
    if x_axis is None:
        d = definition_for(run.metric_defs, keys[0]) or {}
        x_axis = d.get("step_metric") or "_step"
    h = history(store, run.id, keys=keys, x_axis=x_axis, samples=samples, stream=stream)
    xs = [r.get(x_axis) for r in h.rows]
    series = {k: chart.numeric_points(xs, [r.get(k) for r in h.rows]) for k in keys}
    result = PlotResult(run.id, keys, x_axis, {k: len(v) for k, v in series.items()})
    b = chart.bounds(series)
    if b is not None:
        result.ranges = {"x": [b[0], b[1]], "y": [b[2], b[3]]}
    if output:
        try:
            Path(output).write_bytes(png.line_chart_png(series))
        except OSError as exc:
            raise StorageError(f"cannot write {output}: {exc.strerror}") from None
        result.output = str(Path(output).absolute())
    else:
        result.text = chart.render_text(series, width=width, height=height, x_label=x_axis)
    return result
