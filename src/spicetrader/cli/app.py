"""The ``spice`` command. Keep this module light: ``spice --help`` must start fast.

Each command group lives in its own module and imports its heavy dependencies inside the
command functions.
"""

from __future__ import annotations

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
    app(prog_name="spice")  # also under ``python -m spicetrader``: completion is for `spice`
