"""``spice serve``: the local web app (form, charts, JSON API). Needs the ``web`` extra.

FastAPI and uvicorn are imported inside the command, never when the CLI starts.
"""

from __future__ import annotations

import typer

from spicetrader.cli.common import fail, handles_errors
from spicetrader.web import DEFAULT_HOST, DEFAULT_PORT  # light: no FastAPI, no asyncio

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@handles_errors
def serve(
    host: str = typer.Option(
        DEFAULT_HOST, "--host", help="Address to bind; loopback unless you choose otherwise."
    ),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="TCP port."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log requests."),
    allow_host: list[str] = typer.Option(
        [],
        "--allow-host",
        help="Another name the app may be reached by (Host header), e.g. the machine's name "
        "when serving on another interface; repeatable. Loopback names are always allowed.",
    ),
) -> None:
    """Run the web app: a workload form with charts, and the JSON API (OpenAPI at /docs)."""
    try:
        from spicetrader.web.app import create_app
        from spicetrader.web.server import serve as run_server
    except ModuleNotFoundError as exc:
        raise fail(
            f"spice serve needs the web extra ({exc.name} is missing): "
            "pip install 'spicetrader[web]'"
        ) from None
    from spicetrader.context import Context

    # the user's world, read once (a bad file fails here, before the server starts); a web
    # request never reaches the Hugging Face Hub
    context = Context.load(hub=False)
    if host not in LOOPBACK:
        typer.echo(
            f"Warning: serving on {host}, reachable from other machines; they must use a name "
            "or address given with --allow-host (the Host header is checked).",
            err=True,
        )
    typer.echo(f"spicetrader web app on http://{_url_host(host)}:{port}/ (API docs at /docs)")
    run_server(
        create_app(context=context),
        host=host,
        port=port,
        access_log=access_log,
        allow_hosts=allow_host,
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
