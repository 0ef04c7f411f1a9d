"""The strict CSV loader: every problem names the file, the physical line and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel

from spicetrader.catalog.csvload import parse_rows, read_rows, render_rows
from spicetrader.catalog.schema import (
    FREE_TIER_COLUMNS,
    OFFER_COLUMNS,
    SYSTEM_COLUMNS,
    FreeTier,
    Offer,
    System,
)
from spicetrader.errors import CatalogDataError

HEADER = ",".join(OFFER_COLUMNS)
GOOD = (
    "lambda:x,lambda,x,h100-sxm,8,208,1800,us-east-1;us-west-1,17,31.92,,on-demand,"
    "SKY-LAMBDA,2026-11,false"
)


def _offers(text: str) -> list[Offer]:
    return [loc.row for loc in parse_rows(text, Offer, OFFER_COLUMNS, "offers.csv")]


def _error(text: str) -> CatalogDataError:
    with pytest.raises(CatalogDataError) as info:
        _offers(text)
    return info.value


def test_a_good_row_parses_with_lists_and_empty_optionals() -> None:
    (offer,) = _offers(f"# comment\n{HEADER}\n\n{GOOD}\n")
    assert offer.regions == ("us-east-1", "us-west-1")
    assert offer.spot_price_usd_per_hour is None
    assert offer.price_usd_per_gpu_hour == pytest.approx(31.92 / 8)


def test_bad_number_names_file_line_and_field() -> None:
    bad = GOOD.replace("31.92", "thirty")
    err = _error(f"# comment line\n{HEADER}\n{GOOD.replace('lambda:x', 'lambda:y')}\n{bad}\n")
    assert (err.path, err.line, err.field) == ("offers.csv", 4, "price_usd_per_hour")
    assert "offers.csv:4" in str(err)
    assert "thirty" in str(err)


def test_missing_required_value_is_an_error_not_a_default() -> None:
    err = _error(f"{HEADER}\n{GOOD.replace(',31.92,', ',,')}\n")
    assert (err.line, err.field) == (2, "price_usd_per_hour")
    assert "required" in str(err)


def test_negative_price_and_bad_date_are_rejected() -> None:
    assert _error(f"{HEADER}\n{GOOD.replace(',31.92,', ',-1,')}\n").field == "price_usd_per_hour"
    assert _error(f"{HEADER}\n{GOOD.replace('2026-11', 'Nov 2026')}\n").field == "as_of"


@pytest.mark.parametrize(
    ("header", "field"),
    [
        (HEADER.replace(",ram_gb", ""), "ram_gb"),
        (HEADER + ",extra", "extra"),
        (HEADER.replace("vcpus,ram_gb", "ram_gb,vcpus"), None),
    ],
)
def test_wrong_header_is_reported_on_its_line(header: str, field: str | None) -> None:
    err = _error(f"# c\n{header}\n{GOOD}\n")
    assert (err.line, err.field) == (2, field)
    assert "header" in str(err)


def test_wrong_cell_count_and_empty_file() -> None:
    assert _error(f"{HEADER}\n{GOOD},surplus\n").line == 2
    assert _error("# only a comment\n").line is None


def test_unknown_enum_value_lists_the_field() -> None:
    row = "sys,Name,,spaceship,h100-sxm,8,80,1,2024-01,1,2,false,SRC,2024-01,,current,,"
    with pytest.raises(CatalogDataError) as info:
        parse_rows(f"{','.join(SYSTEM_COLUMNS)}\n{row}\n", System, SYSTEM_COLUMNS, "systems.csv")
    assert (info.value.line, info.value.field) == (2, "kind")


def test_typical_power_above_max_is_rejected() -> None:
    row = "sys,Name,,server,h100-sxm,8,80,1,2024-01,3,2,false,SRC,2024-01,,current,,"
    with pytest.raises(CatalogDataError, match="power_typical_w"):
        parse_rows(f"{','.join(SYSTEM_COLUMNS)}\n{row}\n", System, SYSTEM_COLUMNS, "systems.csv")


def test_read_rows_names_the_real_path(tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    path.write_text(f"{HEADER}\n{GOOD.replace(',8,208,', ',eight,208,')}\n")
    with pytest.raises(CatalogDataError) as info:
        read_rows(path, Offer, OFFER_COLUMNS)
    assert (info.value.path, info.value.line, info.value.field) == (str(path), 2, "count")


def test_render_then_parse_round_trips() -> None:
    tier = FreeTier(
        id="t", service="Svc, Inc", tier="Free", accelerator="t4", count=2, session_hours=12,
        monthly_price_usd=0, confidence="medium", source="SRC", as_of="2025-01",
        notes='quoted, "with" commas',
    )  # fmt: skip
    rows: list[BaseModel] = [tier]
    text = render_rows(rows, FREE_TIER_COLUMNS)
    (back,) = parse_rows(text, FreeTier, FREE_TIER_COLUMNS, "x.csv")
    assert back.row == tier
