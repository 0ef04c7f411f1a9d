"""The ``spice`` command. Keep this module light: ``spice --help`` must start fast.

Each command group lives in its own module and imports its heavy dependencies inside the
command functions.
"""

from __future__ import annotations

from typing import NoReturn

import typer

app = typer.Typer(
    name="spice",
    help=(
        "spicetrader: will it fit, how fast will it run, what will it cost — "
        "buy a server, buy a Mac, rent cloud GPUs or use a free tier."
    ),
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"spicetrader {version('spicetrader')}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Say what was loaded from where (on stderr)."
    ),
) -> None:
    """spicetrader: will it fit, how fast, what will it cost."""
    from spicetrader.cli.common import log_to_stderr

    log_to_stderr(verbose)


def _register() -> None:
    """Attach every command group, in the order ``spice --help`` lists them."""
    from spicetrader.cli import (
        catalog_cmds,
        estimate_cmd,
        fleet_cmd,
        models_cmds,
        plan_cmd,
        serve_cmd,
        sources_cmds,
    )

    plan_cmd.register(app)
    estimate_cmd.register(app)
    fleet_cmd.register(app)
    catalog_cmds.register(app)
    models_cmds.register(app)
    sources_cmds.register(app)
    serve_cmd.register(app)


_register()


def main() -> None:
    """``spice``: run the command, then end the process as soon as its output is written.

    Python's own exit tears the interpreter down object by object (every module, the catalog,
    the plan: ~0.07 s of a 0.5 s ``spice plan``) for a process that is about to end anyway. The
    command's work is done by then (files are written and closed inside the commands, which
    start no threads that outlive them), so once stdout and stderr are flushed the process
    exits at once with the command's status. When the output cannot be flushed (a closed pipe)
    Python's own exit handles it, as before."""
    try:
        app(prog_name="spice")  # also under ``python -m spicetrader``: completion is for `spice`
    except SystemExit as exc:
        _exit_now(exc)


def _exit_now(exc: SystemExit) -> NoReturn:
    import logging
    import os
    import sys

    code = exc.code
    try:
        if code is not None and not isinstance(code, int):
            sys.stderr.write(f"{code}\n")  # what Python prints for sys.exit("message")
            code = 1
        logging.shutdown()  # flushes the --verbose handler
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        raise exc from None  # a closed pipe or stream: Python reports it as it always did
    os._exit(code or 0)
