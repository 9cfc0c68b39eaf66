"""Step semantics, mirroring every example of W&B's Run.log documentation (seed 001 §2)."""

from __future__ import annotations

import warnings

import pytest

import artifactctl
from artifactctl.core.steps import StepState
from artifactctl.errors import UsageError
from artifactctl.sdk.run import ArtifactctlWarning
from artifactctl.store import Store

pytestmark = pytest.mark.filterwarnings("ignore:metric name")


def rows(run: artifactctl.Run) -> list[dict[str, object]]:
    """History rows without timestamps and without the keys a row does not have."""
    return [
        {k: v for k, v in r.items() if k not in ("_runtime", "_timestamp") and v is not None}
        for r in run.history()
    ]


def test_basic_usage(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"train-loss": 0.5, "accuracy": 0.9})
    assert rows(run) == [{"_step": 0, "train-loss": 0.5, "accuracy": 0.9}]
    assert dict(run.summary) == {"train-loss": 0.5, "accuracy": 0.9}


def test_sections_with_slashes(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log(
            {"train/accuracy": 0.9, "train/loss": 30, "validate/accuracy": 0.8, "validate/loss": 20}
        )
        run.log({"a/b/c": 1})
    assert rows(run)[0] == {
        "_step": 0,
        "train/accuracy": 0.9,
        "train/loss": 30,
        "validate/accuracy": 0.8,
        "validate/loss": 20,
    }
    assert rows(run)[1]["a/b/c"] == 1


def test_epoch_as_x_axis(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"epoch": 40, "train-loss": 0.5})
    h = run.history(x_axis="epoch", keys=["train-loss"])
    assert h == [{"epoch": 40, "train-loss": 0.5}]


EXPECTED = [
    {"_step": 0, "train-loss": 0.5, "accuracy": 0.8},
    {"_step": 1, "train-loss": 0.4, "accuracy": 0.9},
]


def test_normal_usage(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"train-loss": 0.5, "accuracy": 0.8})
        run.log({"train-loss": 0.4, "accuracy": 0.9})
    assert rows(run) == EXPECTED


def test_implicit_step_without_auto_increment(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"train-loss": 0.5}, commit=False)
        run.log({"accuracy": 0.8})
        run.log({"train-loss": 0.4}, commit=False)
        run.log({"accuracy": 0.9})
    assert rows(run) == EXPECTED


def test_explicit_step(store: Store) -> None:
    current_step = 0
    with artifactctl.init_run(store=store) as run:
        run.log({"train-loss": 0.5}, step=current_step)
        run.log({"accuracy": 0.8}, step=current_step)
        current_step += 1
        run.log({"train-loss": 0.4}, step=current_step)
        run.log({"accuracy": 0.9}, step=current_step)
    assert rows(run) == EXPECTED  # the last step is committed by finish()


def test_incremental_logging(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"loss": 0.2}, commit=False)
        assert run.history() == []  # not committed yet
        run.log({"accuracy": 0.8})
    assert rows(run) == [{"_step": 0, "loss": 0.2, "accuracy": 0.8}]


def test_step_going_back_warns_and_drops(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"loss": 1.0}, step=5, commit=True)
        with pytest.warns(ArtifactctlWarning, match="less than the current step 6"):
            run.log({"loss": 9.0}, step=3)
        with pytest.warns(ArtifactctlWarning, match="dropped"):
            run.log({"loss": 9.0}, step=5)
        run.log({"loss": 0.5})
    assert rows(run) == [{"_step": 5, "loss": 1.0}, {"_step": 6, "loss": 0.5}]
    assert run.summary["loss"] == 0.5


def test_higher_explicit_step_commits_pending(store: Store) -> None:
    with artifactctl.init_run(store=store) as run:
        run.log({"a": 1}, commit=False)
        run.log({"b": 2}, step=3)
        assert run.step == 3
        run.log({"c": 3})  # implicit step goes to the current step 3 and commits it
        assert run.step == 4
    assert rows(run) == [{"_step": 0, "a": 1}, {"_step": 3, "b": 2, "c": 3}]


def test_same_key_twice_in_one_step_keeps_the_later_value() -> None:
    s = StepState()
    s.log({"x": 1}, commit=False)
    out = s.log({"x": 2})
    assert out.committed == [(0, {"x": 2})]


def test_bad_step_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        StepState().log({"x": 1}, step=-1)
    with pytest.raises(UsageError):
        StepState().log({"x": 1}, step=1.5)  # type: ignore[arg-type]


def test_no_warning_on_valid_names(store: Store) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with artifactctl.init_run(store=store) as run:
            run.log({"accuracy": 0.9, "val_loss": 0.1, "epoch_5": 5})
            run.log({"modelAccuracy": 0.95, "learning_rate": 0.001})


def test_invalid_names_warn_once_each(store: Store) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with artifactctl.init_run(store=store) as run:
            for _ in range(3):
                run.log({"acc,val": 0.9, "loss-train": 0.1, "test acc": 0.95, "5_fold_cv": 0.8})
    names = [str(w.message) for w in caught if issubclass(w.category, ArtifactctlWarning)]
    assert len(names) == 4
    for bad in ("acc,val", "loss-train", "test acc", "5_fold_cv"):
        assert sum(bad in n for n in names) == 1
    assert rows(run)[2]["5_fold_cv"] == 0.8  # warned, still logged
