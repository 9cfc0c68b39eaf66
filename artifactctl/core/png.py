"""A minimal PNG encoder (zlib + struct) and a line chart rasterized into it. Pure: bytes out.

The chart has a white background, a light grid (5 × 5), axes, and one colour per series; it
carries no text (the CLI prints the ranges and the legend beside it).
"""

from __future__ import annotations

import itertools
import struct
import zlib

from artifactctl.core.chart import Series, bounds

COLORS = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
)


def encode_png(width: int, height: int, rgb: bytes | bytearray) -> bytes:
    """PNG bytes for 8-bit RGB pixels, row-major, ``3 * width * height`` bytes."""
    if len(rgb) != 3 * width * height:
        raise ValueError("pixel buffer size does not match width and height")
    stride = 3 * width
    raw = b"".join(b"\x00" + bytes(rgb[y * stride : (y + 1) * stride]) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )


class Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.px = bytearray(b"\xff" * (3 * width * height))

    def set(self, x: int, y: int, color: tuple[int, int, int]) -> None:
        if 0 <= x < self.width and 0 <= y < self.height:
            i = 3 * (y * self.width + x)
            self.px[i : i + 3] = bytes(color)

    def line(
        self, x0: int, y0: int, x1: int, y1: int, color: tuple[int, int, int], w: int = 1
    ) -> None:
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err = dx + dy
        while True:
            for ox in range(w):
                for oy in range(w):
                    self.set(x0 + ox - w // 2, y0 + oy - w // 2, color)
            if x0 == x1 and y0 == y1:
                return
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy


def line_chart_png(series: Series, *, width: int = 800, height: int = 480) -> bytes:
    c = Canvas(width, height)
    margin = 40
    left, top, right, bottom = margin, margin // 2, width - margin // 2, height - margin
    grid, axis = (230, 230, 230), (90, 90, 90)
    for i in range(6):
        gx = left + (right - left) * i // 5
        gy = top + (bottom - top) * i // 5
        c.line(gx, top, gx, bottom, grid)
        c.line(left, gy, right, gy, grid)
    c.line(left, bottom, right, bottom, axis)
    c.line(left, top, left, bottom, axis)
    b = bounds(series)
    if b is not None:
        x0, x1, y0, y1 = b
        for i, pts in enumerate(series.values()):
            color = COLORS[i % len(COLORS)]
            mapped = [
                (
                    round(left + (x - x0) / (x1 - x0) * (right - left)),
                    round(bottom - (y - y0) / (y1 - y0) * (bottom - top)),
                )
                for x, y in sorted(pts)
            ]
            if len(mapped) == 1:
                c.line(*mapped[0], *mapped[0], color, 4)
            for (ax, ay), (bx, by) in itertools.pairwise(mapped):
                c.line(ax, ay, bx, by, color, 2)
    return encode_png(width, height, c.px)
