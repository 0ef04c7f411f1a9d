"""Load the catalog: the bundled data files (cached) overlaid by the user's directory.

The user's directory holds files with the same names and columns as the bundled ones
(``accelerators.csv``, ``systems.csv``, ``offers.csv``, ``free_tiers.csv``, ``economics.csv``).
A user row replaces the bundled row with the same id; new ids are added. User rows are
validated just as strictly, and errors name the user's file.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.csvload import Located, read_rows, render_rows
from spicetrader.catalog.files import CatalogFile, spec_of
from spicetrader.catalog.names import resolve
from spicetrader.catalog.schema import (
    Accelerator,
    Economics,
    EconomicsKey,
    EconomicsRow,
    EconomicsValue,
    FreeTier,
    Offer,
    System,
)
from spicetrader.errors import AmbiguousNameError, CatalogDataError, UnknownNameError
from spicetrader.fileio import write_text_atomic

__all__ = ["bundled_data_dir", "load_catalog", "read_user_rows", "write_user_rows"]

Table = dict[str, Located[Any]]  # id -> row with its file and line
log = logging.getLogger(__name__)


def bundled_data_dir() -> Path:
    """The folder of the data files shipped inside the package."""
    return Path(str(files("spicetrader.catalog") / "data"))


def _read_table(path: Path, kind: CatalogFile) -> Table:
    spec = spec_of(kind)
    table: Table = {}
    for located in read_rows(path, spec.model, spec.columns, spec.optional):
        ident = str(located.row.id)  # type: ignore[attr-defined]
        if ident in table:
            first = table[ident].line
            raise CatalogDataError(
                str(path), located.line, "id", f"duplicate id {ident!r} (first on line {first})"
            )
        table[ident] = located
    return table


@functools.cache
def _bundled_tables() -> tuple[tuple[CatalogFile, Table], ...]:
    base = bundled_data_dir()
    return tuple((kind, _read_table(base / spec_of(kind).filename, kind)) for kind in CatalogFile)


def _user_tables(user_dir: Path) -> dict[CatalogFile, Table]:
    found: dict[CatalogFile, Table] = {}
    for kind in CatalogFile:
        path = user_dir / spec_of(kind).filename
        if path.is_file():
            found[kind] = _read_table(path, kind)
            log.info("your catalog rows: %s (%d rows)", path, len(found[kind]))
    return found


def _economics(table: Table) -> Economics:
    rows = {cast(EconomicsRow, loc.row).id: cast(EconomicsRow, loc.row) for loc in table.values()}
    missing = [k.value for k in EconomicsKey if k not in rows]
    if missing:
        where = next(iter(table.values())).path if table else "economics.csv"
        raise CatalogDataError(where, None, "id", "missing rows: " + ", ".join(missing))

    def value(key: EconomicsKey) -> EconomicsValue:
        row = rows[key]
        return EconomicsValue(value=row.value, unit=row.unit, source=row.source,
                              as_of=row.as_of, note=row.note)  # fmt: skip

    return Economics(
        electricity=value(EconomicsKey.ELECTRICITY),
        colocation=value(EconomicsKey.COLOCATION),
        datacenter_pue=value(EconomicsKey.DATACENTER_PUE),
        office_pue=value(EconomicsKey.OFFICE_PUE),
        depreciation=value(EconomicsKey.DEPRECIATION),
    )


def _nearest_ids(name: str, ids: Iterable[str]) -> list[str]:
    """Ids a mistyped accelerator reference probably meant (for the error message)."""
    try:
        return [resolve("hardware", name, ids, {})]
    except AmbiguousNameError as exc:
        return exc.choices
    except UnknownNameError as exc:
        return exc.suggestions


def _check_references(tables: dict[CatalogFile, Table]) -> None:
    accelerators = tables[CatalogFile.ACCELERATORS]
    for kind in (CatalogFile.SYSTEMS, CatalogFile.OFFERS, CatalogFile.FREE_TIERS):
        for located in tables[kind].values():
            name = located.row.accelerator
            if name not in accelerators:
                near = _nearest_ids(name, accelerators)
                hint = f"; did you mean: {', '.join(near)}?" if near else ""
                raise CatalogDataError(
                    located.path, located.line, "accelerator",
                    f"unknown accelerator id {name!r} (use a catalog id){hint}",
                )  # fmt: skip


def _rows(table: Table) -> Iterable[Any]:
    return (located.row for located in table.values())


def _build(tables: dict[CatalogFile, Table]) -> Catalog:
    _check_references(tables)
    return Catalog.from_rows(
        accelerators=cast(Iterable[Accelerator], _rows(tables[CatalogFile.ACCELERATORS])),
        systems=cast(Iterable[System], _rows(tables[CatalogFile.SYSTEMS])),
        offers=cast(Iterable[Offer], _rows(tables[CatalogFile.OFFERS])),
        free_tiers=cast(Iterable[FreeTier], _rows(tables[CatalogFile.FREE_TIERS])),
        economics=_economics(tables[CatalogFile.ECONOMICS]),
    )


@functools.cache
def _bundled_catalog() -> Catalog:
    return _build(dict(_bundled_tables()))


def load_catalog(user_dir: Path | str | None = None) -> Catalog:
    """The bundled catalog, overlaid by the CSV files in ``user_dir`` when given and present."""
    if user_dir is None:
        return _bundled_catalog()
    overlay = _user_tables(Path(user_dir))
    if not overlay:
        return _bundled_catalog()
    tables = {kind: dict(table) for kind, table in _bundled_tables()}
    for kind, user_table in overlay.items():
        tables[kind].update(user_table)
    return _build(tables)


def read_user_rows(user_dir: Path, kind: CatalogFile) -> list[BaseModel]:
    """The rows of the user's file of this kind (empty when the file does not exist)."""
    path = user_dir / spec_of(kind).filename
    if not path.is_file():
        return []
    return [located.row for located in _read_table(path, kind).values()]


def write_user_rows(user_dir: Path, kind: CatalogFile | str, rows: Sequence[BaseModel]) -> Path:
    """Add or replace (by id) ``rows`` in the user's file of this kind, atomically.

    Rows must be instances of the file's model (``Offer`` for offers...). Returns the path.
    """
    kind = CatalogFile(kind)
    spec = spec_of(kind)
    for row in rows:
        if not isinstance(row, spec.model):
            raise TypeError(f"{kind.value} rows must be {spec.model.__name__}, got {type(row)}")
    merged: dict[str, BaseModel] = {str(r.id): r for r in read_user_rows(user_dir, kind)}  # type: ignore[attr-defined]
    for row in rows:
        merged[str(row.id)] = row  # type: ignore[attr-defined]
    path = user_dir / spec.filename
    header = f"# spicetrader user catalog: {spec.filename} (same columns as the bundled file)\n"
    write_text_atomic(path, header + render_rows(list(merged.values()), spec.columns))
    return path
