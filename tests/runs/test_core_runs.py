"""Pure pieces: filters, summaries, flattening, names, charts and the PNG encoder."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from artifactctl.core import chart, png, summaries
from artifactctl.core.filters import matches, parse_filter, sort_runs
from artifactctl.core.flatten import flatten
from artifactctl.core.lineagefmt import GraphEdge, GraphNode, to_mermaid
from artifactctl.core.metricnames import is_valid_metric_name
from artifactctl.core.runnames import check_run_id, make_id, make_name
from artifactctl.errors import UsageError

DOC = {
    "state": "finished",
    "tags": ["a", "b"],
    "summary": {"val_acc": 0.93, "train/loss": 0.1, "nested": {"x": 2}},
    "config": {"lr": 0.01, "opt": "adam"},
    "created_at": "2024-05-02T00:00:00.000000Z",
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("summary.val_acc>0.9", True),
        ("summary.val_acc>=0.93", True),
        ("summary.val_acc<0.9", False),
        ("summary.train/loss<0.2", True),
        ("summary.nested.x=2", True),
        ("state=finished", True),
        ("state!=finished", False),
        ("tags=a", True),
        ("tags=c", False),
        ("tags!=c", True),
        ("config.opt=adam", True),
        ("config.opt~da", True),
        ("config.missing=1", False),
        ("config.missing!=1", True),
        ("created_at>2024-05-01", True),
        ("summary.val_acc>abc", False),
    ],
)
def test_filters(expr: str, expected: bool) -> None:
    assert matches(parse_filter(expr), DOC) is expected


def test_filter_errors_and_order() -> None:
    for bad in ("nonsense", "summary>1", "bogus=1"):
        with pytest.raises(UsageError):
            parse_filter(bad)
    docs = [{"summary": {"a": 2}}, {"summary": {}}, {"summary": {"a": 5}}]
    assert [d["summary"].get("a") for d in sort_runs(docs, "-summary.a")] == [5, 2, None]
    assert [d["summary"].get("a") for d in sort_runs(docs, "summary.a")] == [2, 5, None]


def test_summaries() -> None:
    state: dict[str, list[object]] = {}
    out: dict[str, object] = {}
    defs = {"l*": {"summary": "mean"}}
    for v in (1.0, 3.0, "text", float("nan")):
        summaries.update(state, {"loss": v})
    summaries.apply(out, state, {"loss": 1}, defs)
    assert out["loss"] == 2.0  # strings and NaN do not aggregate
    summaries.apply(out, state, {"loss": 1}, {})
    assert out["loss"] != out["loss"]  # last: NaN
    with pytest.raises(UsageError):
        summaries.check_mode("best")


def test_flatten() -> None:
    assert flatten({"a": {"b": {"c": 1}}, "l": (1, {"x": 2})}) == {"a/b/c": 1, "l": [1, {"x": 2}]}
    with pytest.raises(UsageError):
        flatten({1: 2})  # type: ignore[dict-item]
    with pytest.raises(UsageError):
        flatten({"s": {1, 2}})


def test_metric_names() -> None:
    assert all(map(is_valid_metric_name, ["accuracy", "val_loss", "epoch_5", "train/loss", "_x"]))
    assert not any(
        map(is_valid_metric_name, ["acc,val", "loss-train", "test acc", "5_fold_cv", ""])
    )


def test_run_names_and_ids() -> None:
    rng = random.Random(4)
    ids = {make_id(rng) for _ in range(1000)}
    assert len(ids) == 1000 and all(len(i) == 8 and check_run_id(i) for i in ids)
    name = make_name(rng, 4)
    assert name.endswith("-4") and name.count("-") == 2
    with pytest.raises(UsageError):
        check_run_id("Bad Id")


def test_text_chart() -> None:
    text = chart.render_text(
        {"up": [(0, 0), (10, 10)], "flat": [(0, 5), (10, 5)]}, width=20, height=5
    )
    lines = text.splitlines()
    assert lines[0].endswith("•") and "•" in lines[4]  # rising line: bottom-left to top-right
    assert "+" * 20 in lines[2]  # the flat series runs through the middle row
    assert "x: _step" in lines[-1]
    assert chart.render_text({}) == "(no numeric values to plot)\n"
    assert chart.numeric_points([0, 1, 2, 3], [1, None, float("inf"), True]) == [(0.0, 1.0)]


def _decode_png(data: bytes) -> tuple[int, int, bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size = 8, b"", (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body)
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    return size[0], size[1], zlib.decompress(idat)


def test_png_encoder_and_chart() -> None:
    w, h, raw = _decode_png(png.encode_png(2, 1, bytes([255, 0, 0, 0, 0, 255])))
    assert (w, h) == (2, 1) and raw == b"\x00" + bytes([255, 0, 0, 0, 0, 255])
    w, h, raw = _decode_png(png.line_chart_png({"a": [(0, 0), (1, 1)]}, width=100, height=60))
    assert (w, h) == (100, 60) and len(raw) == 60 * (1 + 300)
    assert bytes(png.COLORS[0]) in raw  # the series was drawn
    with pytest.raises(ValueError):
        png.encode_png(2, 2, b"\x00")


def test_mermaid_is_sorted_and_escaped() -> None:
    nodes = [GraphNode("version:2", "version", 'b"x'), GraphNode("run:a-1", "run", "r")]
    text = to_mermaid(nodes, [GraphEdge("run:a-1", "version:2", "output")])
    assert text == 'graph LR\n  run_a_1(["r"])\n  version_2["b\'x"]\n  run_a_1 --> version_2\n'
