"""A small catalog and fake estimator/planner for the web tests (injected into ``create_app``).

The rows are real (sources and dates as in the bundled catalog); the fakes build the real
contract objects (``Estimate``, ``Plan``) so the web layer is tested against their true shape.
"""

from __future__ import annotations

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.schema import (
    Accelerator,
    Economics,
    EconomicsValue,
    FreeTier,
    Interconnect,
    Offer,
    System,
    SystemKind,
    Vendor,
)
from spicetrader.errors import InputError, UnknownNameError
from spicetrader.models.arch import Architecture, Denoiser, DiffusionArchitecture
from spicetrader.planner.constraints import Tier
from spicetrader.planner.economics import Ownership, break_even_hours_per_month, break_even_months
from spicetrader.planner.models import Job, JobKind, OwnershipSummary, Plan, PlanOption
from spicetrader.planner.models import Recommendation as Rec
from spicetrader.spec.estimate import Bound, Estimate, InferenceSpeed, MemoryBreakdown
from spicetrader.spec.workload import Workload
from spicetrader.web.schemas import PlanConstraintsIn

KNOWN_MODELS = ("llama-3-8b", "llama-3-70b", "mistral-7b")

RTX_4090 = Accelerator(
    id="rtx-4090", name="GeForce RTX 4090", aliases=("RTX 4090",), vendor=Vendor.NVIDIA,
    family="ada", segment="consumer", memory_gb=24.0, mem_bw_gbs=1008.0, fp32_tflops=82.6,
    fp16_tflops=165.2, fp16_acc16_tflops=330.3, bf16=True, fp8_tflops=330.3, tdp_w=450.0,
    interconnect=Interconnect.PCIE, interconnect_gbs=32.0,
    source="https://images.nvidia.com/aem-dam/Solutions/geforce/ada/nvidia-ada-gpu-architecture.pdf",
    as_of="2023-01",
)  # fmt: skip
H100_SXM = Accelerator(
    id="h100-sxm", name="H100 SXM5 80GB", aliases=("H100 SXM",), vendor=Vendor.NVIDIA,
    family="hopper", segment="datacenter", memory_gb=80.0, mem_bw_gbs=3350.0, fp32_tflops=67.0,
    tf32_tflops=494.7, fp16_tflops=989.4, bf16=True, fp8_tflops=1978.9, tdp_w=700.0,
    interconnect=Interconnect.NVLINK, interconnect_gbs=450.0,
    source="https://resources.nvidia.com/en-us-tensor-core/nvidia-tensor-core-gpu-datasheet",
    as_of="2024-01",
)  # fmt: skip
M2_ULTRA = Accelerator(
    id="m2-ultra-76c", name="Apple M2 Ultra 76-core GPU", vendor=Vendor.APPLE, family="apple-m2",
    segment="apple", memory_gb=192.0, memory_configs_gb=(64.0, 128.0, 192.0),
    unified_memory=True, mem_bw_gbs=800.0, fp32_tflops=27.2, fp16_tflops=27.2, bf16=True,
    tdp_w=295.0, interconnect=Interconnect.NONE, interconnect_gbs=0.0,
    source="https://www.apple.com/newsroom/2023/06/apple-introduces-m2-ultra/", as_of="2023-06",
)  # fmt: skip


def _econ(value: float, unit: str) -> EconomicsValue:
    return EconomicsValue(value=value, unit=unit, source="test", as_of="2025-01")


def small_catalog() -> Catalog:
    offers = [
        Offer(id="lambda:gpu_1x_h100_sxm5", provider="lambda", instance_type="gpu_1x_h100_sxm5",
              accelerator="h100-sxm", count=1, price_usd_per_hour=3.29,
              source="https://lambda.ai/pricing", as_of="2025-06"),
        Offer(id="lambda:gpu_8x_h100_sxm5", provider="lambda", instance_type="gpu_8x_h100_sxm5",
              accelerator="h100-sxm", count=8, price_usd_per_hour=23.92,
              source="https://lambda.ai/pricing", as_of="2025-06"),
        Offer(id="runpod:4090", provider="runpod", instance_type="1x RTX 4090",
              accelerator="rtx-4090", count=1, price_usd_per_hour=0.69,
              spot_price_usd_per_hour=0.35, source="https://www.runpod.io/pricing",
              as_of="2025-06"),
    ]  # fmt: skip
    systems = [
        System(id="rtx-4090-workstation", name="RTX 4090 workstation", kind=SystemKind.WORKSTATION,
               accelerator="rtx-4090", count=1, memory_gb=24.0, price_usd=3500.0,
               price_as_of="2025-01", power_typical_w=550.0, power_max_w=850.0,
               source="test", as_of="2025-01"),
        System(id="mac-studio-m2-ultra-192", name="Mac Studio M2 Ultra 192 GB",
               kind=SystemKind.MAC, accelerator="m2-ultra-76c", count=1, memory_gb=192.0,
               price_usd=6599.0, price_as_of="2023-06", power_typical_w=200.0,
               power_max_w=295.0, source="test", as_of="2023-06"),
    ]  # fmt: skip
    free = [
        FreeTier(id="kaggle-t4x2", service="kaggle", tier="free", accelerator="rtx-4090", count=2,
                 session_hours=12.0, weekly_quota_hours=30.0, monthly_price_usd=0.0,
                 confidence="medium", source="https://www.kaggle.com/docs/notebooks",
                 as_of="2025-01"),
    ]  # fmt: skip
    economics = Economics(
        electricity=_econ(0.1648, "usd_per_kwh"), colocation=_econ(150.0, "usd_per_kw_month"),
        datacenter_pue=_econ(1.58, "ratio"), office_pue=_econ(1.0, "ratio"),
        depreciation=_econ(5.0, "years"),
    )  # fmt: skip
    return Catalog.from_rows([RTX_4090, H100_SXM, M2_ULTRA], systems, offers, free, economics)


def fake_estimate(workload: Workload, catalog: Catalog) -> Estimate:
    """Resolves names like the real estimator, then answers with memory from the parameter count
    in the model id (``-8b`` -> 8e9 params at 2 bytes each)."""
    if workload.hardware is None:
        raise InputError("estimate needs a hardware id (see GET /api/hardware)")
    accel = catalog.accelerator(workload.hardware)
    name = workload.model_name
    if name not in KNOWN_MODELS:
        raise UnknownNameError("model", name, [m for m in KNOWN_MODELS if m[:5] == name[:5]])
    weights_gb = float(name.rsplit("-", 1)[1].rstrip("b")) * 2.0
    capacity = accel.memory_gb
    if workload.devices == "auto":  # the fewest whole devices that hold the weights
        workload = workload.model_copy(
            update={"devices": max(1, -(-int(weights_gb + 1) // int(capacity)))}
        )
    devices = workload.device_count
    fits = weights_gb + 1.0 <= capacity * devices
    per_device = (weights_gb + 1.0) / devices
    return Estimate(
        workload=workload, fits=fits,
        memory=MemoryBreakdown(per_device_gb=per_device, capacity_gb=capacity,
                               weights_gb=weights_gb / devices, overhead_gb=1.0),
        inference=InferenceSpeed(prefill_tokens_per_s=5000.0, ttft_s=0.1,
                                 decode_tokens_per_s=accel.mem_bw_gbs / weights_gb,
                                 throughput_tokens_per_s=accel.mem_bw_gbs / weights_gb,
                                 max_context_tokens=8192),
        bound=Bound.MEMORY_BANDWIDTH if fits else Bound.MEMORY_CAPACITY,
        assumptions=[f"fake estimator on {accel.id}"],
    )  # fmt: skip


def _option(
    workload: Workload,
    catalog: Catalog,
    tier: Tier,
    hardware: str,
    devices: int,
    hours: float,
    cost: float,
    **extra: object,
) -> PlanOption:
    est = fake_estimate(workload.model_copy(update={"hardware": hardware, "devices": devices}),
                        catalog)  # fmt: skip
    return PlanOption(
        id=f"{tier.value}:{hardware}x{devices}", tier=tier, name=f"{devices}x {hardware}",
        hardware=hardware, devices=devices, precision="bf16", fits=est.fits,
        feasible=est.fits, hours=hours if est.fits else None,
        cost_usd=cost if est.fits else None, as_of="2025-06", sources=("test",),
        estimate=est, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


def fake_plan(workload: Workload, catalog: Catalog, constraints: PlanConstraintsIn) -> Plan:
    """A plan with one option per tier; the usage constraint scales the hours."""
    planner_constraints = constraints.to_planner()  # impossible combinations raise InputError
    usage = planner_constraints.usage_hours_per_month or 160.0
    months = 12.0
    owner = Ownership(
        purchase_usd=3500.0, power_typical_w=550.0, provisioned_w=850.0,
        electricity_usd_per_kwh=0.1648, pue=1.0, depreciation_years=5.0,
    )  # fmt: skip
    ownership = OwnershipSummary(
        purchase_usd=owner.purchase_usd, price_as_of="2025-01", power_typical_w=550.0,
        energy_usd=owner.energy_usd(usage * months),
        depreciation_usd_per_month=owner.depreciation_usd_per_month, colocation_usd_per_month=0.0,
        usd_per_month=owner.usd_per_month(usage), horizon_months=months,
        versus_rent_option="rent:rtx-4090x1", rent_usd_per_hour_equivalent=0.69,
        break_even_hours_per_month=break_even_hours_per_month(owner, 0.69),
        break_even_months=break_even_months(owner, 0.69, usage),
        cash_out_usd=owner.cash_out_usd(usage * months, months),
        value_left_usd=owner.book_value_usd(months),
        net_cost_usd=owner.net_cost_usd(usage * months, months),
    )  # fmt: skip
    hours = usage * months
    options = [
        _option(workload, catalog, Tier.BUY, "rtx-4090", 1, hours, 3500.0 + 150.0,
                ownership=ownership),
        _option(workload, catalog, Tier.RENT, "rtx-4090", 1, hours, hours * 0.69,
                price_usd_per_hour=0.69, provider="runpod"),
        _option(workload, catalog, Tier.MAC, "m2-ultra-76c", 1, hours, 6599.0),
        _option(workload, catalog, Tier.FREE, "rtx-4090", 2, hours, 0.0),
    ]  # fmt: skip
    options = [o for o in options if o.tier in planner_constraints.tiers]
    feasible = [o for o in options if o.feasible]
    best = min(feasible, key=lambda o: o.cost_usd or 0.0) if feasible else None
    return Plan(
        workload=workload,
        job=Job(kind=JobKind.SERVING, months=months, usage_hours_per_month=usage,
                description=f"serve {usage:g} h/month for 12 months"),
        options=tuple(options),
        recommendation=Rec(option=best.id if best else None,
                           why="cheapest feasible option" if best else "nothing fits"),
        pareto=tuple(o.id for o in feasible),
        assumptions=("fake planner",), prices_as_of="2025-06",
    )  # fmt: skip


LLAMA_3_8B = Architecture(
    id="llama-3-8b", name="Llama 3 8B", family="llama", aliases=("meta-llama/Meta-Llama-3-8B",),
    layers=32, hidden=4096, heads=32, kv_heads=8, head_dim=128, ffn_hidden=14336, vocab=128256,
    max_context=8192, source="https://huggingface.co/meta-llama/Meta-Llama-3-8B", as_of="2024-04",
)  # fmt: skip
SD_15 = DiffusionArchitecture(
    id="sd-1.5", name="Stable Diffusion 1.5", family="stable-diffusion", denoiser=Denoiser.UNET,
    denoiser_params=859_520_964, text_encoder_params=123_060_480, vae_params=83_653_863,
    reference_resolution=512, denoiser_gflops_per_step=400.0, text_encoder_gflops=6.0,
    vae_decode_gflops=1240.0, default_steps=50, source="test", as_of="2022-10",
)  # fmt: skip


def fake_models() -> tuple[Architecture | DiffusionArchitecture, ...]:
    return (LLAMA_3_8B, SD_15)
