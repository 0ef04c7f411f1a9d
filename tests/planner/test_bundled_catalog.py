"""plan() over the bundled catalog with the real cost model: invariants, not snapshots."""

from __future__ import annotations

import pytest

import spicetrader
from spicetrader.catalog.load import load_catalog
from spicetrader.costmodel import estimate
from spicetrader.planner import Plan, Tier, plan
from spicetrader.planner.models import PickName
from spicetrader.spec.workload import Workload


def _plan_70b() -> Plan:
    return plan({"model": "llama-3-70b"}, load_catalog())


def test_every_listed_rental_fits_and_every_feasible_option_fits() -> None:
    p = _plan_70b()
    rentals = p.by_tier(Tier.RENT)
    assert rentals
    for o in rentals:
        assert o.fits
        assert o.estimate.fits
        billed = p.job.usage_hours_per_month * p.job.months
        assert o.cost_usd == pytest.approx((o.price_usd_per_hour or 0) * billed)
    for o in p.options:
        if o.feasible:
            assert o.estimate.fits
    assert p.recommendation.option is not None
    assert p.option(p.recommendation.option).feasible


def test_macs_get_the_smallest_memory_configuration_that_fits() -> None:
    catalog = load_catalog()
    p = plan({"model": "llama-3-70b"}, catalog, allow_quantization=False)
    for option in p.by_tier(Tier.MAC):
        if not option.fits:
            continue
        system = catalog.system(option.id.removeprefix("mac:"))
        smaller = [
            s for s in catalog.systems
            if s.accelerator == system.accelerator and s.memory_gb < system.memory_gb
            and s.name.split("(")[0] == system.name.split("(")[0]
        ]  # fmt: skip
        for s in smaller:
            workload = Workload(model="llama-3-70b", hardware=s.accelerator, memory_gb=s.memory_gb)
            assert not estimate(workload, catalog).fits


def test_public_api_takes_keyword_constraints() -> None:
    p = spicetrader.plan(
        {"model": "llama-3-8b", "task": "finetune", "finetune": {"tokens": 1e8}},
        deadline_hours=24,
        only="rent,free",
    )
    assert {o.tier for o in p.options} <= {Tier.RENT, Tier.FREE}
    best = p.option(p.recommendation.option or "")
    assert best.hours is not None
    assert best.hours <= 24
    value = p.picks  # the recommendation is a pick too
    assert value[PickName.RECOMMENDED].option == best.id
    # the lowest cost + $1/h (the default value of time) x hours among the feasible options
    better = [
        o
        for o in p.options
        if o.feasible
        and (o.cost_usd or 0) + (o.finish_hours or 0) < (best.cost_usd or 0) + (best.hours or 0)
    ]
    assert better == []


def test_a_quantized_release_is_planned_as_released_never_requantized() -> None:
    """gpt-oss ships MXFP4 experts; engines load that file as it is (vLLM's recipe, the only GGUF
    is the MXFP4 one). Asked at bf16 (the upcast), a machine too small for it steps down to the
    release format only, never to fp8/int8/int4 files that do not exist."""
    p = plan({"model": "gpt-oss-120b", "precision": "bf16"}, load_catalog())
    fitting = [o for o in p.options if o.fits]
    assert {o.precision for o in fitting} == {"bf16", "mxfp4"}
    assert any(o.quantized and o.precision == "mxfp4" for o in fitting)
    default = plan({"model": "gpt-oss-120b"}, load_catalog())
    assert {o.precision for o in default.options if o.fits} == {"mxfp4"}
