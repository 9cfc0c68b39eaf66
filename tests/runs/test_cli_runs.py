"""The run commands as a shell uses them: exit codes, --json, files on disk."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.conftest import Runner


def start(cli: Runner, *args: str) -> str:
    return str(cli("run", "start", *args, "--json").json()["id"])


def test_start_show_finish_json(cli: Runner, tmp_path: Path) -> None:
    conf = tmp_path / "c.json"
    conf.write_text(json.dumps({"lr": 0.1, "opt": {"name": "adam"}}))
    doc = cli(
        "run",
        "start",
        "--project",
        "p",
        "--group",
        "g",
        "--job-type",
        "train",
        "--tag",
        "a",
        "--tag",
        "b",
        "--notes",
        "n",
        "--config",
        "epochs=3",
        "--config",
        "name=x",
        "--config-file",
        conf,
        "--json",
    ).json()
    assert doc["state"] == "running" and doc["project"] == "p" and doc["group"] == "g"
    assert doc["job_type"] == "train" and doc["tags"] == ["a", "b"] and doc["notes"] == "n"
    assert doc["config"] == {"lr": 0.1, "opt": {"name": "adam"}, "epochs": 3, "name": "x"}
    assert doc["name"].count("-") == 2 and doc["name"].endswith("-1")
    rid = doc["id"]
    show = cli("run", "show", rid, "--json").json()
    assert show["id"] == rid and show["inputs"] == [] and show["outputs"] == []
    assert "hostname" in show["metadata"] and "python" in show["metadata"]
    fin = cli("run", "finish", "--run", rid, "--exit-code", "0", "--json").json()
    assert fin["state"] == "finished" and fin["exit_code"] == 0
    again = cli("run", "finish", "--run", rid, expect=5)
    assert "already finished" in again.stderr
    assert cli("run", "show", "no-such-run", expect=4).code == 4


def test_start_env_and_finish_from_env(cli: Runner) -> None:
    line = cli("run", "start", "--env").stdout.strip()
    assert line.startswith("export ARTIFACTCTL_RUN_ID=")
    rid = line.split("=", 1)[1]
    cli("run", "finish", "--exit-code", "2", env={"ARTIFACTCTL_RUN_ID": rid})
    assert cli("run", "show", rid, "--json").json()["state"] == "failed"
    assert "no run given" in cli("run", "finish", expect=2).stderr


def test_yaml_config_file(cli: Runner, tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    f = tmp_path / "c.yaml"
    f.write_text("lr: 0.5\nlayers: [1, 2]\n")
    doc = cli("run", "start", "--config-file", f, "--json").json()
    assert doc["config"] == {"lr": 0.5, "layers": [1, 2]}
    f.write_text("- a list\n")
    assert "mapping" in cli("run", "start", "--config-file", f, expect=2).stderr


def test_exec_passes_exit_code_and_saves_output(cli: Runner, tmp_path: Path) -> None:
    script = "import sys; print('to stdout'); print('to stderr', file=sys.stderr); sys.exit(3)"
    r = cli("run", "exec", "--name", "job", "--", sys.executable, "-c", script, expect=3)
    assert "to stdout" in r.stdout and "to stderr" in r.stderr
    runs = cli("run", "ls", "--json").json()
    (doc,) = runs
    assert doc["state"] == "failed" and doc["exit_code"] == 3 and doc["name"] == "job"
    show = cli("run", "show", doc["id"], "--json").json()
    assert show["metadata"]["command"] == [sys.executable, "-c", script]
    assert show["metadata"]["cwd"]
    logs = cli("run", "logs", doc["id"], "--json").json()
    assert set(logs["lines"]) == {"to stdout", "to stderr"} and logs["total_lines"] == 2
    full = tmp_path / "full.log"
    cli("run", "logs", doc["id"], "--output", full)
    assert "to stdout" in full.read_text()
    ok = cli("run", "exec", "--json", "--", sys.executable, "-c", "print(1)").json()
    assert ok["state"] == "finished" and ok["exit_code"] == 0
    missing = cli("run", "exec", "--", "no-such-command-xyz", expect=4)
    assert "command not found" in missing.stderr


def test_exec_sets_run_id_for_lineage_and_metrics(cli: Runner, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.txt").write_text("a")
    cli("put", data, "--name", "ds", "--type", "dataset")
    script = (
        "import subprocess as s;"
        f"s.run(['artifactctl','get','ds','--root',{str(tmp_path / 'got')!r},'-q'],check=True);"
        f"s.run(['artifactctl','put',{str(data)!r},'--name','copy','--type','dataset'],check=True);"
        "s.run(['artifactctl','run','log','acc=0.75'],check=True)"
    )
    r = cli("run", "exec", "--json", "--", sys.executable, "-c", script).json()
    show = cli("run", "show", r["id"], "--json").json()
    assert show["inputs"] == ["ds:v0"] and show["outputs"] == ["copy:v0"]
    assert cli("run", "summary", r["id"], "--json").json() == {"acc": 0.75}


def test_system_metrics_stream(cli: Runner) -> None:
    r = cli(
        "run",
        "exec",
        "--system-metrics",
        "--system-interval",
        "0.1",
        "--json",
        "--",
        sys.executable,
        "-c",
        "import time; time.sleep(0.8)",
    ).json()
    h = cli("run", "history", r["id"], "--stream", "system", "--json").json()
    assert h["stream"] == "system" and h["rows"]
    assert "rss_mb" in h["columns"] and "disk_percent" in h["columns"]
    assert cli("run", "history", r["id"], "--stream", "nope", expect=2).code == 2


def test_ls_filters_and_order(cli: Runner) -> None:
    ids = []
    for acc, state in ((0.95, 0), (0.5, 0), (0.99, 1)):
        rid = start(cli, "--project", "p", "--config", f"acc_target={acc}")
        cli("run", "log", "--run", rid, f"val_acc={acc}")
        cli("run", "finish", "--run", rid, "--exit-code", str(state))
        ids.append(rid)
    other = start(cli, "--project", "q", "--tag", "keep")

    def ls(*args: str) -> list[str]:
        return [d["id"] for d in cli("run", "ls", *args, "--json").json()]

    assert ls("--project", "p", "--filter", "summary.val_acc>0.9") == [ids[0], ids[2]]
    assert ls("--project", "p", "--filter", "state=finished") == ids[:2]
    assert ls("--filter", "state=running") == [other]
    assert ls("--filter", "tags=keep") == [other]
    assert ls("--project", "p", "--order", "-summary.val_acc") == [ids[2], ids[0], ids[1]]
    assert ls("--filter", "config.acc_target<=0.5") == [ids[1]]
    assert ls("--filter", "created_at>2000-01-01", "--project", "q") == [other]
    assert "unknown run field" in cli("run", "ls", "--filter", "bogus=1", expect=2).stderr
    assert "invalid filter" in cli("run", "ls", "--filter", "nonsense", expect=2).stderr


def test_update_and_delete(cli: Runner, tmp_path: Path) -> None:
    rid = start(cli, "--tag", "old")
    doc = cli(
        "run",
        "update",
        rid,
        "--group",
        "grp",
        "--tag",
        "new",
        "--untag",
        "old",
        "--notes",
        "hi",
        "--json",
    ).json()
    assert doc["group"] == "grp" and doc["tags"] == ["new"] and doc["notes"] == "hi"
    data = tmp_path / "d"
    data.mkdir()
    (data / "f").write_text("f")
    cli("put", data, "--name", "out", "--type", "t", "--run", rid)
    user = start(cli)
    cli("use", "out", "--run", user)
    refused = cli("run", "delete", rid, "--delete-artifacts", expect=5)
    assert "other runs used" in refused.stderr
    cli("run", "delete", user)
    res = cli("run", "delete", rid, "--delete-artifacts", "--json").json()
    assert res["deleted_versions"] == ["out:v0"]
    cli("run", "show", rid, expect=4)
    cli("get", "out:v0", "--root", tmp_path / "x", expect=4)


def test_run_log_cli_steps_and_jsonl(cli: Runner) -> None:
    rid = start(cli)
    assert cli("run", "log", "--run", rid, "loss=1.0", "--json").json()["steps"] == [0]
    assert cli("run", "log", "--run", rid, "loss=0.5", "note=text", "--json").json()["steps"] == [1]
    cli("run", "log", "--run", rid, "--step", "5", "loss=0.4")
    cli("run", "log", "--run", rid, "--step", "5", "acc=0.9")  # the latest step: merged
    back = cli("run", "log", "--run", rid, "--step", "2", "loss=9", expect=2)
    assert "must not go back" in back.stderr
    lines = "\n".join(json.dumps({"loss": v, "nested": {"a": v}}) for v in (0.3, 0.2)) + "\n"
    doc = cli("run", "log", "--run", rid, "--jsonl", "-", "--json", input=lines).json()
    assert doc["steps"] == [6, 7] and "nested/a" in doc["keys"]
    warned = cli("run", "log", "--run", rid, "bad-name=1")
    assert "naming rules" in warned.stderr
    h = cli("run", "history", rid, "--keys", "loss,acc", "--json").json()
    assert [r["_step"] for r in h["rows"]] == [0, 1, 5, 6, 7]
    assert h["rows"][2] == {"_step": 5, "loss": 0.4, "acc": 0.9}
    summary = cli("run", "summary", rid, "--json").json()
    assert summary["loss"] == 0.2 and summary["note"] == "text" and summary["nested/a"] == 0.2
    bad = cli("run", "log", "--run", rid, "--jsonl", "-", input="{x\n", expect=2)
    assert "line 1 is not JSON" in bad.stderr
    cli("run", "finish", "--run", rid)
    assert "metrics go to running runs" in cli("run", "log", "--run", rid, "x=1", expect=5).stderr


def test_history_formats_and_sampling(cli: Runner, tmp_path: Path) -> None:
    rid = start(cli)
    lines = "\n".join(json.dumps({"loss": 1 / (i + 1), "epoch": i // 10}) for i in range(100))
    cli("run", "log", "--run", rid, "--jsonl", "-", input=lines)
    h = cli("run", "history", rid, "--samples", "5", "--keys", "loss", "--json").json()
    assert [r["_step"] for r in h["rows"]] == [0, 25, 50, 74, 99]
    csv_text = cli("run", "history", rid, "--keys", "loss,epoch", "--format", "csv").stdout
    assert csv_text.splitlines()[0] == "_step,loss,epoch" and len(csv_text.splitlines()) == 101
    table = cli("run", "history", rid, "--keys", "loss", "--samples", "3").stdout
    assert "loss" in table and "0.01" in table
    x = cli(
        "run", "history", rid, "--x-axis", "epoch", "--keys", "loss", "--samples", "2", "--json"
    )
    assert x.json()["columns"] == ["epoch", "loss"]
    parquet = tmp_path / "h.parquet"
    try:
        import pyarrow.parquet as pq
    except ImportError:
        r = cli("run", "history", rid, "--format", "parquet", "--output", parquet, expect=8)
        assert "pyarrow" in r.stderr
    else:
        cli("run", "history", rid, "--format", "parquet", "--output", parquet)
        table = pq.read_table(parquet)
        assert "_step" in table.column_names and table.num_rows > 0
    out = tmp_path / "h.csv"
    cli("run", "history", rid, "--format", "csv", "--output", out)
    assert out.read_text().startswith("_step,")


def test_runs_histories(cli: Runner) -> None:
    a, b = start(cli, "--project", "p"), start(cli, "--project", "p")
    start(cli, "--project", "other")
    for rid, base in ((a, 1.0), (b, 2.0)):
        lines = "\n".join(json.dumps({"loss": base + i}) for i in range(10))
        cli("run", "log", "--run", rid, "--jsonl", "-", input=lines)
    text = cli(
        "runs", "histories", "--project", "p", "--keys", "loss", "--samples", "3", "--format", "csv"
    ).stdout.splitlines()
    assert text[0] == "run_id,run_name,_step,loss"
    assert len(text) == 1 + 6 and {line.split(",")[0] for line in text[1:]} == {a, b}
    doc = cli("runs", "histories", "--project", "p", "--keys", "loss", "--json").json()
    assert len(doc["rows"]) == 20


def test_plot_terminal_and_png(cli: Runner, tmp_path: Path) -> None:
    rid = start(cli)
    lines = "\n".join(
        json.dumps({"loss": 1 / (i + 1), "val_loss": 1.2 / (i + 1)}) for i in range(50)
    )
    cli("run", "log", "--run", rid, "--jsonl", "-", input=lines)
    text = cli("run", "plot", rid, "--keys", "loss,val_loss").stdout
    assert "• loss" in text and "+ val_loss" in text and "┤" in text
    png = tmp_path / "p.png"
    doc = cli("run", "plot", rid, "--keys", "loss,val_loss", "--output", png, "--json").json()
    assert doc["points"] == {"loss": 50, "val_loss": 50} and doc["output"] == str(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"IEND" in data[-12:]
    assert "name the metrics" in cli("run", "plot", rid, "--keys", ",", expect=2).stderr


def test_put_get_use_with_run_option_and_cycles(cli: Runner, tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "f").write_text("1")
    producer = start(cli, "--name", "producer")
    cli("put", d, "--name", "a", "--type", "t", "--run", producer)
    assert "cycles" in cli("use", "a", "--run", producer, expect=5).stderr
    assert "cycles" in cli("get", "a", "--root", tmp_path / "g", "--run", producer, expect=5).stderr
    assert not (tmp_path / "g").exists()  # refused before any file was written
    consumer = start(cli)
    doc = cli("use", "a:v0", "--run", consumer, "--json").json()
    assert doc == {"run_id": consumer, "version": "a:v0", "digest": doc["digest"], "recorded": True}
    assert cli("use", "a", "--run", consumer, "--json").json()["recorded"] is False
    cli("get", "a", "--root", tmp_path / "g2", "--run", "producer", expect=5)  # by name, too
    assert "no run" in cli("put", d, "--name", "b", "--type", "t", "--run", "nope", expect=4).stderr
    lin = cli("lineage", "a", "--json").json()
    kinds = sorted(n["kind"] for n in lin["nodes"])
    assert kinds == ["run", "run", "version"]
    assert {(e["from"], e["to"], e["relation"]) for e in lin["edges"]} == {
        (f"run:{producer}", lin["root"], "output"),
        (lin["root"], f"run:{consumer}", "input"),
    }
    up = cli("lineage", "a", "--up", "--json").json()
    assert len(up["nodes"]) == 2
    assert len(cli("lineage", "a", "--depth", "0", "--json").json()["nodes"]) == 1
    tree = cli("lineage", producer).stdout
    assert "producer" in tree and "a:v0" in tree
    dot = cli("lineage", "a", "--format", "dot").stdout
    assert dot.startswith("digraph lineage") and "->" in dot
    assert cli("lineage", "a", "--up", "--down", expect=2).code == 2


def test_exec_interrupted_is_killed(cli: Runner, store_dir: Path) -> None:
    import os
    import signal
    import subprocess
    import time

    from tests.conftest import ARTIFACTCTL

    env = dict(os.environ, ARTIFACTCTL_DIR=str(store_dir))
    proc = subprocess.Popen(
        [
            ARTIFACTCTL,
            "run",
            "exec",
            "--",
            sys.executable,
            "-c",
            "import signal, sys, time\n"
            "signal.signal(signal.SIGINT, lambda *a: sys.exit(1))\n"
            "print('ready', flush=True); time.sleep(60)",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # as in a terminal: a suite started in the background (`make test &`) inherits SIGINT
        # ignored, and Python then never turns Ctrl-C into KeyboardInterrupt
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err
    (doc,) = cli("run", "ls", "--json").json()
    assert doc["state"] == "killed" and doc["exit_code"] == 130
