"""Catalog commands: ``spice hardware list|show``, ``spice offers``, ``spice systems``,
``spice free-tiers`` and ``spice catalog check`` (in ``catalog_check.py``).

Heavy imports (pydantic models, rich) happen inside the command functions. ``offers_app`` is a
group whose callback lists offers, so later work can add ``spice offers refresh|add``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

import typer

from spicetrader.cli.common import console, esc, handles_errors, load_catalog, print_json

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from pydantic import BaseModel
    from rich.table import Table

    from spicetrader.catalog.schema import Accelerator, FreeTier, Offer, System, Vendor

__all__ = ["hardware_app", "offers_app", "register"]

hardware_app = typer.Typer(
    help="Accelerators (GPUs, TPUs, Apple chips) in the catalog.", no_args_is_help=True
)
offers_app = typer.Typer(
    help="Cloud GPU offers (bundled snapshot + your own rows), cheapest per GPU-hour first.",
    invoke_without_command=True,
)

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")

Row = TypeVar("Row")


def _dump(row: BaseModel) -> dict[str, Any]:
    """A row as JSON-ready data, ``id`` first and ``source``/``as_of`` last."""
    data = row.model_dump(mode="json")
    tail = {key: data.pop(key) for key in ("source", "as_of")}
    return {"id": data.pop("id"), **data, **tail}


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _table(title: str, columns: Sequence[str]) -> Table:
    from rich.table import Table

    table = Table(title=esc(title), title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column == "id")
    return table


def _print_rows(
    rows: Sequence[Row],
    json_out: bool,
    as_json: Callable[[Row], dict[str, Any]],
    title: str,
    columns: Sequence[str],
    cells: Callable[[Row], Sequence[str]],
) -> None:
    """Print ``rows`` as a JSON list or as a table with one row of ``cells`` each."""
    if json_out:
        print_json([as_json(row) for row in rows])
        return
    table = _table(title, columns)
    for row in rows:
        table.add_row(*(esc(cell) for cell in cells(row)))
    console().print(table)


def _vendor(value: str) -> Vendor:
    import difflib

    from spicetrader.catalog.schema import Vendor
    from spicetrader.errors import UnknownNameError

    accepted = [v.value for v in Vendor]
    try:
        return Vendor(value.strip().lower())
    except ValueError:
        near = difflib.get_close_matches(value.lower(), accepted, n=3, cutoff=0.3)
        raise UnknownNameError(
            "vendor", value, near, hint="accepted: " + ", ".join(accepted)
        ) from None


@hardware_app.command("list")
@handles_errors
def hardware_list(
    vendor: str | None = typer.Option(None, "--vendor", help="nvidia, amd, google, intel, apple"),
    min_memory_gb: float | None = typer.Option(
        None, "--min-memory-gb", help="At least this much memory (largest config), GB."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """List accelerators (dense peak figures; * = some figures estimated)."""
    from spicetrader.catalog.filter import AcceleratorQuery, matches

    query = AcceleratorQuery(
        vendor=None if vendor is None else _vendor(vendor), min_memory_gb=min_memory_gb
    )
    rows = [a for a in load_catalog().accelerators.values() if matches(a, query)]
    _print_rows(
        rows, json_out, _dump, "Accelerators",
        ["id", "vendor", "memory GB", "GB/s", "FP32", "FP16/BF16", "FP8", "TDP W", "as_of"],
        _accelerator_cells,
    )  # fmt: skip


def _accelerator_cells(a: Accelerator) -> tuple[str, ...]:
    memory = "/".join(f"{m:g}" for m in a.memory_configs_gb) or f"{a.memory_gb:g}"
    return (
        a.id + (" *" if a.estimated else ""), a.vendor.value, memory, _num(a.mem_bw_gbs, 0),
        _num(a.fp32_tflops), _num(a.fp16_tflops), _num(a.fp8_tflops, 0), _num(a.tdp_w, 0),
        a.as_of,
    )  # fmt: skip


@hardware_app.command("show")
@handles_errors
def hardware_show(
    name: str = typer.Argument(..., help="An id or common spelling ('H100 SXM', 'RTX 4090')."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Show one accelerator with every field, its source and date."""
    accelerator = load_catalog().accelerator(name)
    _show(accelerator, json_out)


def _show(row: Accelerator | System, json_out: bool) -> None:
    data = _dump(row)
    if json_out:
        print_json(data)
        return
    table = _table(f"{row.name} ({row.id})", ["field", "value"])
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        table.add_row(key, "-" if value is None or value == "" else esc(value))
    console().print(table)


def _offer_dict(offer: Offer) -> dict[str, Any]:
    data = _dump(offer)
    data["price_usd_per_gpu_hour"] = offer.price_usd_per_gpu_hour
    data["spot_price_usd_per_gpu_hour"] = offer.spot_price_usd_per_gpu_hour
    return data


@offers_app.callback(invoke_without_command=True)
@handles_errors
def offers(
    ctx: typer.Context,
    gpu: str | None = typer.Option(None, "--gpu", help="Accelerator id or name ('a100' = all)."),
    min_gpus: int | None = typer.Option(None, "--min-gpus", help="At least this many GPUs."),
    max_price: float | None = typer.Option(
        None, "--max-price", help="Instance price at most this, USD/hour (spot with --spot)."
    ),
    provider: str | None = typer.Option(None, "--provider", help="lambda, aws, gcp, ..."),
    spot: bool = typer.Option(False, "--spot", help="Only offers with a spot price, at spot."),
    json_out: bool = JSON_OPTION,
) -> None:
    """List cloud offers, cheapest per GPU-hour first."""
    if ctx.invoked_subcommand is not None:
        return
    from spicetrader.catalog.filter import OfferQuery, select_offers
    from spicetrader.context import Context

    context = Context.load(hub=False)  # your rows + the freshest snapshot + your quotes
    catalog, prices = context.catalog, context.prices
    query = OfferQuery.named(
        catalog,
        gpu=gpu,
        min_gpus=min_gpus,
        max_price_usd_per_hour=max_price,
        provider=provider,
        spot=spot,
    )
    rows = select_offers(catalog.offers, query)
    _print_rows(
        rows, json_out, _offer_dict,
        f"Cloud offers ({catalog.offers_note}; {prices.describe()}; USD/h, whole instance)",
        ["id", "GPU", "n", "$/h", "$/GPU-h", "spot $/h", "vCPU", "RAM GB", "regions", "as_of"],
        lambda o: (
            o.id, o.accelerator, str(o.count), _num(o.price_usd_per_hour, 2),
            _num(o.price_usd_per_gpu_hour, 2), _num(o.spot_price_usd_per_hour, 2),
            "-" if o.vcpus is None else str(o.vcpus), _num(o.ram_gb, 0), str(o.region_count),
            o.as_of,
        ),
    )  # fmt: skip
    if not rows and not json_out:
        console().print("No offer matches these filters.")


@handles_errors
def systems(json_out: bool = JSON_OPTION) -> None:
    """List systems to buy (servers, workstations, Macs, DGX Spark), one row per configuration."""
    _print_rows(
        load_catalog().systems, json_out, _dump, "Systems to buy (* = estimated price or power)",
        ["id", "kind", "accelerator", "memory GB", "price USD", "power W typ/max", "as_of"],
        lambda s: (
            s.id + (" *" if s.estimated else ""), s.kind.value, f"{s.count}x {s.accelerator}",
            f"{s.memory_gb:g}", _num(s.price_usd, 0),
            f"{s.power_typical_w:,.0f}/{s.power_max_w:,.0f}", s.price_as_of,
        ),
    )  # fmt: skip


def _tier_dict(tier: FreeTier) -> dict[str, Any]:
    data = _dump(tier)
    data["monthly_hours"] = tier.monthly_hours
    return data


@handles_errors
def free_tiers(json_out: bool = JSON_OPTION) -> None:
    """List free and low-cost notebook tiers (Colab, Kaggle, ...)."""
    _print_rows(
        load_catalog().free_tiers, json_out, _tier_dict,
        "Free and notebook tiers (limits change without notice)",
        ["id", "GPU", "session h", "idle min", "h/week", "USD/month", "CU/month", "conf.", "as_of"],
        lambda t: (
            t.id, f"{t.count}x {t.accelerator}", _num(t.session_hours, 0),
            _num(t.idle_timeout_minutes, 0), _num(t.weekly_quota_hours, 0),
            _num(t.monthly_price_usd, 2), _num(t.compute_units_per_month, 0),
            t.confidence.value, t.as_of,
        ),
    )  # fmt: skip


def register(app: typer.Typer) -> None:
    """Attach the catalog command groups to ``app``."""
    app.add_typer(hardware_app, name="hardware")
    app.add_typer(offers_app, name="offers")
    app.command("systems")(systems)
    app.command("free-tiers")(free_tiers)
    from spicetrader.cli.catalog_check import catalog_app

    app.add_typer(catalog_app, name="catalog")
