"""Shared edge helpers for the CLI: error translation, JSON output, the catalog handle.

Only the CLI prints. Library errors (:class:`~spicetrader.errors.SpiceError`) become one clear
line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console

    from spicetrader.catalog.catalog import Catalog

P = ParamSpec("P")
R = TypeVar("R")

EXIT_USAGE = 2


def fail(message: str) -> typer.Exit:
    """Print ``message`` as an error on stderr and return the exit to raise (status 2)."""
    sys.stderr.write(f"Error: {message}\n")
    return typer.Exit(EXIT_USAGE)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library and input errors into a message on stderr and exit status 2."""
    from pydantic import ValidationError

    from spicetrader.errors import SpiceError

    try:
        yield
    except SpiceError as exc:
        raise fail(str(exc)) from None
    except ValidationError as exc:
        raise fail(format_validation_error(exc)) from None
    except FileNotFoundError as exc:
        raise fail(f"file not found: {exc.filename}") from None


def handles_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of :func:`user_errors` for typer commands."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with user_errors():
            return func(*args, **kwargs)

    return wrapper


def format_validation_error(exc: Any) -> str:
    """One readable line per pydantic error: ``field.path: message``."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ())) or "input"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid input: " + "; ".join(parts)


def esc(value: object) -> str:
    """``value`` as text that rich prints literally: user-supplied names (a model called
    ``[/bold]``, a file in ``[red]dir``) must never be read as markup."""
    from rich.markup import escape

    return escape(str(value))


def print_json(data: object) -> None:
    """``data`` as JSON on stdout: indented for a terminal, compact when piped (json's C
    encoder: a 400-option plan's 1.3 MB of JSON encodes ~10x faster without indentation); a
    non-finite number (never valid JSON) is written as null."""
    indent = 2 if sys.stdout.isatty() else None
    try:
        text = json.dumps(data, indent=indent, default=str, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite_or_null(data), indent=indent, default=str, allow_nan=False)
    sys.stdout.write(text + "\n")


def _finite_or_null(data: object) -> object:
    import math

    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: _finite_or_null(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_finite_or_null(v) for v in data]
    return data


def console() -> Console:
    """A console for stdout; its size is read once (rich otherwise asks the terminal for its
    height at every measurement: hundreds of failed ``ioctl`` calls for one plan's tables
    when the output is a pipe)."""
    from rich.console import Console

    out = Console(soft_wrap=False)
    out.size = out.size
    return out


_HANDLER_NAME = "spice-verbose"


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg]
    """A handler that writes to whatever ``sys.stderr`` is when a record is emitted."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def log_to_stderr(verbose: bool) -> None:
    """Show the library's INFO log records (what was loaded from where) on stderr when
    ``verbose``; otherwise leave the ``spicetrader`` logger as Python's defaults have it. Set
    afresh for every command, so nothing carries over from one invocation to the next."""
    logger = logging.getLogger("spicetrader")
    for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
        logger.removeHandler(old)
    logger.setLevel(logging.NOTSET)
    if not verbose:
        return
    handler = _CurrentStderr()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter("spice: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def load_catalog() -> Catalog:
    """The bundled catalog overlaid with the user's directory (``$SPICETRADER_HOME``)."""
    from spicetrader.catalog.load import load_catalog as _load
    from spicetrader.paths import user_catalog_dir, user_home

    return _load(user_dir=user_catalog_dir(user_home()))


def save_charts(chart: Path, write: Callable[[Path], Sequence[Path]]) -> None:
    """Write the charts named after ``chart`` and say where; a failed write is an InputError."""
    from spicetrader.errors import InputError

    try:
        paths = write(chart)
    except OSError as exc:
        raise InputError(f"cannot write the charts next to {chart}: {exc.strerror}") from None
    typer.echo("wrote " + ", ".join(str(p) for p in paths), err=True)


def plain_stdout_width(piped_width: int) -> int | None:
    """The width a plain view of stdout has when rich would write it without colours or
    other control codes (a pipe, a file: :func:`fit_width`'s COLUMNS or ``piped_width``);
    None where rich decides otherwise or might (a terminal, ``FORCE_COLOR`` or
    ``TTY_COMPATIBLE`` set, Jupyter, Windows' consoles, an encoding other than UTF)."""
    import builtins
    import os

    environ = os.environ
    if (
        sys.platform == "win32"
        or "FORCE_COLOR" in environ
        or "TTY_COMPATIBLE" in environ
        or hasattr(builtins, "get_ipython")
        or not (getattr(sys.stdout, "encoding", None) or "utf-8").lower().startswith("utf")
    ):
        return None
    try:
        if sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    columns = environ.get("COLUMNS", "")
    return int(columns) if columns.isdigit() and int(columns) > 0 else piped_width


def fit_width(out: Console, piped_width: int) -> None:
    """A file or a pipe has no width: COLUMNS when it is set, else ``piped_width``."""
    import os

    if not out.is_terminal:
        columns = os.environ.get("COLUMNS", "")
        out.width = int(columns) if columns.isdigit() and int(columns) > 0 else piped_width
