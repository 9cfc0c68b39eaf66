"""``artifactctl run start|finish|exec|ls|show|logs|delete|update`` (metrics: cli/runmetrics.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from artifactctl.cli import common
from artifactctl.cli.render import out, print_json, show_table, table

NameOpt = Annotated[str | None, typer.Option("--name", help="Run name (default: random).")]
ProjectOpt = Annotated[
    str | None, typer.Option("--project", "-p", help="Project (default: uncategorized).")
]
GroupOpt = Annotated[str | None, typer.Option("--group", help="Group, e.g. an experiment.")]
JobTypeOpt = Annotated[str | None, typer.Option("--job-type", help="e.g. train, evaluate.")]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", help="Tag (repeatable).")]
NotesOpt = Annotated[str | None, typer.Option("--notes", help="Free text.")]
ConfigOpt = Annotated[
    list[str] | None, typer.Option("--config", "-c", help="KEY=VALUE (repeatable; JSON values).")
]
ConfigFileOpt = Annotated[
    Path | None, typer.Option("--config-file", help="JSON or YAML file with the config.")
]
RunArg = Annotated[str, typer.Argument(help="Run id (or a unique run name).")]


def _config(items: list[str] | None, path: Path | None) -> dict[str, Any]:
    from artifactctl.ops.runs import load_config_file, parse_assignments

    conf: dict[str, Any] = load_config_file(str(path)) if path else {}
    conf.update(parse_assignments(items or []))
    return conf


def _state_style(state: str) -> str:
    colour = {"running": "cyan", "finished": "green", "failed": "red", "crashed": "magenta"}
    return f"[{colour.get(state, 'yellow')}]{state}[/]"


def register(app: typer.Typer) -> None:
    run_app = typer.Typer(
        help="Runs: config, state, logs, metrics and lineage.", no_args_is_help=True
    )
    runs_app = typer.Typer(help="Many runs at once.", no_args_is_help=True)
    app.add_typer(run_app, name="run")
    app.add_typer(runs_app, name="runs")

    @run_app.command("start")
    def start_cmd(
        name: NameOpt = None,
        project: ProjectOpt = None,
        group: GroupOpt = None,
        job_type: JobTypeOpt = None,
        tag: TagOpt = None,
        notes: NotesOpt = None,
        config: ConfigOpt = None,
        config_file: ConfigFileOpt = None,
        env: Annotated[
            bool, typer.Option("--env", help="Print `export ARTIFACTCTL_RUN_ID=...`.")
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Start a run and print its id (finish it with `run finish`).

        Example: eval "$(artifactctl run start --project mnist --env)"
        """
        from artifactctl.ops import runenv
        from artifactctl.ops.runs import start_run

        conf = _config(config, config_file)
        meta, _ = runenv.collect(sys.argv)
        with common.open_store(store) as s:
            info = start_run(
                s,
                name=name,
                project=project,
                group=group,
                job_type=job_type,
                tags=tag or [],
                notes=notes,
                config=conf,
                meta=meta,
            )
        if json:
            print_json(info.to_json())
        elif env:
            out(f"export ARTIFACTCTL_RUN_ID={info.id}")
        else:
            out(info.id)

    @run_app.command("finish")
    def finish_cmd(
        run: common.RunOpt = None,
        exit_code: Annotated[
            int, typer.Option("--exit-code", help="0: finished; other: failed.")
        ] = 0,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Finish a run (default: $ARTIFACTCTL_RUN_ID) as finished or failed.

        Example: artifactctl run finish --exit-code 0
        """
        from artifactctl.ops.runs import finish_run, require_run_id

        with common.open_store(store) as s:
            info = finish_run(s, require_run_id(run), exit_code=exit_code)
        if json:
            print_json(info.to_json())
        else:
            out(f"{info.id} ({info.row.name}): {info.state}")

    @run_app.command(
        "exec",
        context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
    )
    def exec_cmd(
        command: Annotated[list[str], typer.Argument(help="The command and its arguments.")],
        name: NameOpt = None,
        project: ProjectOpt = None,
        group: GroupOpt = None,
        job_type: JobTypeOpt = None,
        tag: TagOpt = None,
        notes: NotesOpt = None,
        config: ConfigOpt = None,
        config_file: ConfigFileOpt = None,
        system_metrics: Annotated[
            bool, typer.Option("--system-metrics", help="Sample CPU, memory, disk, GPU.")
        ] = False,
        system_interval: Annotated[
            float, typer.Option("--system-interval", help="Seconds between samples.")
        ] = 15.0,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Run a command as a run: its output is shown and saved, its exit code passed on.

        Example: artifactctl run exec --project mnist --job-type train -- python train.py
        """
        from artifactctl.cli.render import warn
        from artifactctl.ops.runexec import exec_run

        conf = _config(config, config_file)
        with common.open_store(store) as s:
            result = exec_run(
                s,
                list(command),
                stdout=sys.stdout.buffer if not json else sys.stderr.buffer,
                stderr=sys.stderr.buffer,
                system_metrics=system_metrics,
                system_interval=system_interval,
                on_start=(lambda i: warn(f"run {i.id} ({i.row.name}) started"))
                if not json
                else None,
                name=name,
                project=project,
                group=group,
                job_type=job_type,
                tags=tag or [],
                notes=notes,
                config=conf,
            )
        if json:
            print_json(result.to_json())
        else:
            sys.stderr.write(f"run {result.run_id} ({result.name}): {result.state}\n")
        raise typer.Exit(result.exit_code)

    @run_app.command("ls")
    def ls_cmd(
        project: ProjectOpt = None,
        filter: Annotated[
            list[str] | None,
            typer.Option("--filter", "-f", help="FIELD OP VALUE, e.g. summary.acc>0.9."),
        ] = None,
        order: Annotated[
            str, typer.Option("--order", help="[+-]FIELD, e.g. -summary.val_acc.")
        ] = "+created_at",
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """List runs, filtered and ordered.

        Example: artifactctl run ls --filter state=finished --filter 'summary.val_acc>0.9'
        """
        from artifactctl.ops.runs import list_runs

        with common.open_store(store) as s:
            infos = list_runs(s, project=project, filters=filter or [], order=order)
        if json:
            print_json([i.to_json(full=False) for i in infos])
            return
        t = table("id", "name", "project", "state", "job type", "created", "tags", "summary")
        for i in infos:
            r = i.row
            summary = ", ".join(f"{k}={_short(v)}" for k, v in list(r.summary.items())[:4])
            t.add_row(
                r.id,
                r.name,
                r.project,
                _state_style(i.state),
                r.job_type or "",
                r.created_at[:19].replace("T", " "),
                ",".join(r.tags),
                summary,
            )
        show_table(t)

    @run_app.command("show")
    def show_cmd(run: RunArg, store: common.StoreOpt = None, json: common.JsonOpt = False) -> None:
        """Show a run: state, config, summary, environment, inputs and outputs.

        Example: artifactctl run show pleasant-flower-4
        """
        from artifactctl.ops.runs import show_run

        with common.open_store(store) as s:
            info = show_run(s, run)
        doc = info.to_json()
        if json:
            print_json(doc)
            return
        r = info.row
        out(f"run {r.id}  {r.name}  [{r.project}]")
        from artifactctl.cli.render import console

        console().print(
            f"  state     {_state_style(info.state)}"
            + (f" (exit code {r.exit_code})" if r.exit_code is not None else "")
        )
        for label, key in (("group", "group"), ("job type", "job_type"), ("notes", "notes")):
            if doc[key]:
                out(f"  {label:9} {doc[key]}")
        if r.tags:
            out(f"  tags      {', '.join(r.tags)}")
        out(f"  created   {r.created_at}   runtime {doc['runtime']} s")
        meta = r.meta
        if meta.get("command_line"):
            out(f"  command   {meta['command_line']}")
        if meta.get("cwd"):
            out(f"  cwd       {meta['cwd']}")
        git = meta.get("git")
        if git:
            out(f"  git       {git.get('commit')}{' (dirty)' if git.get('dirty') else ''}")
        if meta.get("hostname"):
            out(
                f"  host      {meta['hostname']}  {meta.get('os', '')}  Python {meta.get('python')}"
            )
        for title, values in (("config", r.config), ("summary", r.summary)):
            if values:
                out(f"  {title}:")
                for k, v in values.items():
                    out(f"    {k} = {_short(v, 60)}")
        out(f"  inputs    {', '.join(info.inputs) or '-'}")
        out(f"  outputs   {', '.join(info.outputs) or '-'}")

    @run_app.command("logs")
    def logs_cmd(
        run: RunArg,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Copy the whole log to this file.")
        ] = None,
        tail: Annotated[int, typer.Option("--tail", help="Lines to show.")] = 10_000,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Print the last lines of a run's output (stdout and stderr of `run exec`).

        Example: artifactctl run logs pleasant-flower-4 --output full.log
        """
        from artifactctl.ops.runs import copy_log, read_log

        with common.open_store(store) as s:
            if output is not None:
                path = copy_log(s, run, str(output))
                if json:
                    print_json({"output": path})
                else:
                    out(path)
                return
            result = read_log(s, run, tail=tail)
        if json:
            print_json(result.to_json())
            return
        for line in result.lines:
            out(line)

    @run_app.command("delete")
    def delete_cmd(
        run: RunArg,
        delete_artifacts: Annotated[
            bool,
            typer.Option("--delete-artifacts", help="Also delete the versions the run logged."),
        ] = False,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Delete a run (its history, logs and lineage records).

        Example: artifactctl run delete 1a2b3c4d --delete-artifacts
        """
        from artifactctl.ops.runs import delete_run

        with common.open_store(store) as s:
            result = delete_run(s, run, delete_artifacts=delete_artifacts)
        if json:
            print_json(result.to_json())
        else:
            extra = f" and {', '.join(result.deleted_versions)}" if result.deleted_versions else ""
            out(f"deleted run {result.id} ({result.name}){extra}")

    @run_app.command("update")
    def update_cmd(
        run: RunArg,
        group: GroupOpt = None,
        tag: Annotated[list[str] | None, typer.Option("--tag", help="Add a tag.")] = None,
        untag: Annotated[list[str] | None, typer.Option("--untag", help="Remove a tag.")] = None,
        notes: NotesOpt = None,
        name: Annotated[str | None, typer.Option("--name", help="Rename.")] = None,
        store: common.StoreOpt = None,
        json: common.JsonOpt = False,
    ) -> None:
        """Change a run's group, tags, notes or name.

        Example: artifactctl run update 1a2b3c4d --tag baseline --notes "first try"
        """
        from artifactctl.ops.runs import update_run

        with common.open_store(store) as s:
            info = update_run(
                s,
                run,
                group=group,
                add_tags=tag or [],
                remove_tags=untag or [],
                notes=notes,
                name=name,
            )
        if json:
            print_json(info.to_json())
        else:
            out(f"updated {info.id} ({info.row.name})")

    from artifactctl.cli import runmetrics

    runmetrics.register(run_app, runs_app)


def _short(value: Any, limit: int = 24) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
