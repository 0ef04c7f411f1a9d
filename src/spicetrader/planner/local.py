""" "This machine": the accelerators you already own (found by ``spice probe``), as a buy option.

It is listed with the buy tier as ``local:this-machine``: owned machines are what the buy tier
prices, and this one is already paid for, so its purchase price and depreciation are 0 and the
job costs only the electricity (energy formula in ``planner/economics.py``; office PUE, no
colocation unless asked). The probe's measured efficiency (memory bandwidth, FP16 matmul as a
fraction of the datasheet peaks) is reported in the notes; the speeds come from the cost model's
calibrated efficiencies like every other option. The planner never reads the probe file: the edge
passes a :class:`LocalMachine` into ``plan(local=...)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from spicetrader.errors import InputError
from spicetrader.planner.buy import ownership, ownership_summary
from spicetrader.planner.constraints import Tier
from spicetrader.planner.context import PlanContext, TierResult, fit_notes
from spicetrader.planner.job import job_hours, request_seconds
from spicetrader.planner.models import OwnershipSummary, PlanOption
from spicetrader.planner.search import Evaluated, Unsupported

__all__ = ["LOCAL_OPTION_ID", "LocalMachine", "local_options"]

LOCAL_OPTION_ID = "local:this-machine"
_EFFICIENCY_WORDS = {"mem_bw": "memory bandwidth", "fp16_matmul": "FP16 matmul"}


@dataclass(frozen=True, slots=True)
class LocalMachine:
    """The accelerators of this machine, as ``spice probe`` recorded them.

    - ``hardware``: the catalog accelerator id; ``devices``: how many.
    - ``memory_gb``: per device (Apple silicon: the unified memory configuration); ``None``: the
      catalog's.
    - ``probed_at``: when it was probed (ISO date or time), shown as the option's ``as_of``.
    - ``efficiency``: measured / datasheet peak, e.g. ``{"mem_bw": 0.82, "fp16_matmul": 0.61}``
      (empty when not benchmarked).
    - ``power_w``: the draw while working, for the energy cost (``None``: the accelerators' TDP).
    """

    hardware: str
    devices: int
    probed_at: str
    memory_gb: float | None = None
    efficiency: Mapping[str, float] = field(default_factory=dict)
    power_w: float | None = None

    def __post_init__(self) -> None:
        if self.devices < 1:
            raise InputError(f"this machine: devices must be at least 1, got {self.devices}")
        for name, value in (("memory_gb", self.memory_gb), ("power_w", self.power_w)):
            if value is not None and (not math.isfinite(value) or value <= 0):
                raise InputError(f"this machine: {name} must be a positive number, got {value:g}")


def _efficiency_note(machine: LocalMachine) -> str:
    if not machine.efficiency:
        return "not benchmarked (spice probe --bench measures its efficiency)"
    measured = ", ".join(
        f"{_EFFICIENCY_WORDS.get(key, key)} {value:.0%}"
        for key, value in sorted(machine.efficiency.items())
    )
    return (
        f"measured on this machine: {measured} of the datasheet peak; the speeds here use the "
        "cost model's calibrated efficiencies"
    )


def _option(ctx: PlanContext, machine: LocalMachine, ev: Evaluated, power_w: float) -> PlanOption:
    accel = ctx.catalog.accelerators[machine.hardware]
    econ = ctx.catalog.economics
    # already paid for: no purchase, so no depreciation and (with no rent) no break-even
    owner = ownership(
        ctx, server=False, purchase_usd=0.0, power_typical_w=power_w, provisioned_w=power_w
    )
    hours = job_hours(ctx.job, ev.estimate)
    summary: OwnershipSummary | None = None
    cost: float | None = None
    if hours is not None:
        summary, cost = ownership_summary(ctx, owner, hours, (), machine.probed_at[:10])
    fits = hours is not None
    verdict = ctx.verdict(fits, hours, cost, ev.estimate)
    power = "the accelerators' TDP" if machine.power_w is None else "as given"
    notes = [
        f"already yours (spice probe, {machine.probed_at[:10]}): no purchase, no depreciation; "
        f"the cost is the electricity at {power_w:,.0f} W ({power})",
        _efficiency_note(machine),
        *ctx.slow_notes(verdict, ev.estimate),
        *fit_notes(ev, fits),
    ]
    return PlanOption(
        id=LOCAL_OPTION_ID,
        tier=Tier.BUY,
        name=f"This machine ({machine.devices}x {accel.name})",
        hardware=accel.id,
        devices=machine.devices,
        memory_gb=machine.memory_gb if accel.memory_configs_gb else None,
        precision=ev.precision,
        quantized=ev.quantized,
        quantized_for_speed=ev.for_speed,
        fits=fits,
        feasible=verdict.feasible,
        hours=hours,
        request_s=request_seconds(ctx.job, ev.estimate),
        cost_usd=cost,
        meets_deadline=verdict.meets_deadline,
        within_budget=verdict.within_budget,
        fast_enough=verdict.fast_enough,
        as_of=machine.probed_at[:10],
        sources=(
            f"probe:this-machine@{machine.probed_at}",
            f"accelerator:{accel.id}@{accel.as_of}",
            f"economics:electricity@{econ.electricity.as_of}",
            f"economics:office-pue@{econ.office_pue.as_of}",
        ),
        ownership=summary,
        estimate=ev.estimate,
        notes=tuple(notes),
    )


def local_options(ctx: PlanContext, machine: LocalMachine) -> TierResult:
    """This machine as one buy-tier option (or a note on why it cannot be listed)."""
    result = TierResult()
    accel = ctx.catalog.accelerators.get(machine.hardware)
    if accel is None:
        result.notes.append(f"this machine: {machine.hardware} is not in the catalog; not listed")
        return result
    memory = machine.memory_gb if accel.memory_configs_gb else None
    try:
        accel.memory_for(memory)
    except InputError as exc:
        result.notes.append(f"this machine: not listed: {exc}")
        return result
    ev = ctx.search.evaluate(accel.id, machine.devices, memory)
    if isinstance(ev, Unsupported):
        result.notes.append(f"this machine: {accel.id} cannot run it: {ev.reason}")
        return result
    power_w = machine.power_w or accel.tdp_w * machine.devices
    result.add(_option(ctx, machine, ev, power_w))
    result.notes.append(
        f"this machine ({machine.devices}x {accel.id}, spice probe {machine.probed_at[:10]}) is "
        f"listed with the buy tier as {LOCAL_OPTION_ID}: already owned, it costs the "
        "electricity only"
    )
    return result
