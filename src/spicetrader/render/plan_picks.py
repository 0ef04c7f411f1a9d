"""The top of a plan's human view: the named picks with their reasons, then what to know about
each pick (free-tier limits, marketplace hosts, spot, the age of a purchase price)."""

from __future__ import annotations

from datetime import date

from spicetrader.planner.buy import DISCONTINUED_NOTE, USED_MARKET_PREFIX
from spicetrader.planner.models import PickName, Plan, PlanOption
from spicetrader.planner.rent import MARKETPLACE_NOTE, SPOT_NOTE
from spicetrader.render.blocks import Block, Indented, Line, Styled

__all__ = ["PICK_TITLES", "caveats", "picks_blocks", "price_age"]

PICK_TITLES: dict[PickName, str] = {
    PickName.RECOMMENDED: "Recommended",
    PickName.CHEAPEST: "Cheapest",
    PickName.FASTEST: "Fastest",
    PickName.BEST_OWNED: "Best to own",
    PickName.BEST_RENTAL: "Best rental",
    PickName.FREE_TO_TRY: "Free",
}
OLD_PRICE_MONTHS = 12  # a purchase price older than this is called old


def price_age(as_of: str, today: date) -> str:
    """``"2023-06"`` -> ``"2.5 years old"`` / ``"5 months old"`` (months from ``today``)."""
    year, month = (int(p) for p in as_of[:7].split("-"))
    months = max(0, (today.year - year) * 12 + today.month - month)
    if months >= OLD_PRICE_MONTHS:
        return f"{months / 12:.1f} years old: an old price"
    return f"{months} month{'s' if months != 1 else ''} old"


def _free_caveat(option: PlanOption) -> str | None:
    use = option.free_use
    if use is None:
        return None
    parts = [f"sessions of up to {use.session_hours:g} h"]
    if use.weekly_quota_hours is not None:
        parts.append(f"~{use.weekly_quota_hours:g} h a week of GPU quota")
    elif use.monthly_hours_cap is not None:
        parts.append(f"~{use.monthly_hours_cap:,.0f} h a month of compute units")
    else:
        parts.append("no published quota (GPU access can be refused after heavy use)")
    parts.append("a notebook, not an endpoint; GPUs not guaranteed")
    return "; ".join(parts)


def caveats(option: PlanOption, today: date) -> list[str]:
    """What a person should know before choosing ``option``, in short phrases."""
    out: list[str] = []
    free = _free_caveat(option)
    if free is not None:
        out.append(free)
    if MARKETPLACE_NOTE in option.notes:
        out.append(MARKETPLACE_NOTE)
    if option.spot:
        out.append(SPOT_NOTE)
    own = option.ownership
    if own is not None and own.purchase_usd > 0:
        out.append(f"purchase price as of {own.price_as_of} ({price_age(own.price_as_of, today)})")
    out.extend(
        n for n in option.notes if n == DISCONTINUED_NOTE or n.startswith(USED_MARKET_PREFIX)
    )
    if option.quantized_for_speed:
        out.extend(n for n in option.notes if "for speed" in n)
    if own is not None and own.job_share_usd is not None and own.purchase_usd > 0:
        out.append(
            f"the job's share of owning it: {_usd(own.job_share_usd)} (energy + depreciation "
            f"of {option.hours or 0.0:,.1f} h); you pay the purchase to get it"
        )
    return out


def _usd(value: float) -> str:
    return f"${value:,.0f}" if abs(value) >= 100 else f"${value:,.2f}"


def picks_blocks(plan: Plan, today: date) -> list[Block]:
    """The picks (each with its reason) and what to know about the picked options."""
    out: list[Block] = []
    rec = plan.recommendation
    if rec.option is None:
        out.append(Line((("No recommendation", "bold red"), (": ", None), (rec.why, None))))
    if not plan.picks:
        return out
    out.append(Line((("Picks", "bold"),)))
    for name, pick in plan.picks.items():
        style = "bold green" if name is PickName.RECOMMENDED else "bold"
        out.append(Styled((("  ", None), (f"{PICK_TITLES[name]}: ", style), (pick.option, None))))
        out.append(Indented(pick.reason, 4))
    seen: set[str] = set()
    lines: list[tuple[str, str]] = []
    for pick in plan.picks.values():
        if pick.option in seen:
            continue
        seen.add(pick.option)
        lines.extend((pick.option, c) for c in caveats(plan.option(pick.option), today))
    if lines:
        out.append(Line((("Before you choose", "bold"),)))
        out.extend(Indented(f"{option_id}: {text}", 2) for option_id, text in lines)
    return out
