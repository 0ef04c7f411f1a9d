"""Strict CSV reading: exact header, every row validated, errors name file, line and field.

Format: UTF-8 CSV; lines starting with ``#`` are comments; blank lines are skipped; one record per
physical line (no multi-line quoted cells). An empty cell means "absent": the field's default
(``None`` for optional numbers, ``()`` for lists, ``""`` for notes) or an error for required
fields. List fields are separated by ``;``.
"""

from __future__ import annotations

import csv
import types
import typing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from pydantic import BaseModel, ValidationError

from spicetrader.errors import CatalogDataError

__all__ = ["Located", "parse_rows", "read_rows", "render_rows"]

M = TypeVar("M", bound=BaseModel)
LIST_SEPARATOR = ";"


@dataclass(frozen=True)
class Located(Generic[M]):
    """A validated row and where it came from (for error messages after loading)."""

    row: M
    path: str
    line: int


def _is_tuple_field(model: type[BaseModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return any(typing.get_origin(a) is tuple for a in typing.get_args(annotation))
    return typing.get_origin(annotation) is tuple


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        yield number, next(csv.reader([line]))


def _accepted_header(header: list[str], columns: Sequence[str], optional: Sequence[str]) -> bool:
    """The full header, or one that leaves out a trailing run of the optional (newer) columns."""
    full = list(columns)
    if header == full:
        return True
    for cut in range(1, len(optional) + 1):
        dropped = list(optional[-cut:])
        if full[-cut:] == dropped and header == full[:-cut]:
            return True
    return False


def parse_rows(
    text: str, model: type[M], columns: Sequence[str], path: str, optional: Sequence[str] = ()
) -> list[Located[M]]:
    """Parse CSV ``text`` into validated ``model`` rows; any problem raises CatalogDataError.

    ``optional``: trailing columns added in later versions that an older file may leave out
    (their fields then take their defaults).
    """
    records = _records(text)
    header_at = next(records, None)
    if header_at is None:
        raise CatalogDataError(path, None, None, "no header line; expected: " + ",".join(columns))
    header_line, header = header_at
    header = [h.strip() for h in header]
    if _accepted_header(header, columns, optional):
        columns = header
    else:
        missing = [c for c in columns if c not in header]
        extra = [h for h in header if h not in columns]
        what = []
        if missing:
            what.append("missing " + ", ".join(missing))
        if extra:
            what.append("unexpected " + ", ".join(extra))
        if not what:
            what.append("columns out of order")
        bad: str | None = (missing or extra or [""])[0] or None
        raise CatalogDataError(
            path, header_line, bad,
            "bad header (" + "; ".join(what) + "); expected: " + ",".join(columns),
        )  # fmt: skip
    tuple_fields = {c for c in columns if _is_tuple_field(model, c)}
    rows: list[Located[M]] = []
    for line, cells in records:
        if len(cells) != len(columns):
            raise CatalogDataError(
                path, line, None, f"expected {len(columns)} cells, found {len(cells)}"
            )
        data: dict[str, object] = {}
        for column, cell in zip(columns, cells, strict=True):
            cell = cell.strip()
            if not cell:
                continue
            if column in tuple_fields:
                data[column] = tuple(p.strip() for p in cell.split(LIST_SEPARATOR) if p.strip())
            else:
                data[column] = cell
        try:
            rows.append(Located(model.model_validate(data), path, line))
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = err.get("loc", ())
            name = str(loc[0]) if loc else None
            message = str(err.get("msg", "invalid value"))
            if name in data:
                message += f" (got {data[name]!r})"
            elif name is not None and err.get("type") == "missing":
                message = "required value is empty"
            raise CatalogDataError(path, line, name, message) from None
    return rows


def read_rows(
    path: Path, model: type[M], columns: Sequence[str], optional: Sequence[str] = ()
) -> list[Located[M]]:
    """Read and validate the CSV file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogDataError(str(path), None, None, f"not UTF-8 text: {exc}") from None
    return parse_rows(text, model, columns, str(path), optional)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(_cell(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def render_rows(rows: Sequence[BaseModel], columns: Sequence[str]) -> str:
    """CSV text (header + rows) that :func:`parse_rows` reads back to equal rows."""
    lines = [",".join(columns)]
    for row in rows:
        dumped = row.model_dump()
        cells = [_cell(dumped[c]) for c in columns]
        lines.append(_csv_line(cells))
    return "\n".join(lines) + "\n"


def _csv_line(cells: list[str]) -> str:
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(cells)
    return buffer.getvalue()
