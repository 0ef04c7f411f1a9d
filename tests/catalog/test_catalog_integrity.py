"""Integrity of the whole bundled catalog: ids, sources, dates, units, cross references."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.csvload import read_rows
from spicetrader.catalog.files import CatalogFile, spec_of
from spicetrader.catalog.load import bundled_data_dir, load_catalog
from spicetrader.catalog.schema import Accelerator, SystemKind, Vendor

HERE = Path(__file__).parent
# The project's shared spec lies beside the repository (on developer machines and in CI).
SHARED_IDS = HERE.parents[2] / "shared" / "spec" / "catalog-ids.md"


def _listed_ids(section: str) -> list[str]:
    ids: dict[str, list[str]] = {}
    current = ""
    for line in (HERE / "catalog_ids.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = line.strip("[]")
            continue
        ids.setdefault(current, []).append(line.strip())
    return ids[section]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_every_hardware_id_of_the_spec_is_present(catalog: Catalog) -> None:
    wanted = _listed_ids("hardware")
    assert len(wanted) >= 70
    missing = [i for i in wanted if i not in catalog.accelerators]
    assert missing == []


@pytest.mark.skipif(not SHARED_IDS.exists(), reason="shared spec not available")
def test_id_list_copy_matches_the_shared_spec() -> None:
    text = SHARED_IDS.read_text().split("## Hardware")[1].split("## Systems")[0]
    assert re.findall(r"`([a-z0-9.-]+)`", text) == _listed_ids("hardware")


def test_every_required_system_is_present(catalog: Catalog) -> None:
    ids = {s.id for s in catalog.systems}
    assert [i for i in _listed_ids("systems") if i not in ids] == []


def test_macs_cover_the_required_configurations(catalog: Catalog) -> None:
    macs = {(s.accelerator, s.memory_gb) for s in catalog.systems if s.kind is SystemKind.MAC}
    for chip in ("m2-ultra-60c", "m2-ultra-76c"):
        assert {m for a, m in macs if a == chip} == {64, 128, 192}
    assert {m for a, m in macs if a.startswith("m3-ultra")} == {96, 256, 512}
    assert any(a.startswith("m4-max") for a, _ in macs)
    assert any(a.startswith("m3-max") for a, _ in macs)
    assert any(a == "m4-10c" for a, _ in macs)
    assert any(a.startswith("m4-pro") for a, _ in macs)


@pytest.mark.parametrize("kind", list(CatalogFile))
def test_every_bundled_file_loads_with_unique_ids_and_sourced_rows(kind: CatalogFile) -> None:
    spec = spec_of(kind)
    rows = read_rows(bundled_data_dir() / spec.filename, spec.model, spec.columns)
    assert rows, f"{spec.filename} is empty"
    ids = Counter(str(loc.row.id) for loc in rows)  # type: ignore[attr-defined]
    assert [i for i, n in ids.items() if n > 1] == []
    for loc in rows:
        assert loc.row.source.strip()  # type: ignore[attr-defined]
        assert re.match(r"^\d{4}-\d{2}(-\d{2})?$", loc.row.as_of)  # type: ignore[attr-defined]


def _source_keys() -> set[str]:
    text = (bundled_data_dir() / "SOURCES.md").read_text()
    keys: set[str] = set()
    for line in text.splitlines():
        if line.startswith("| ") and not line.startswith("| Key") and not line.startswith("|---"):
            for key in line.split("|")[1].split("/"):
                keys.add(key.strip())
    return keys


def test_every_source_key_is_documented(catalog: Catalog) -> None:
    known = _source_keys()
    rows = [*catalog.accelerators.values(), *catalog.systems, *catalog.offers, *catalog.free_tiers]
    econ = catalog.economics
    sources = [r.source for r in rows] + [
        v.source for v in (econ.electricity, econ.colocation, econ.datacenter_pue, econ.office_pue,
                           econ.depreciation)
    ]  # fmt: skip
    undocumented = {
        key.strip()
        for source in sources
        for key in source.split(";")
        if not key.strip().startswith("http") and key.strip() not in known
    }
    assert undocumented == set()


def test_accelerator_units_are_sane(catalog: Catalog) -> None:
    for a in catalog.accelerators.values():
        assert 50 <= a.mem_bw_gbs <= 20000, a.id
        assert 4 <= a.memory_gb <= 1024, a.id
        assert a.fp32_tflops >= 1, a.id
        assert a.fp32_tflops <= 500, a.id
        assert 5 <= a.tdp_w <= 2000, a.id
        assert a.fp16_tflops >= a.fp32_tflops * 0.99, a.id
        if a.fp8_tflops is not None:
            assert a.fp8_tflops >= a.fp16_tflops, a.id
        if a.fp4_tflops is not None:
            assert a.fp4_tflops >= (a.fp8_tflops or a.fp16_tflops), a.id
        if a.fp16_acc16_tflops is not None:
            assert a.fp16_acc16_tflops >= a.fp16_tflops, a.id
        if a.estimated:
            assert a.estimate_note, a.id


def test_geforce_fp16_is_half_the_fp16_accumulate_rate(catalog: Catalog) -> None:
    geforce = [a for a in catalog.accelerators.values() if a.segment == "consumer"
               and a.vendor is Vendor.NVIDIA]  # fmt: skip
    assert len(geforce) >= 10
    for a in geforce:
        assert a.fp16_acc16_tflops is not None, a.id
        assert math.isclose(a.fp16_tflops * 2, a.fp16_acc16_tflops, rel_tol=0.01), a.id


def test_apple_chips_are_unified_and_list_their_configs(catalog: Catalog) -> None:
    apple = [a for a in catalog.accelerators.values() if a.vendor is Vendor.APPLE]
    assert len(apple) == 30
    for a in apple:
        assert a.unified_memory, a.id
        assert a.memory_configs_gb, a.id
        assert a.memory_gb == max(a.memory_configs_gb), a.id
        if a.family == "apple-m5":  # a Neural Accelerator in each GPU core (matrix FP16)
            assert a.fp16_tflops > 2 * a.fp32_tflops, a.id
            assert a.estimated, a.id
        else:  # M1-M4: FP16 runs at the FP32 rate on the shader ALUs
            assert a.fp16_tflops == a.fp32_tflops, a.id
        assert a.family == f"apple-{a.id.split('-')[0]}", a.id


def test_known_datasheet_figures(catalog: Catalog) -> None:
    h100 = catalog.accelerator("h100-sxm")
    assert (h100.memory_gb, h100.mem_bw_gbs, h100.fp16_tflops, h100.fp8_tflops) == (
        80, 3350, 989, 1979)  # fmt: skip
    a100 = catalog.accelerator("a100-sxm-80gb")
    assert (a100.fp16_tflops, a100.fp8_tflops, a100.mem_bw_gbs) == (312, None, 2039)
    assert catalog.accelerator("rtx-4090").fp16_acc16_tflops == 330.3
    assert catalog.accelerator("t4").bf16 is False
    spark = catalog.accelerator("dgx-spark")
    assert (spark.memory_gb, spark.unified_memory, spark.mem_bw_gbs) == (128, True, 273)
    assert catalog.accelerator("m3-ultra-80c").memory_configs_gb == (96, 256, 512)


def test_systems_reference_accelerators_and_their_memory(catalog: Catalog) -> None:
    for s in catalog.systems:
        accel: Accelerator = catalog.accelerators[s.accelerator]
        assert s.price_usd > 0, s.id
        assert s.power_typical_w <= s.power_max_w, s.id
        if accel.memory_configs_gb:
            assert s.memory_gb in accel.memory_configs_gb, s.id
        else:
            assert s.memory_gb == accel.memory_gb, s.id
        assert s.power_max_w >= s.count * accel.tdp_w * 0.5, s.id


def test_offers_are_priced_and_reference_accelerators(catalog: Catalog) -> None:
    assert len(catalog.offers) >= 100
    for o in catalog.offers:
        assert o.accelerator in catalog.accelerators, o.id
        assert 0.01 <= o.price_usd_per_gpu_hour <= 50, o.id
        assert o.id.startswith(o.provider + ":"), o.id
        assert o.region_count >= len(o.regions)
    providers = {o.provider for o in catalog.offers}
    assert {"aws", "gcp", "lambda", "nebius", "runpod", "vast"} <= providers


def test_gcp_gpu_offers_include_the_host_vm(catalog: Catalog) -> None:
    a3 = catalog.offer("gcp:a3-highgpu-1g")
    # accelerator-only minimum 4.20076 USD/h + host a3-highgpu-1g 1.18251 USD/h
    assert math.isclose(a3.price_usd_per_hour, 4.20076 + 1.18251, rel_tol=1e-6)
    assert "host VM" in a3.price_note
    for o in catalog.offers:
        if o.provider == "gcp" and o.accelerator != "tpu-v6e":
            assert "host VM" in o.price_note, o.id


def test_vast_offers_say_they_are_marketplace_offers(catalog: Catalog) -> None:
    vast = [o for o in catalog.offers if o.provider == "vast"]
    assert vast
    assert all("marketplace" in o.price_note for o in vast)


def test_price_page_offers_agree_with_an_independent_reading(catalog: Catalog) -> None:
    # CoreWeave's page (2026-09-20) prices 8-GPU nodes; compute-screener read the same page
    # per GPU on 2026-10-24: H100 6.155, H200 6.305 USD/GPU-hour (SOURCES.md, COREWEAVE-PRICING).
    assert catalog.offer("coreweave:HGX-H100-8x").price_usd_per_gpu_hour == pytest.approx(6.155)
    assert catalog.offer("coreweave:HGX-H200-8x").price_usd_per_gpu_hour == pytest.approx(6.305)
    for o in catalog.offers:
        if o.provider == "coreweave" and o.spot_price_usd_per_hour is not None:
            assert o.spot_price_usd_per_hour < o.price_usd_per_hour, o.id


def test_community_cloud_is_the_cheaper_runpod_tier(catalog: Catalog) -> None:
    # Community Cloud (third-party hosts, no datacentre SLA) undercuts Secure Cloud per GPU.
    runpod = [o for o in catalog.offers if o.provider == "runpod"]
    community = [o for o in runpod if o.instance_type.endswith("_COMMUNITY")]
    secure = [o for o in runpod if o.instance_type.endswith("_SECURE")]
    assert len(community) == 5
    pairs = 0
    for c in community:
        for s in secure:
            if s.accelerator == c.accelerator:
                pairs += 1
                assert c.price_usd_per_gpu_hour < s.price_usd_per_gpu_hour, (c.id, s.id)
    assert pairs


def test_marketplace_rows_say_so(catalog: Catalog) -> None:
    for o in catalog.offers:
        if o.provider in ("tensordock", "spheron"):
            assert o.marketplace, o.id
            assert "marketplace" in o.price_note, o.id


def test_free_tiers(catalog: Catalog) -> None:
    ids = {t.id for t in catalog.free_tiers}
    assert {"colab-free", "colab-pro", "colab-pro-plus", "kaggle-t4x2", "kaggle-p100"} <= ids
    kaggle = catalog.free_tier("kaggle-t4x2")
    assert (kaggle.accelerator, kaggle.count, kaggle.session_hours) == ("t4", 2, 12)
    assert kaggle.weekly_quota_hours == 30
    assert catalog.free_tier("colab-free").accelerator == "t4"
    pro = catalog.free_tier("colab-pro")
    assert pro.monthly_hours is not None
    assert pro.monthly_hours > 1
    assert pro.monthly_hours < 100


def test_economics_defaults(catalog: Catalog) -> None:
    econ = catalog.economics
    assert 0.05 < econ.electricity_usd_per_kwh < 0.5
    assert 50 < econ.colocation_usd_per_kw_month < 500
    assert econ.pue > 1.0
    assert econ.pue < 2.0
    assert econ.pue_office == 1.0
    assert 3 <= econ.depreciation_years <= 7
