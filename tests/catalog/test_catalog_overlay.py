"""The user's catalog directory overlays the bundled catalog; writes to it are atomic."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicetrader.catalog.files import CatalogFile
from spicetrader.catalog.load import load_catalog, read_user_rows, write_user_rows
from spicetrader.catalog.schema import OFFER_COLUMNS, Offer, System
from spicetrader.errors import CatalogDataError


def _offer(**changes: object) -> Offer:
    base = {
        "id": "mycloud:box-8x",
        "provider": "mycloud",
        "instance_type": "box-8x",
        "accelerator": "h100-sxm",
        "count": 8,
        "price_usd_per_hour": 12.5,
        "source": "my quote 2026-11-01",
        "as_of": "2026-11-01",
    }
    return Offer.model_validate({**base, **changes})


def test_no_user_files_gives_the_bundled_catalog(tmp_path: Path) -> None:
    assert load_catalog(tmp_path) is load_catalog()
    assert load_catalog(tmp_path / "missing") is load_catalog()


def test_user_offer_is_added_and_a_bundled_one_replaced(tmp_path: Path) -> None:
    bundled = load_catalog()
    lambda_offer = next(o for o in bundled.offers if o.id == "lambda:gpu_1x_h100_pcie")
    cheaper = lambda_offer.model_copy(update={"price_usd_per_hour": 0.5, "source": "my quote"})
    write_user_rows(tmp_path, CatalogFile.OFFERS, [_offer(), cheaper])

    merged = load_catalog(tmp_path)
    assert merged.offer("mycloud:box-8x").price_usd_per_hour == 12.5
    assert merged.offer("lambda:gpu_1x_h100_pcie").price_usd_per_hour == 0.5
    assert len(merged.offers) == len(bundled.offers) + 1
    # the cached bundled catalog is not changed by the overlay
    assert load_catalog().offer("lambda:gpu_1x_h100_pcie").price_usd_per_hour == 3.29


def test_write_user_rows_upserts_by_id(tmp_path: Path) -> None:
    write_user_rows(tmp_path, CatalogFile.OFFERS, [_offer()])
    write_user_rows(tmp_path, "offers", [_offer(price_usd_per_hour=9.0), _offer(id="mycloud:b")])
    rows = read_user_rows(tmp_path, CatalogFile.OFFERS)
    assert sorted((r.id, r.price_usd_per_hour) for r in rows if isinstance(r, Offer)) == [
        ("mycloud:b", 12.5), ("mycloud:box-8x", 9.0)]  # fmt: skip


def test_user_system_with_own_server(tmp_path: Path) -> None:
    server = System(
        id="my-lab-server", name="Our 4x RTX 4090 box", kind="workstation", accelerator="rtx-4090",
        count=4, memory_gb=24, price_usd=11000, price_as_of="2026-10", power_typical_w=1900,
        power_max_w=2400, source="invoice 4711", as_of="2026-10",
    )  # fmt: skip
    write_user_rows(tmp_path, CatalogFile.SYSTEMS, [server])
    assert load_catalog(tmp_path).system("my-lab-server").count == 4


def test_bad_user_row_names_the_users_file(tmp_path: Path) -> None:
    write_user_rows(tmp_path, CatalogFile.OFFERS, [_offer()])
    path = tmp_path / "offers.csv"
    path.write_text(path.read_text().replace(",12.5,", ",cheap,"))
    with pytest.raises(CatalogDataError) as info:
        load_catalog(tmp_path)
    assert info.value.path == str(path)
    assert info.value.field == "price_usd_per_hour"
    assert info.value.line == 3  # comment line, header, then the row


def test_user_row_naming_an_unknown_accelerator_fails_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    row = _offer(accelerator="h100-sxm").model_copy(update={"accelerator": "h100-sxmm"})
    path.write_text(",".join(OFFER_COLUMNS) + "\n" + _csv(row))
    with pytest.raises(CatalogDataError) as info:
        load_catalog(tmp_path)
    assert (info.value.path, info.value.line, info.value.field) == (str(path), 2, "accelerator")
    assert "did you mean: h100-sxm" in str(info.value)


def _csv(row: Offer) -> str:
    from spicetrader.catalog.csvload import render_rows

    return render_rows([row], OFFER_COLUMNS).splitlines()[1] + "\n"


def test_duplicate_id_in_a_user_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    path.write_text(",".join(OFFER_COLUMNS) + "\n" + _csv(_offer()) + _csv(_offer()))
    with pytest.raises(CatalogDataError, match="duplicate id") as info:
        load_catalog(tmp_path)
    assert info.value.line == 3


def test_failed_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_user_rows(tmp_path, CatalogFile.OFFERS, [_offer()])
    path = tmp_path / "offers.csv"
    before = path.read_text()

    def explode(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", explode)
    with pytest.raises(OSError, match="disk full"):
        write_user_rows(tmp_path, CatalogFile.OFFERS, [_offer(price_usd_per_hour=1.0)])
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["offers.csv"]


def test_write_rejects_rows_of_the_wrong_kind(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        write_user_rows(tmp_path, CatalogFile.SYSTEMS, [_offer()])
