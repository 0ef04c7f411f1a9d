from __future__ import annotations

from pathlib import Path

import pytest

from spicetrader.errors import AmbiguousNameError, CatalogDataError, InputError, UnknownNameError
from spicetrader.paths import user_catalog_dir, user_home
from spicetrader.units import bytes_to_gb, gib_to_gb


def test_unknown_name_lists_suggestions_and_is_input_error() -> None:
    err = UnknownNameError("hardware", "h1000", ["h100-sxm", "h100-pcie"])
    assert isinstance(err, InputError)
    assert str(err) == "unknown hardware 'h1000'; did you mean: h100-sxm, h100-pcie?"
    assert err.to_dict()["suggestions"] == ["h100-sxm", "h100-pcie"]


def test_ambiguous_name_lists_sorted_choices() -> None:
    err = AmbiguousNameError("hardware", "a100", ["a100-sxm-80gb", "a100-pcie-40gb"])
    assert "a100-pcie-40gb, a100-sxm-80gb" in str(err)


def test_catalog_error_names_file_line_and_field() -> None:
    err = CatalogDataError("offers.csv", 7, "price_usd_per_hour", "not a number: 'abc'")
    assert str(err) == "offers.csv:7: field 'price_usd_per_hour': not a number: 'abc'"


def test_gib_is_larger_than_gb() -> None:
    assert gib_to_gb(80) == pytest.approx(85.899345920)
    assert bytes_to_gb(13_476_839_424) == pytest.approx(13.476839424)


def test_user_home_honours_override(tmp_path: Path) -> None:
    home = user_home({"SPICETRADER_HOME": str(tmp_path)})
    assert home == tmp_path
    assert user_catalog_dir(home) == tmp_path / "catalog"


def test_user_home_default_is_platform_dir() -> None:
    assert user_home({}).name == "spicetrader"
