"""A small hand-made catalog and a transparent fake estimator for planner tests.

The fake estimator is deliberately simple so that tests can compute the planner's answers by
hand: weights = params x bits / 8 GB, 10 % overhead; decode speed = bandwidth / weights;
training time = 6 x params x tokens / (devices x 40 % of dense FP16).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.schema import (
    Accelerator,
    Economics,
    EconomicsValue,
    FreeTier,
    Offer,
    System,
)
from spicetrader.errors import NotSupportedError, UnknownNameError
from spicetrader.planner import Plan, plan
from spicetrader.planner.economics import Ownership
from spicetrader.planner.job import DEFAULT_MONTHS, DEFAULT_USAGE_HOURS_PER_MONTH
from spicetrader.spec.estimate import (
    Bound,
    Estimate,
    ImageSpeed,
    InferenceSpeed,
    MemoryBreakdown,
    TrainingSpeed,
)
from spicetrader.spec.workload import Engine, Task, Workload

BITS = {
    "fp32": 32.0,
    "bf16": 16.0,
    "fp16": 16.0,
    "fp8": 8.0,
    "int8": 8.0,
    "q8_0": 8.5,
    "int4": 4.0,
    "q4_k_m": 4.85,
    "awq-4bit": 4.25,
}
GGUF = {"q8_0", "q4_k_m"}
OVERHEAD = 1.1
TRAIN_MFU = 0.4
SRC = {"source": "TEST", "as_of": "2026-01"}


def bits_of(name: str) -> float:
    try:
        return BITS[name]
    except KeyError:
        raise UnknownNameError("precision", name, sorted(BITS)) from None


def _accel(id_: str, vendor: str, memory: float, bw: float, fp16: float, **kw: Any) -> Accelerator:
    return Accelerator(
        id=id_,
        name=id_.upper(),
        vendor=vendor,
        family="x",
        segment="datacenter",
        memory_gb=memory,
        mem_bw_gbs=bw,
        fp32_tflops=fp16 / 4,
        fp16_tflops=fp16,
        bf16=True,
        tdp_w=400,
        interconnect="pcie",
        interconnect_gbs=32,
        **SRC,
        **kw,
    )


ACCELERATORS = (
    _accel("h100-sxm", "nvidia", 80, 3350, 989, fp8_tflops=1979),
    _accel("a100-sxm-80gb", "nvidia", 80, 2039, 312),
    _accel("rtx-4090", "nvidia", 24, 1008, 165, fp8_tflops=330),
    _accel("t4", "nvidia", 16, 320, 65),
    _accel(
        "m2-ultra-76c", "apple", 192, 800, 27, memory_configs_gb=(64, 128, 192), unified_memory=True
    ),
)


def _system(
    id_: str,
    kind: str,
    accel: str,
    count: int,
    memory: float,
    price: float,
    typical: float,
    peak: float,
    name: str | None = None,
) -> System:
    return System(
        id=id_,
        name=name or id_,
        kind=kind,
        accelerator=accel,
        count=count,
        memory_gb=memory,
        price_usd=price,
        price_as_of="2025-06",
        power_typical_w=typical,
        power_max_w=peak,
        **SRC,
    )


SYSTEMS = (
    _system("dgx-h100", "server", "h100-sxm", 8, 80, 300_000, 8_500, 10_200),
    _system("ws-4090", "workstation", "rtx-4090", 1, 24, 3_500, 600, 850),
    _system(
        "mac-m2u-64", "mac", "m2-ultra-76c", 1, 64, 4_000, 200, 295, "Mac Studio M2 Ultra 64GB"
    ),
    _system(
        "mac-m2u-128", "mac", "m2-ultra-76c", 1, 128, 5_000, 200, 295, "Mac Studio M2 Ultra 128GB"
    ),
    _system(
        "mac-m2u-192", "mac", "m2-ultra-76c", 1, 192, 6_600, 200, 295, "Mac Studio M2 Ultra 192GB"
    ),
)


def _offer(id_: str, accel: str, count: int, price: float, spot: float | None = None) -> Offer:
    provider = id_.split(":")[0]
    return Offer(
        id=id_,
        provider=provider,
        instance_type=id_.split(":")[1],
        accelerator=accel,
        count=count,
        price_usd_per_hour=price,
        spot_price_usd_per_hour=spot,
        **SRC,
    )


OFFERS = (
    _offer("lambda:h100x1", "h100-sxm", 1, 2.99),
    _offer("lambda:h100x8", "h100-sxm", 8, 23.92),
    _offer("aws:a100x8", "a100-sxm-80gb", 8, 32.77, spot=12.0),
    _offer("runpod:4090x1", "rtx-4090", 1, 0.69),
    _offer("gcp:a100x1", "a100-sxm-80gb", 1, 3.67, spot=1.1),
)

FREE_TIERS = (
    FreeTier(
        id="colab-free",
        service="Colab",
        tier="Free",
        accelerator="t4",
        count=1,
        session_hours=12,
        idle_timeout_minutes=90,
        monthly_price_usd=0,
        confidence="medium",
        **SRC,
    ),
    FreeTier(
        id="kaggle-t4x2",
        service="Kaggle",
        tier="T4x2",
        accelerator="t4",
        count=2,
        session_hours=12,
        weekly_quota_hours=30,
        monthly_price_usd=0,
        confidence="medium",
        **SRC,
    ),
    FreeTier(
        id="colab-pro",
        service="Colab",
        tier="Pro",
        accelerator="a100-sxm-80gb",
        count=1,
        session_hours=24,
        monthly_price_usd=9.99,
        compute_units_per_month=100,
        compute_units_per_hour=12.5,
        confidence="medium",
        **SRC,
    ),
)


def _econ(value: float, unit: str) -> EconomicsValue:
    return EconomicsValue(value=value, unit=unit, **SRC)


ECONOMICS = Economics(
    electricity=_econ(0.10, "usd_per_kwh"),
    colocation=_econ(150, "usd_per_kw_month"),
    datacenter_pue=_econ(1.5, "ratio"),
    office_pue=_econ(1.0, "ratio"),
    depreciation=_econ(5, "years"),
)


def make_catalog(offers: tuple[Offer, ...] = OFFERS) -> Catalog:
    return Catalog.from_rows(ACCELERATORS, SYSTEMS, offers, FREE_TIERS, ECONOMICS)


CATALOG = make_catalog()
# the hours a serving workload runs over the default horizon at the default use
SERVING_HOURS = DEFAULT_USAGE_HOURS_PER_MONTH * DEFAULT_MONTHS


def params_b(model: str) -> float:
    match = re.search(r"(\d+(?:\.\d+)?)b", model)
    if match is None:
        raise UnknownNameError("model", model, ["toy-7b", "toy-70b"])
    return float(match.group(1))


def fake_weights_of(model: str) -> Callable[[str], float | None]:
    """Precision -> GB of weights, as the fake estimator counts them (for the planner's screen)."""
    return lambda name: params_b(model) * bits_of(name) / 8 if name in BITS else None


def fake_estimate(w: Workload, catalog: Catalog) -> Estimate:
    if w.hardware is None:
        raise ValueError("the planner always sets the hardware")
    accel = catalog.accelerators[w.hardware]
    apple = accel.vendor == "apple"
    if w.engine is Engine.VLLM and apple:
        raise NotSupportedError("vllm does not run on Apple silicon")
    precision = w.precision or ("q4_k_m" if apple and w.task is Task.INFERENCE else "bf16")
    bits = bits_of(precision)
    if precision == "fp8" and accel.fp8_tflops is None:
        raise NotSupportedError(f"fp8 needs FP8 tensor cores; {accel.id} has none")
    if (precision in GGUF) != apple and precision not in {"bf16", "fp16", "fp32"}:
        raise NotSupportedError(f"{precision} is not loadable by the default engine here")
    p = params_b(w.model_name)
    weights = p * bits / 8
    per_device = weights / w.devices * OVERHEAD
    if w.task in (Task.FINETUNE, Task.PRETRAIN):
        per_device *= 3
    capacity = accel.memory_for(w.memory_gb)
    fits = per_device <= capacity
    inference = training = image = None
    if fits and w.task is Task.INFERENCE:
        decode = accel.mem_bw_gbs * w.devices / weights * 0.7
        batch = w.inference.batch if w.inference and w.inference.batch != "max" else 1
        prompt = w.inference.prompt_tokens if w.inference else 0
        # every sequence of the batch waits for the prefill of all the prompts
        inference = InferenceSpeed(
            prefill_tokens_per_s=decode * 50,
            ttft_s=int(batch) * prompt / (decode * 50),
            decode_tokens_per_s=decode,
            throughput_tokens_per_s=decode * int(batch),
            max_context_tokens=8192,
            batch=int(batch),
        )
    if fits and w.task in (Task.FINETUNE, Task.PRETRAIN):
        tokens = (w.finetune.total_tokens() if w.finetune else None) or (
            w.pretrain.tokens if w.pretrain and w.pretrain.tokens else 20 * p * 1e9
        )
        rate = w.devices * accel.fp16_tflops * 1e12 * TRAIN_MFU / (6 * p * 1e9)
        hours = tokens / rate / 3600
        training = TrainingSpeed(
            tokens_per_s=rate,
            tokens_per_s_per_device=rate / w.devices,
            tflops_per_device=accel.fp16_tflops * TRAIN_MFU,
            mfu=TRAIN_MFU,
            step_s=1.0,
            total_hours=hours,
            device_hours=hours * w.devices,
            tokens=tokens,
        )
    if fits and w.task is Task.IMAGE:
        ips = w.devices * accel.fp16_tflops / (p * 100)
        image = ImageSpeed(steps_per_s=ips * 30, seconds_per_image=1 / ips, images_per_s=ips)
    return Estimate(
        workload=w.model_copy(update={"precision": precision}),
        fits=fits,
        memory=MemoryBreakdown(per_device_gb=per_device, capacity_gb=capacity, weights_gb=weights),
        inference=inference,
        training=training,
        image=image,
        bound=Bound.MEMORY_BANDWIDTH if fits else Bound.MEMORY_CAPACITY,
        assumptions=["fake estimator"],
        suggestions=[] if fits else ["use more devices"],
    )


def run_plan(spec: dict[str, Any], catalog: Catalog = CATALOG, **kw: Any) -> Plan:
    """plan() of ``spec`` over ``catalog`` with the fake estimator and its weights screen."""
    return plan(
        spec,
        catalog,
        estimator=fake_estimate,
        bits_of=bits_of,
        weights_of=fake_weights_of(spec["model"]),
        **kw,
    )


# 60,000 USD over 5 years -> 1,000 USD/month; colocation 2 kW x 100 = 200 USD/month;
# energy 1 kW x 0.10 USD/kWh x PUE 1.5 = 0.15 USD per hour of use.
OWNER = Ownership(
    purchase_usd=60_000,
    power_typical_w=1_000,
    provisioned_w=2_000,
    electricity_usd_per_kwh=0.10,
    pue=1.5,
    depreciation_years=5,
    colocation_usd_per_kw_month=100,
)
