#!/usr/bin/env python3
"""Build the bundled offers snapshot (``catalog/data/offers.csv``) from transcribed price lists.

The next refresh is one command, run from the repository root:

    python scripts/build_offers.py --date YYYY-MM-DD

Inputs (``scripts/offer_inputs/``):

- ``base_offers.csv``: rows already in the catalog's own format (the 2026-11 snapshot built from
  ``shared/data/skypilot-catalog``); copied as they are.
- every other ``*.csv``: one price list per source, transcribed from a SkyPilot-format catalog
  (``InstanceType, AcceleratorName, AcceleratorCount, vCPUs, MemoryGiB, Region, Price, SpotPrice``)
  or a public price page, one row per instance type and region list. Header comments give the
  ``source`` key (documented in ``catalog/data/SOURCES.md``), the ``as_of`` date and whether the
  prices are a ``marketplace``'s (host-set).

What it does: maps each accelerator name to a catalog id (``GPU_IDS`` below; an unknown name
stops the build), keeps the minimum on-demand and spot price per provider + instance type over
the regions read, converts GiB to GB, validates every row with the catalog's ``Offer`` model and
writes ``offers.csv`` plus ``snapshot.json`` (the snapshot's date: the staleness test and
``spice catalog check`` measure the age of offers against it).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from spicetrader.catalog.csvload import read_rows, render_rows  # noqa: E402
from spicetrader.catalog.schema import OFFER_COLUMNS, Offer  # noqa: E402

INPUTS = ROOT / "scripts" / "offer_inputs"
DATA = ROOT / "src" / "spicetrader" / "catalog" / "data"
GIB = 1024**3 / 1e9  # GB per GiB

# Accelerator names as the price lists spell them -> catalog accelerator ids.
GPU_IDS: dict[str, str] = {
    "A10": "a10",
    "A40": "a40",
    "A100": "a100-sxm-40gb",
    "A100-80GB": "a100-sxm-80gb",
    "A100-80GB-SXM": "a100-sxm-80gb",
    "A100_80G_SXM4": "a100-sxm-80gb",
    "A100-80G-PCIe": "a100-pcie-80gb",
    "A100_80G_PCIE": "a100-pcie-80gb",
    "B200": "b200",
    "B300": "b300",
    "GAUDI2": "gaudi2",
    "GB200": "gb200",
    "GH200": "gh200",
    "H100": "h100-sxm",
    "H100_SXM5": "h100-sxm",
    "H100-80G-SXM5": "h100-sxm",
    "H100-80G-PCIe": "h100-pcie",
    "H100_PCIE": "h100-pcie",
    "H100_NVL": "h100-nvl",
    "H200": "h200-sxm",
    "L4": "l4",
    "L40": "l40",
    "L40S": "l40s",
    "P100": "p100",
    "RTX-6000-Ada": "rtx-6000-ada",
    "RTX-A6000": "rtx-a6000",
    "RTX3060": "rtx-3060-12gb",
    "RTX3070": "rtx-3070",
    "RTX3080": "rtx-3080-10gb",
    "RTX4090": "rtx-4090",
    "RTX5090": "rtx-5090",
    "RTXPRO6000": "rtx-pro-6000-blackwell",
    "T4": "t4",
    "V100": "v100-sxm-16gb",
    "V100-32GB": "v100-sxm-32gb",
}


@dataclass(frozen=True)
class PriceList:
    source: str
    as_of: str
    marketplace: bool
    rows: list[dict[str, str]]


def read_price_list(path: Path) -> PriceList:
    meta: dict[str, str] = {}
    body: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, sep, value = line[1:].partition(":")
            if sep and key.strip() in ("source", "as_of", "marketplace"):
                meta[key.strip()] = value.strip()
        elif line.strip():
            body.append(line)
    missing = {"source", "as_of", "marketplace"} - meta.keys()
    if missing:
        raise SystemExit(f"{path}: missing header comment(s): {', '.join(sorted(missing))}")
    rows = list(csv.DictReader(body))
    return PriceList(meta["source"], meta["as_of"], meta["marketplace"] == "true", rows)


def _float(cell: str) -> float | None:
    return float(cell) if cell.strip() else None


def build_offers(price_list: PriceList, where: Path) -> list[Offer]:
    """One offer per provider + instance type: the minimum prices over the regions listed."""
    grouped: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in price_list.rows:
        grouped[(row["provider"], row["instance_type"])].append(row)
    offers: list[Offer] = []
    for (provider, instance), rows in grouped.items():
        gpu = rows[0]["gpu"]
        if gpu not in GPU_IDS:
            raise SystemExit(f"{where}: accelerator {gpu!r} has no catalog id in GPU_IDS")
        regions = sorted({r for row in rows for r in row["region"].split(";") if r})
        prices = [p for row in rows if (p := _float(row["price"])) is not None]
        spots = [p for row in rows if (p := _float(row["spot"])) is not None]
        if not prices:
            raise SystemExit(f"{where}: {instance} has no on-demand price")
        notes = sorted({row["note"] for row in rows if row.get("note")})
        what = "marketplace listing (host-set price)" if price_list.marketplace else "on-demand"
        note = f"{what}, min over the regions read" + (f"; {'; '.join(notes)}" if notes else "")
        ram = _float(rows[0]["ram_gib"])
        offers.append(
            Offer(
                id=f"{provider}:{instance}",
                provider=provider,
                instance_type=instance,
                accelerator=GPU_IDS[gpu],
                count=int(float(rows[0]["count"])),
                vcpus=int(float(rows[0]["vcpus"])) if rows[0]["vcpus"] else None,
                ram_gb=None if ram is None else round(ram * GIB, 1),
                regions=tuple(regions),
                region_count=len(regions),
                price_usd_per_hour=min(prices),
                spot_price_usd_per_hour=min(spots) if spots else None,
                price_note=note,
                source=price_list.source,
                as_of=price_list.as_of,
                marketplace=price_list.marketplace,
            )
        )
    return offers


HEADER = (
    "# Cloud offers snapshot (built by scripts/build_offers.py on {date}; do not edit by hand:"
    " edit scripts/offer_inputs/ and rebuild).\n"
    "# One row per provider + instance type. price_usd_per_hour = on-demand USD/h for the WHOLE"
    " instance (host included; min over the\n"
    "# regions read), spot_price_usd_per_hour = min spot/preemptible price; ram_gb in GB."
    " marketplace = host-set marketplace price.\n"
    "# Sources: SOURCES.md. Refresh live with `spice offers refresh`.\n"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", default=date.today().isoformat(), help="snapshot date (ISO)")
    parser.add_argument("--check", action="store_true", help="fail if offers.csv would change")
    args = parser.parse_args(argv)
    base = [loc.row for loc in read_rows(INPUTS / "base_offers.csv", Offer, OFFER_COLUMNS)]
    offers: list[Offer] = list(base)
    for path in sorted(INPUTS.glob("*.csv")):
        if path.name != "base_offers.csv":
            offers.extend(build_offers(read_price_list(path), path))
    seen: set[str] = set()
    for offer in offers:
        if offer.id in seen:
            raise SystemExit(f"duplicate offer id {offer.id}")
        seen.add(offer.id)
    text = HEADER.format(date=args.date) + render_rows(offers, OFFER_COLUMNS)
    target = DATA / "offers.csv"
    if args.check:
        old = target.read_text(encoding="utf-8").split("\n", 1)[1]
        return 0 if old == text.split("\n", 1)[1] else 1
    target.write_text(text, encoding="utf-8")
    snapshot = {"date": args.date, "offers": len(offers),
                "providers": len({o.provider for o in offers})}  # fmt: skip
    (DATA / "snapshot.json").write_text(json.dumps(snapshot, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(offers)} offers from {snapshot['providers']} providers to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
