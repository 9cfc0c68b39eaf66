"""The Python API: config, summary, define_metric, values, lineage, crash detection, attach."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import artifactctl
from artifactctl.catalog import runs as rq
from artifactctl.errors import ArtifactctlError, ConflictError, UsageError
from artifactctl.ops.runs import effective_state, show_run, start_run
from artifactctl.store import Store


def test_config_and_summary_persist(store: Store) -> None:
    with artifactctl.init_run(
        project="p", config={"lr": 0.1, "layers": [64, 32]}, store=store
    ) as run:
        run.config["batch"] = 32
        run.config.update({"opt": "adam"})
        run.log({"loss": 0.9})
        run.log({"loss": 0.4})
        run.summary["best_accuracy"] = 0.97
    again = artifactctl.Store(store.path).run(run.id)
    assert dict(again.config) == {"lr": 0.1, "layers": [64, 32], "batch": 32, "opt": "adam"}
    assert again.summary["loss"] == 0.4  # the last value by default
    assert again.summary["best_accuracy"] == 0.97
    assert again.state == "finished"
    assert again.project == "p"
    with pytest.raises(ArtifactctlError):
        again.log({"x": 1})  # read back: read only


def test_define_metric_summaries(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.define_metric("loss", summary="min")
        run.define_metric("acc", summary="max")
        run.define_metric("lr", summary="mean")
        run.define_metric("first_seen", summary="first")
        run.define_metric("noise", summary="none")
        for loss, acc, lr in ((3.0, 0.1, 1.0), (1.0, 0.9, 2.0), (2.0, 0.5, 3.0)):
            run.log({"loss": loss, "acc": acc, "lr": lr, "first_seen": loss, "noise": 1})
    assert run.summary["loss"] == 1.0
    assert run.summary["acc"] == 0.9
    assert run.summary["lr"] == 2.0
    assert run.summary["first_seen"] == 3.0
    assert "noise" not in run.summary
    with pytest.raises(UsageError):
        artifactctl.init_run(store=store).define_metric("x", summary="best")


def test_step_metric_is_synced_and_used_as_x_axis(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.define_metric("val/*", step_metric="epoch")
        run.log({"epoch": 1, "train_loss": 0.5})
        run.log({"val/acc": 0.7})  # epoch inserted from its last value
        run.log({"epoch": 2, "val/acc": 0.8})
    assert run.history(keys=["val/acc"], x_axis="epoch") == [
        {"epoch": 1, "val/acc": 0.7},
        {"epoch": 2, "val/acc": 0.8},
    ]


def test_values_nested_lists_strings_bools(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log(
            {"train": {"loss": 0.1, "parts": {"a": 1}}, "tags": ["x", 1], "ok": True, "s": "hi"}
        )
        with pytest.raises(UsageError, match="not supported"):
            run.log({"bad": object()})
        with pytest.raises(UsageError, match="written by artifactctl"):
            run.log({"_step": 3})
    (row,) = run.history()
    assert row["train/loss"] == 0.1 and row["train/parts/a"] == 1
    assert row["tags"] == ["x", 1] and row["ok"] is True and row["s"] == "hi"


def test_nan_and_infinity_survive(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"x": float("nan"), "y": float("inf")})
    (row,) = run.history()
    assert row["x"] != row["x"] and row["y"] == float("inf")


def test_exception_in_with_block_fails_the_run(store: Store) -> None:
    with pytest.raises(RuntimeError), artifactctl.init_run(store=store) as run:
        run.log({"a": 1})
        raise RuntimeError("boom")
    assert run.state == "failed"
    assert run.history()[0]["a"] == 1  # what was logged before the error was written


def test_finish_exit_code(store: Store) -> None:
    run = artifactctl.init_run(store=store)
    run.finish(exit_code=2)
    assert run.state == "failed"
    run.finish()  # a second finish does nothing


def test_lineage_api(store: Store, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("x")
    with artifactctl.init_run(store=store, name="producer") as producer:
        art = artifactctl.Artifact("raw", type="dataset")
        art.add_dir(tmp_path / "d")
        logged = producer.log_artifact(art, aliases=["best"], tags=["t1"])
    assert logged.qualified_name == "raw:v0" and "best" in logged.aliases
    with artifactctl.init_run(store=store, name="consumer") as consumer:
        used = consumer.use_artifact("raw:best")
        assert used.qualified_name == "raw:v0"
        out = consumer.log_artifact(tmp_path / "d" / "x.txt", name="derived", type="model")
    lb = used.logged_by()
    assert lb is not None and lb.id == producer.id
    assert [r.id for r in used.used_by()] == [consumer.id]
    assert [a.qualified_name for a in consumer.used_artifacts()] == ["raw:v0"]
    assert [a.qualified_name for a in consumer.logged_artifacts()] == [out.qualified_name]
    assert [a.qualified_name for a in producer.logged_artifacts()] == ["raw:v0"]


def test_a_run_cannot_use_its_own_output(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "m.txt"
    f.write_text("m")
    with artifactctl.init_run(store=store) as a:
        a.log_artifact(f, name="m", type="model")
        with pytest.raises(ConflictError, match="cycles"):
            a.use_artifact("m:latest")
    # deeper: b uses m (from a), logs n; a (still running) must not use n
    a2 = artifactctl.init_run(store=store)
    a2.log_artifact(f, name="m2", type="model")
    with artifactctl.init_run(store=store) as b:
        b.use_artifact("m2")
        g = tmp_path / "n.txt"
        g.write_text("n")
        b.log_artifact(g, name="n", type="model")
    with pytest.raises(ConflictError, match="made from one of its outputs"):
        a2.use_artifact("n")
    a2.finish()


def test_crashed_is_decided_by_heartbeat_age_under_a_fixed_clock(store_dir: Path) -> None:
    t0 = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    now = [t0]
    s = Store(store_dir, clock=lambda: now[0])
    info = start_run(s, heartbeat=True)
    assert info.state == "running"
    now[0] = t0 + timedelta(seconds=299)
    assert show_run(s, info.id).state == "running"
    now[0] = t0 + timedelta(seconds=301)
    assert show_run(s, info.id).state == "crashed"
    row = rq.get_run(s.catalog, info.id)
    assert row is not None and row.state == "running"  # crashed is never stored
    assert effective_state(row, t0 + timedelta(seconds=100), crash_after=60) == "crashed"
    # a run started from a shell has no heartbeat writer: it never becomes crashed
    manual = start_run(s)
    now[0] = t0 + timedelta(days=3)
    assert show_run(s, manual.id).state == "running"
    s.close()


def test_attach_inside_exec_leaves_state_to_the_owner(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = start_run(store, heartbeat=True)
    monkeypatch.setenv("ARTIFACTCTL_RUN_ID", owner.id)
    with artifactctl.init_run(config={"lr": 1}, store=store) as run:
        assert run.id == owner.id
        run.log({"x": 1})
    assert show_run(store, owner.id).state == "running"
    with artifactctl.init_run(store=store) as again:
        again.log({"x": 2})  # continues at the next step
    h = again.history()
    assert [r["_step"] for r in h] == [0, 1]
    assert dict(again.config) == {"lr": 1}


def test_system_metrics(store: Store) -> None:
    with artifactctl.init_run(store=store, system_metrics=True, system_interval=0.05) as run:
        import time

        time.sleep(0.4)
    rows = run.history(stream="system")
    assert rows, "no system samples"
    assert "rss_mb" in rows[-1] and "memory_percent" in rows[-1]
    assert run.history() == []  # nothing leaks into the default stream


def test_no_warnings_for_plain_use(store: Store) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with artifactctl.init_run(store=store) as run:
            run.log({"loss": 1.0})
