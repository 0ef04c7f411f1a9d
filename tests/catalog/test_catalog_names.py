"""Name resolution: ids, common spellings, ambiguity and suggestions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog
from spicetrader.catalog.names import normalize, resolve
from spicetrader.errors import AmbiguousNameError, UnknownNameError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("H100 SXM", "h100-sxm"),
        ("NVIDIA H100 SXM5 80GB", "h100-sxm"),
        ("h100_pcie", "h100-pcie"),
        ("RTX 4090", "rtx-4090"),
        ("NVIDIA GeForce RTX 4090", "rtx-4090"),
        ("4090", "rtx-4090"),
        ("3090", "rtx-3090"),
        ("RTX 3090 Ti", "rtx-3090-ti"),
        ("M2 Ultra 76-core", "m2-ultra-76c"),
        ("Apple M2 Ultra 76-core GPU", "m2-ultra-76c"),
        ("m3 max 40c", "m3-max-40c"),
        ("A100-80GB", "a100-sxm-80gb"),
        ("Tesla T4", "t4"),
        ("L4", "l4"),
        ("L40", "l40"),
        ("DGX Spark", "dgx-spark"),
        ("GB10", "dgx-spark"),
        ("MI300X", "mi300x"),
        ("TPU v5e", "tpu-v5e"),
        ("Gaudi 3", "gaudi3"),
        ("rx 7900 xtx", "rx-7900-xtx"),
    ],
)
def test_common_spellings_resolve(catalog: Catalog, name: str, expected: str) -> None:
    assert catalog.accelerator(name).id == expected


def test_ambiguous_name_lists_the_choices(catalog: Catalog) -> None:
    with pytest.raises(AmbiguousNameError) as info:
        catalog.accelerator("a100")
    assert info.value.choices == ["a100-pcie-40gb", "a100-pcie-80gb", "a100-sxm-40gb",
                                  "a100-sxm-80gb"]  # fmt: skip
    assert "a100-sxm-80gb" in str(info.value)


def test_ambiguous_name_expands_for_filters(catalog: Catalog) -> None:
    assert set(catalog.accelerators_matching("M2 Ultra")) == {"m2-ultra-60c", "m2-ultra-76c"}
    assert catalog.accelerators_matching("H100 SXM") == ("h100-sxm",)


def test_unknown_name_suggests_the_nearest_ids(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError) as info:
        catalog.accelerator("h1000")
    assert 3 <= len(info.value.suggestions) <= 5
    assert {"h100-sxm", "h100-pcie", "h100-nvl"} <= set(info.value.suggestions)
    assert "did you mean" in str(info.value)


def test_unknown_vendor_free_name_has_no_bogus_match(catalog: Catalog) -> None:
    with pytest.raises(UnknownNameError):
        catalog.accelerator("quantum-annealer-9000")
    with pytest.raises(UnknownNameError):
        catalog.accelerator("   ")


def test_systems_and_free_tiers_resolve_by_name(catalog: Catalog) -> None:
    assert catalog.system("DGX H100").id == "dgx-h100"
    assert catalog.system("mac-studio-m3-ultra-80c-512gb").memory_gb == 512
    assert catalog.free_tier("Kaggle Notebooks Free (T4 x2)").id == "kaggle-t4x2"


def test_normalize_drops_vendor_words_and_separators() -> None:
    assert normalize("  NVIDIA GeForce_RTX  4090 ") == "rtx-4090"
    assert normalize("Apple M2 Ultra") == "m2-ultra"


IDS = ["alpha-1", "alpha-2", "beta", "gamma-ray"]
ident = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12).filter(
    lambda s: normalize(s) == s and s
)


@given(st.lists(ident, min_size=1, max_size=8, unique=True), st.data())
def test_every_id_resolves_to_itself(ids: list[str], data: st.DataObject) -> None:
    chosen = data.draw(st.sampled_from(ids))
    assert resolve("thing", chosen, ids, {}) == chosen
    assert resolve("thing", chosen.upper().replace("-", " "), ids, {}) == chosen


@given(st.text(max_size=20))
def test_resolve_returns_a_known_id_or_raises_a_named_error(name: str) -> None:
    outcome: str | AmbiguousNameError | UnknownNameError
    try:
        outcome = resolve("thing", name, IDS, {"Gamma Burst": "gamma-ray"})
    except (AmbiguousNameError, UnknownNameError) as exc:
        outcome = exc
    if isinstance(outcome, str):
        assert outcome in IDS
    else:
        assert outcome.name == name
        suggested = getattr(outcome, "suggestions", getattr(outcome, "choices", []))
        assert set(suggested) <= set(IDS)


@given(st.text(max_size=30))
def test_normalize_is_idempotent(name: str) -> None:
    assert normalize(normalize(name)) == normalize(name)
