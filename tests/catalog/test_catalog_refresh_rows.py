"""The 2026-12 refresh: new hardware pinned to its sources, purchase-price status, data slips."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog
from spicetrader.catalog.schema import PriceStatus, System, SystemKind


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_data_slips_are_fixed_with_their_sources(catalog: Catalog) -> None:
    gaudi3 = catalog.accelerator("gaudi3")
    assert (gaudi3.fp16_tflops, gaudi3.fp8_tflops) == (1835, 1835)  # Intel, Hot Chips 2024
    assert "INTEL-HC24" in gaudi3.source
    p100 = catalog.accelerator("p100")
    assert p100.mem_bw_gbs == 732  # NVIDIA's PCIe 16 GB figure
    # GCP A100 40 GB: the us-central1 accelerator list price plus the us-central1 host VM,
    # never an accelerator price from another region
    one = next(o for o in catalog.offers if o.id == "gcp:a2-highgpu-1g")
    assert one.price_usd_per_hour == pytest.approx(2.93391 + 0.73948, abs=1e-4)
    eight = next(o for o in catalog.offers if o.id == "gcp:a2-highgpu-8g")
    assert eight.price_usd_per_hour == pytest.approx(8 * 2.93391 + 5.91582, abs=1e-4)


def test_new_datacenter_parts_match_their_datasheets(catalog: Catalog) -> None:
    b300 = catalog.accelerator("b300")
    assert (b300.memory_gb, b300.mem_bw_gbs, b300.fp16_tflops, b300.fp8_tflops) == (
        288, 8000, 2250, 4500)  # fmt: skip
    assert b300.tdp_w == 1400
    mi355x = catalog.accelerator("mi355x")
    assert (mi355x.memory_gb, mi355x.mem_bw_gbs, mi355x.tdp_w) == (288, 8000, 1400)
    assert mi355x.fp4_tflops == pytest.approx(20100 / 2)  # half the 20.1 PFLOPS (sparse) peak
    assert catalog.accelerator("gb200").memory_gb == 186  # 372 GB per 2-GPU superchip
    assert catalog.accelerator("gb300").fp4_tflops == 15000


def test_strix_halo_and_m5_are_unified_memory_parts(catalog: Catalog) -> None:
    halo = catalog.accelerator("Strix Halo")
    assert halo.id == "ryzen-ai-max-395"
    assert halo.unified_memory
    assert halo.memory_gb == 128
    assert halo.mem_bw_gbs == 256  # 256-bit LPDDR5X-8000 = 256 GB/s
    assert halo.mem_bw_gbs == pytest.approx(256 / 8 * 8000 / 1000)
    # RDNA3 WMMA: 512 FP16 FLOP per clock per CU; 40 CUs at 2.9 GHz
    assert halo.fp16_tflops == pytest.approx(40 * 512 * 2.9e9 / 1e12, rel=0.01)
    m5max = catalog.accelerator("m5-max-40c")
    assert (m5max.memory_gb, m5max.mem_bw_gbs) == (128, 614)
    assert catalog.accelerator("m5-pro-20c").mem_bw_gbs == 307


def test_budget_cards_follow_the_geforce_ratios(catalog: Catalog) -> None:
    ti = catalog.accelerator("rtx-5060-ti-16gb")
    assert ti.fp4_tflops == pytest.approx(379.7)
    assert ti.fp16_acc16_tflops is not None
    assert math.isclose(ti.fp16_acc16_tflops, ti.fp4_tflops / 4, rel_tol=0.01)
    b60 = catalog.accelerator("arc-pro-b60")
    assert (b60.memory_gb, b60.vendor.value) == (24, "intel")
    assert b60.estimated
    assert "B580" in b60.estimate_note


def test_buy_tier_has_used_market_and_strix_halo_options(catalog: Catalog) -> None:
    used = [s for s in catalog.systems if s.status is PriceStatus.USED_MARKET]
    assert {s.accelerator for s in used} >= {"rtx-3090", "a100-pcie-80gb"}
    for s in used:
        assert s.price_low_usd is not None
        assert s.price_high_usd is not None
        assert s.price_low_usd <= s.price_usd <= s.price_high_usd
    assert any(s.accelerator == "ryzen-ai-max-395" for s in catalog.systems)
    assert any(s.count >= 4 and s.kind is SystemKind.WORKSTATION for s in catalog.systems)


def test_macs_no_longer_sold_new_are_marked_discontinued(catalog: Catalog) -> None:
    by_id = {s.id: s for s in catalog.systems}
    assert by_id["mac-studio-m2-ultra-76c-192gb"].status is PriceStatus.DISCONTINUED
    assert by_id["macbook-pro-m3-max-40c-128gb"].status is PriceStatus.DISCONTINUED
    assert by_id["mac-studio-m3-ultra-80c-512gb"].status is PriceStatus.DISCONTINUED  # 2026-03
    assert by_id["mac-studio-m3-ultra-80c-96gb"].status is PriceStatus.CURRENT


def _system(**changes: object) -> System:
    data: dict[str, object] = {
        "id": "x", "name": "X", "kind": "workstation", "accelerator": "rtx-3090", "count": 1,
        "memory_gb": 24,
        "price_usd": 900, "price_as_of": "2026-05", "power_typical_w": 400, "power_max_w": 600,
        "source": "SRC", "as_of": "2026-12",
    }  # fmt: skip
    data.update(changes)
    return System.model_validate(data)


def test_used_market_rows_need_a_range_that_holds_the_price() -> None:
    assert _system(status="used-market", price_low_usd=800, price_high_usd=950).price_low_usd == 800
    with pytest.raises(ValidationError, match="range"):
        _system(status="used-market")
    with pytest.raises(ValidationError, match="within"):
        _system(status="used-market", price_low_usd=950, price_high_usd=1000)
    with pytest.raises(ValidationError, match="together"):
        _system(price_low_usd=800)


@pytest.mark.parametrize(("model", "reported_tok_s"), [("llama-3.1-8b", 42), ("llama-3-70b", 5)])
def test_strix_halo_decode_matches_the_reported_llama_cpp_speeds(
    model: str, reported_tok_s: float
) -> None:
    """THEAIBENCH-FW (verified 2026-06): llama.cpp Q4 on the Ryzen AI Max+ 395, 8B ~42 tok/s,
    70B dense ~5 tok/s; the rdna3.5 prior row must land within 20 %."""
    import spicetrader

    est = spicetrader.estimate(
        {"model": model, "hardware": "ryzen-ai-max-395", "precision": "q4_k_m"}
    )
    decode = est.to_dict()["inference"]["decode_tokens_per_s"]
    assert decode == pytest.approx(reported_tok_s, rel=0.2)
