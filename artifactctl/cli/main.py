"""Entry point: runs the typer app and turns every outcome into a documented exit code."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answered without importing typer, for scripts
        from artifactctl import __version__

        print(f"artifactctl {__version__}")
        sys.exit(0)
    sys.exit(run(args))


def run(args: list[str]) -> int:
    import typer

    from artifactctl.cli.app import build_app, click_exceptions
    from artifactctl.cli.render import print_error
    from artifactctl.errors import ArtifactctlError

    app = build_app(args)
    cx = click_exceptions()
    try:
        result = app(args=args, prog_name="artifactctl", standalone_mode=False)
    except ArtifactctlError as exc:
        print_error(exc)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except cx.ClickException as exc:
        exc.show()
        return 2
    except (KeyboardInterrupt, typer.Abort):
        sys.stderr.write("interrupted\n")
        return 130
    except BrokenPipeError:
        _quiet_broken_pipe()
        return 0
    return int(result) if isinstance(result, int) else 0


def _quiet_broken_pipe() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
