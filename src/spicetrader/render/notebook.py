"""Compact HTML for Jupyter (``_repr_html_``): an Estimate as a short table, a Plan as its picks
(or its recommendation) and the best few options of each tier. Everything shown is escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Any

from spicetrader.render.summary import estimate_speed, resolved_line, usd

if TYPE_CHECKING:
    from spicetrader.planner.models import Plan, PlanOption
    from spicetrader.spec.estimate import Estimate

__all__ = ["estimate_html", "plan_html"]

ROWS_PER_TIER = 3
_STYLE = "border-collapse:collapse;font-size:0.9em"


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table style='{_STYLE}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _p(text: str, small: bool = False) -> str:
    inner = f"<small>{escape(text)}</small>" if small else escape(text)
    return f"<p style='margin:0.3em 0'>{inner}</p>"


def estimate_html(est: Estimate) -> str:
    wl = est.workload
    mem = est.memory
    parts = [
        f"<p style='margin:0.3em 0'><b>{escape(wl.model_name)}</b> {escape(wl.task.value)} on "
        f"{wl.devices}x {escape(str(wl.hardware))} ({escape(str(wl.precision))}, "
        f"{escape(wl.engine.value if wl.engine else '-')}): "
        f"<b>{'fits' if est.fits else 'does not fit'}</b></p>"
    ]
    resolved = resolved_line(est.model_input, wl.model)
    if resolved:
        parts.append(_p(resolved, small=True))
    rows = [
        ("memory per device", f"{mem.per_device_gb:,.1f} GB of {mem.capacity_gb:,.1f} GB"),
        ("weights", f"{mem.weights_gb:,.1f} GB"),
    ]
    if est.fits:
        rows += [("speed", estimate_speed(est)), ("bound", est.bound.value)]
    rows.append(("confidence", est.confidence))
    parts.append(_table(("", ""), rows))
    if est.suggestions:
        parts.append(_p("to make it fit: " + "; ".join(est.suggestions), small=True))
    return "<div class='spicetrader-estimate'>" + "".join(parts) + "</div>"


def _time(plan: Plan, option: PlanOption) -> str:
    if option.request_s is not None:
        return f"{option.request_s:,.1f} s per request"
    if option.hours is None:
        return "-"
    return f"{option.hours:,.1f} h" if option.hours < 48 else f"{option.hours / 24:,.1f} days"


def _state(option: PlanOption) -> str:
    status = getattr(option, "status", None)
    if status is not None:
        return str(getattr(status, "value", status))
    return "ok" if option.feasible else ("does not fit" if not option.fits else "not usable")


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def _picks(plan: Plan) -> list[tuple[str, str, str]]:
    """(pick, option id, reason): ``Plan.picks`` when the plan has them, else its recommendation."""
    picks = getattr(plan, "picks", None)
    if picks is not None:
        items = picks.items() if isinstance(picks, Mapping) else dict(picks).items()
        found = [
            (str(name), str(_field(pick, "option")), str(_field(pick, "reason") or ""))
            for name, pick in items
            if pick is not None and _field(pick, "option")
        ]
        if found:
            return found
    rec = plan.recommendation
    return [("recommended", rec.option, rec.why)] if rec.option else []


def _shown_options(plan: Plan) -> list[PlanOption]:
    """The best few usable options of each tier, in the plan's order; a tier with none usable
    shows its first option that fits (with why it is not usable)."""
    shown: list[PlanOption] = []
    for tier in dict.fromkeys(o.tier for o in plan.options):
        options = [o for o in plan.options if o.tier is tier]
        usable = [o for o in options if o.feasible][:ROWS_PER_TIER]
        shown += usable or [o for o in options if o.fits][:1]
    return shown


def plan_html(plan: Plan) -> str:
    wl = plan.workload
    parts = [
        f"<p style='margin:0.3em 0'><b>{escape(wl.model_name)}</b> {escape(wl.task.value)}: "
        f"{escape(plan.job.description)}</p>"
    ]
    resolved = resolved_line(plan.model_input, wl.model)
    if resolved:
        parts.append(_p(resolved, small=True))
    picks = _picks(plan)
    ids = {o.id for o in plan.options}
    if picks:
        rows = []
        for name, option_id, reason in picks:
            option = plan.option(option_id) if option_id in ids else None
            cost = usd(option.cost_usd) if option else "-"
            time = _time(plan, option) if option else "-"
            rows.append((name.replace("_", " "), option_id, cost, time, reason))
        parts.append(_table(("pick", "option", "cost", "time", "why"), rows))
    else:
        parts.append(_p("Nothing fits or meets the constraints: " + plan.recommendation.why))
    best = [
        (o.tier.value, o.id, f"{o.devices}x {o.hardware}", o.precision, _time(plan, o),
         usd(o.cost_usd), _state(o))
        for o in _shown_options(plan)
    ]  # fmt: skip
    if best:
        header = ("tier", "option", "hardware", "precision", "time", "cost", "status")
        parts.append(_table(header, best))
    foot = f"{len(plan.options)} options in all (plan.to_pandas() lists them)"
    if plan.prices is not None:
        foot = f"{plan.prices.describe()}; {foot}"
    parts.append(_p(foot, small=True))
    return "<div class='spicetrader-plan'>" + "".join(parts) + "</div>"
