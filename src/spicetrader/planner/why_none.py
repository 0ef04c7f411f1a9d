"""Why a plan recommends nothing, in words: the budget, the deadline (or job window), the
serving speed, or nothing fits; each part names the option closest to meeting it."""

from __future__ import annotations

from collections.abc import Sequence

from spicetrader.planner.constraints import PlanConstraints, Tier
from spicetrader.planner.context import Miss
from spicetrader.planner.models import Job, JobKind, OptionStatus, PlanOption
from spicetrader.planner.words import money, speed_words

__all__ = ["nothing_fits", "why_infeasible"]


def _decode(option: PlanOption) -> float:
    speed = option.estimate.inference
    return (speed.decode_tokens_per_s or 0.0) if speed is not None else 0.0


def why_infeasible(fitting: Sequence[PlanOption], constraints: PlanConstraints, job: Job) -> str:
    parts: list[str] = []
    budget = constraints.budget_usd
    # a notebook that is only for trying it out does not count as within the budget of serving
    usable = [o for o in fitting if o.status is not OptionStatus.TRY_ONLY]
    if budget is not None and usable and not any(o.within_budget for o in usable):
        cheapest = min(usable, key=lambda o: (_spend_usd(o), o.id))
        cost = _spend_usd(cheapest)
        cash = " in cash (purchase included)" if _buys(cheapest) else ""
        parts.append(
            f"budget too small: the cheapest option, {cheapest.id}, costs {money(cost)}{cash}, "
            f"{money(cost - budget)} over the budget of {money(budget)}"
        )
    late = {OptionStatus.MISSES_DEADLINE, OptionStatus.IMPRACTICAL}
    timed = [o for o in fitting if o.status in late or o.status is OptionStatus.OK]
    if job.kind is not JobKind.SERVING and timed and all(o.status in late for o in timed):
        limit = (
            f"the deadline of {constraints.deadline_hours:g} h"
            if constraints.deadline_hours is not None
            else "the 30-day job window (--deadline-hours to allow longer)"
        )
        # an option over the budget has met the deadline (status.py checks time first)
        in_time = [o for o in fitting if o.status is OptionStatus.OVER_BUDGET]
        if budget is not None and in_time:
            parts.append(_time_or_money(timed, in_time, limit, budget))
        else:
            fastest = min(timed, key=lambda o: (o.finish_hours or 0.0, o.id))
            parts.append(
                f"no option finishes within {limit}: the fastest, {fastest.id}, "
                f"takes {speed_words(fastest)}"
            )
    servers = [o for o in fitting if o.status is not OptionStatus.TRY_ONLY]
    if any(o.fast_enough is False for o in servers) and not any(o.fast_enough for o in servers):
        fastest = max(servers, key=lambda o: (_decode(o), o.id))
        parts.append(
            f"every option that fits is too slow to serve: the fastest, {fastest.id}, decodes "
            f"{_decode(fastest):,.1f} tokens/s per user"
            f"{_first_token_words(fastest)}; lower --min-tokens-per-s or raise --max-ttft-s "
            "(0: no limit), serve fewer users at once, or choose a smaller model or precision"
        )
    if not servers:
        parts.append(
            "only notebooks fit, and a notebook is not an endpoint: they are listed to try it "
            "out; allow another tier (--only) to serve"
        )
    if not parts:
        given = [
            (constraints.deadline_hours is not None, "the deadline", "--deadline-hours"),
            (budget is not None, "the budget", "--budget-usd"),
            (job.kind is JobKind.SERVING, "the serving speed", "--min-tokens-per-s"),
        ]
        names = [name for on, name, _ in given if on] or ["the job window"]
        flags = [flag for on, _, flag in given if on] or ["--deadline-hours"]
        parts.append(
            f"no option meets {', '.join(names[:-1]) + ' and ' if len(names) > 1 else ''}"
            f"{names[-1]} together: relax {'one of them' if len(names) > 1 else 'it'} "
            f"({', '.join(flags)})"
        )
    return "; ".join(parts)


def _buys(option: PlanOption) -> bool:
    return option.ownership is not None and option.ownership.purchase_usd > 0


def _spend_usd(option: PlanOption) -> float:
    """What the budget is held against: the cash out of a machine to buy (``buy.py``), else the
    cost."""
    if option.ownership is not None and _buys(option):
        return option.ownership.cash_out_usd
    return option.cost_usd or 0.0


def _time_or_money(
    late: Sequence[PlanOption], in_time: Sequence[PlanOption], limit: str, budget: float
) -> str:
    """Some options finish in time but cost more than the budget, the others are late: the
    deadline and the budget cannot both be met, and what each would take."""
    affordable = [o for o in late if o.within_budget is not False] or list(late)
    fastest = min(affordable, key=lambda o: (o.finish_hours or 0.0, o.id))
    cheapest = min(in_time, key=lambda o: (o.rank_cost_usd or 0.0, o.id))
    return (
        f"no option finishes within {limit} for at most {money(budget)}: the fastest within "
        f"the budget, {fastest.id}, takes {speed_words(fastest)}; the cheapest that finishes "
        f"in time, {cheapest.id}, costs {money(cheapest.rank_cost_usd or 0.0)} "
        "(raise --budget-usd or --deadline-hours)"
    )


def nothing_fits(misses: Sequence[Miss], tiers: frozenset[Tier]) -> str:
    if not misses:
        chosen = ", ".join(sorted(t.value for t in tiers))
        return f"nothing fits: no hardware in the tiers considered ({chosen}) can run it"

    closest = min(misses, key=lambda m: (m.needs_gb / max(m.memory_gb, 1e-9), m.id))
    hints = list(dict.fromkeys(s for m in misses for s in m.suggestions))[:2]
    hints += [
        "more devices (a bigger instance or server)",
        "a smaller precision (--allow-quantization, --precision q4_k_m)",
        "another tier (--only)",
    ]
    return (
        f"nothing fits: the closest, {closest.id}, needs {closest.needs_gb:,.1f} GB "
        f"and has {closest.memory_gb:,.1f} GB; what would help: " + "; ".join(hints)
    )


def _first_token_words(option: PlanOption) -> str:
    speed = option.estimate.inference
    ttft = speed.ttft_s if speed is not None else None
    return "" if ttft is None else f" and answers after {ttft:,.1f} s"
