"""Results as flat rows: ``Plan.to_records()`` (one row per option), ``Estimate.to_records()``
(one row), and ``to_pandas()`` on both when pandas is installed.

Column names carry their units like the JSON fields they come from. pandas is optional and
imported only by :func:`to_dataframe`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spicetrader.planner.models import Plan, PlanOption
    from spicetrader.spec.estimate import Estimate

__all__ = ["estimate_record", "option_record", "plan_records", "to_dataframe"]


def estimate_record(est: Estimate) -> dict[str, Any]:
    """The estimate as one flat row: the workload's main fields, memory, speeds, bound."""
    wl = est.workload
    mem = est.memory
    inf, tr, img = est.inference, est.training, est.image
    return {
        "model": wl.model_name,
        "model_input": est.model_input,
        "task": wl.task.value,
        "hardware": wl.hardware,
        "devices": wl.devices,
        "precision": wl.precision,
        "engine": None if wl.engine is None else wl.engine.value,
        "fits": est.fits,
        "bound": est.bound.value,
        "memory_per_device_gb": mem.per_device_gb,
        "capacity_gb": mem.capacity_gb,
        "weights_gb": mem.weights_gb,
        "kv_cache_gb": mem.kv_cache_gb,
        "decode_tokens_per_s": None if inf is None else inf.decode_tokens_per_s,
        "prefill_tokens_per_s": None if inf is None else inf.prefill_tokens_per_s,
        "ttft_s": None if inf is None else inf.ttft_s,
        "throughput_tokens_per_s": None if inf is None else inf.throughput_tokens_per_s,
        "train_tokens_per_s": None if tr is None else tr.tokens_per_s,
        "train_hours": None if tr is None else tr.total_hours,
        "mfu": None if tr is None else tr.mfu,
        "seconds_per_image": None if img is None else img.seconds_per_image,
        "confidence": est.confidence,
    }


def option_record(option: PlanOption, recommended: str | None = None) -> dict[str, Any]:
    """One plan option as a flat row (its estimate's speeds included)."""
    status = getattr(option, "status", None)
    own = option.ownership
    speed = estimate_record(option.estimate)
    return {
        "id": option.id,
        "tier": option.tier.value,
        "name": option.name,
        "hardware": option.hardware,
        "devices": option.devices,
        "memory_gb": option.memory_gb,
        "precision": option.precision,
        "quantized": option.quantized,
        "fits": option.fits,
        "feasible": option.feasible,
        "status": None if status is None else str(getattr(status, "value", status)),
        "recommended": option.id == recommended,
        "hours": option.hours,
        "request_s": option.request_s,
        "calendar_hours": option.calendar_hours,
        "cost_usd": option.cost_usd,
        "price_usd_per_hour": option.price_usd_per_hour,
        "provider": option.provider,
        "spot": option.spot,
        "purchase_usd": None if own is None else own.purchase_usd,
        "break_even_months": None if own is None else own.break_even_months,
        "decode_tokens_per_s": speed["decode_tokens_per_s"],
        "ttft_s": speed["ttft_s"],
        "train_tokens_per_s": speed["train_tokens_per_s"],
        "seconds_per_image": speed["seconds_per_image"],
        "memory_per_device_gb": speed["memory_per_device_gb"],
        "as_of": option.as_of,
    }


def plan_records(plan: Plan) -> list[dict[str, Any]]:
    """Every option of the plan, in the plan's order (tier, then rank), as flat rows."""
    best = plan.recommendation.option
    return [option_record(o, best) for o in plan.options]


def to_dataframe(records: Sequence[dict[str, Any]], index: str | None = None) -> Any:
    """A ``pandas.DataFrame`` of ``records``; an ImportError that says what to install when
    pandas is missing."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(
            "to_pandas() needs pandas, which is not installed: pip install pandas "
            "(to_records() gives the same rows as plain dicts)"
        ) from None
    frame = pd.DataFrame.from_records(list(records))
    return frame.set_index(index) if index is not None and not frame.empty else frame
