"""``spice catalog check``: offers by provider and by age, stale prices, rows missing a source."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from spicetrader.cli.common import console, handles_errors, print_json

if TYPE_CHECKING:
    from spicetrader.catalog.check import CatalogCheck

__all__ = ["catalog_app"]

catalog_app = typer.Typer(help="The catalog itself: how current and how sourced it is.")

_SHOWN = 12  # ids listed per group in the human view (--json lists them all)


def _print(check: CatalogCheck, note: str) -> None:
    from rich.table import Table

    out = console()
    table = Table(title=f"Offers by provider ({note}; ages against {check.reference_date})")
    for column in ("provider", "offers", "marketplace", "oldest as_of", "newest as_of", "stale"):
        table.add_column(column, no_wrap=True)
    for p in check.providers:
        table.add_row(p.provider, str(p.offers), str(p.marketplace), p.oldest_as_of,
                      p.newest_as_of, str(p.stale))  # fmt: skip
    out.print(table)
    ages = Table(title=f"Prices by age (stale: older than {check.stale_after_days} days)")
    for column in ("age", "offers", "purchase prices"):
        ages.add_column(column, no_wrap=True)
    for a in check.ages:
        ages.add_row(a.age, str(a.offers), str(a.purchase_prices))
    out.print(ages)
    groups = (
        ("stale offers", check.stale_offers),
        ("stale purchase prices", check.stale_purchase_prices),
        ("rows whose source is neither a URL nor a key of SOURCES.md", check.undocumented_sources),
    )
    for title, ids in groups:
        more = f" (+{len(ids) - _SHOWN} more; --json lists all)" if len(ids) > _SHOWN else ""
        listed = ", ".join(ids[:_SHOWN]) if ids else "none"
        out.print(f"{title} ({len(ids)}): {listed}{more}")


@catalog_app.command("check")
@handles_errors
def check(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Measure ages against this date (YYYY-MM-DD; default today)."
    ),
    bundled: bool = typer.Option(
        False, "--bundled", help="Check the bundled snapshot only (ages against its own date)."
    ),
    json_out: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Counts of offers by provider and by age, stale prices and rows missing a source."""
    from datetime import date

    from spicetrader.catalog.check import check_catalog, documented_source_keys
    from spicetrader.catalog.load import bundled_data_dir
    from spicetrader.catalog.staleness import as_of_date, snapshot_date
    from spicetrader.errors import InputError

    if as_of is not None:
        try:
            today = as_of_date(as_of)
        except ValueError as exc:
            raise InputError(f"--as-of: {exc}") from None
    else:
        today = snapshot_date() if bundled else date.today()
    keys = documented_source_keys((bundled_data_dir() / "SOURCES.md").read_text(encoding="utf-8"))
    if bundled:
        from spicetrader.catalog.load import load_catalog as load_bundled

        catalog, note = load_bundled(), "bundled snapshot"
    else:
        from spicetrader.context import Context

        context = Context.load(hub=False, today=today)  # your rows, snapshot and quotes
        catalog, note = context.catalog, context.prices.describe()
    result = check_catalog(catalog, today, keys)
    if json_out:
        print_json(result.to_dict())
    else:
        _print(result, note)
