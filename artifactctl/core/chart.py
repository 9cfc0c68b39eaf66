"""Line charts as text, for a terminal. Pure: series in, a string out.

Each series is a list of ``(x, y)`` points; points with a non-numeric or non-finite ``y`` are
skipped. Series are drawn with different marks, joined column by column by interpolation.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

MARKS = "•+x*o#@%"
Series = dict[str, list[tuple[float, float]]]


def numeric_points(xs: list[Any], ys: list[Any]) -> list[tuple[float, float]]:
    out = []
    for x, y in zip(xs, ys, strict=False):
        if _finite(x) and _finite(y):
            out.append((float(x), float(y)))
    return out


def _finite(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def bounds(series: Series) -> tuple[float, float, float, float] | None:
    pts = [p for s in series.values() for p in s]
    if not pts:
        return None
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    if x1 == x0:
        x1 = x0 + 1
    if y1 == y0:
        y0, y1 = y0 - 0.5, y1 + 0.5
    return x0, x1, y0, y1


def _fmt(v: float) -> str:
    return f"{v:.4g}"


def render_text(
    series: Series, *, width: int = 72, height: int = 16, x_label: str = "_step"
) -> str:
    b = bounds(series)
    if b is None:
        return "(no numeric values to plot)\n"
    x0, x1, y0, y1 = b
    grid = [[" "] * width for _ in range(height)]

    def col(x: float) -> int:
        return min(width - 1, max(0, round((x - x0) / (x1 - x0) * (width - 1))))

    def row(y: float) -> int:
        return min(height - 1, max(0, round((y1 - y) / (y1 - y0) * (height - 1))))

    for i, (_name, pts) in enumerate(series.items()):
        mark = MARKS[i % len(MARKS)]
        pts = sorted(pts)
        for (ax, ay), (bx, by) in itertools.pairwise(pts):
            ca, cb = col(ax), col(bx)
            for c in range(ca, cb + 1):
                t = 0.0 if cb == ca else (c - ca) / (cb - ca)
                grid[row(ay + t * (by - ay))][c] = mark
        for x, y in pts:
            grid[row(y)][col(x)] = mark
    labels = [_fmt(y1), _fmt((y0 + y1) / 2), _fmt(y0)]
    pad = max(len(s) for s in labels)
    lines = []
    for r in range(height):
        if r == 0:
            label = labels[0]
        elif r == height // 2:
            label = labels[1]
        elif r == height - 1:
            label = labels[2]
        else:
            label = ""
        lines.append(f"{label:>{pad}} ┤{''.join(grid[r])}")
    lines.append(" " * pad + " └" + "─" * width)
    left, right = _fmt(x0), _fmt(x1)
    lines.append(" " * (pad + 2) + left + " " * max(1, width - len(left) - len(right)) + right)
    legend = "   ".join(f"{MARKS[i % len(MARKS)]} {n}" for i, n in enumerate(series))
    lines.append(" " * (pad + 2) + f"x: {x_label}   {legend}")
    return "\n".join(lines) + "\n"
