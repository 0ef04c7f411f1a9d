"""One-line summaries of results: the short ``repr`` of an Estimate and a Plan, and the line
that says which model a name resolved to ("llama3 → llama-3-8b (Llama 3 8B)").

Plain text, no rich and no I/O: the CLI, the web pages and notebooks all use these.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spicetrader.planner.models import Plan, PlanOption
    from spicetrader.spec.estimate import Estimate
    from spicetrader.spec.workload import InlineArchitecture

__all__ = ["estimate_repr", "option_repr", "plan_repr", "resolved_line", "usd"]


def resolved_line(model_input: str | None, model: str | InlineArchitecture) -> str | None:
    """ "llama3 → llama-3-8b (Llama 3 8B)" when the name given is not the id used, else None."""
    if model_input is None or not isinstance(model, str) or model_input.strip() == model:
        return None
    from spicetrader.errors import SpiceError
    from spicetrader.models.registry import resolve_model

    try:
        name = resolve_model(model).name
    except SpiceError:
        return f"{model_input} → {model}"
    return f"{model_input} → {model} ({name})"


def usd(value: float | None) -> str:
    if value is None:
        return "-"
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} {unit}" if value >= 100 else f"{value:.3g} {unit}"


def estimate_speed(est: Estimate) -> str:
    """The headline speed: decode tokens/s, training hours, or seconds per image."""
    if est.inference is not None:
        return f"decode {_num(est.inference.decode_tokens_per_s, 'tok/s')}"
    if est.training is not None:
        return f"{_num(est.training.total_hours, 'h')} to train"
    if est.image is not None:
        return f"{_num(est.image.seconds_per_image, 's')} per image"
    return "no speed"


def estimate_repr(est: Estimate) -> str:
    wl = est.workload
    mem = est.memory
    where = f"{wl.device_count}x {wl.hardware}" if wl.device_count > 1 else f"{wl.hardware}"
    head = f"{wl.model_name} {wl.task.value} on {where} ({wl.precision})"
    memory = f"{mem.per_device_gb:,.1f} of {mem.capacity_gb:,.1f} GB"
    if not est.fits:
        return f"<Estimate {head}: does not fit, needs {memory} per device>"
    return f"<Estimate {head}: fits, {memory}, {estimate_speed(est)}, {est.bound.value}-bound>"


def option_repr(option: PlanOption) -> str:
    state = "ok" if option.feasible else ("does not fit" if not option.fits else "not usable")
    status = getattr(option, "status", None)
    if status is not None:
        state = str(getattr(status, "value", status))
    return (
        f"<PlanOption {option.id}: {option.devices}x {option.hardware} {option.precision}, "
        f"{usd(option.cost_usd)}, {state}>"
    )


def plan_repr(plan: Plan) -> str:
    usable = sum(1 for o in plan.options if o.feasible)
    best = plan.recommendation.option
    pick = "nothing recommended"
    if best is not None:
        option = plan.option(best)
        pick = f"recommended {best} ({usd(option.cost_usd)})"
    return (
        f"<Plan {plan.workload.model_name} {plan.job.kind.value}: {len(plan.options)} options, "
        f"{usable} usable; {pick}>"
    )
