"""The named picks of a plan: the recommendation, the cheapest, the fastest, the best owned,
the best rental, and free "to try it out" (serving) or "if you can wait" (a job).

Each pick says what was traded: its cost and time against the cheapest ("$12 more than the
cheapest, 14x faster"). Only options whose status is ok are picked, except free-to-try for
serving, which is a notebook (status ``try_only``) by definition. A key is present only when
such an option exists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from spicetrader.planner.constraints import ON_PREM_TIERS, Tier
from spicetrader.planner.models import (
    Job,
    JobKind,
    OptionStatus,
    Pick,
    PickName,
    PlanOption,
    Recommendation,
)
from spicetrader.planner.ranking import (
    choosable,
    measured_first,
    money,
    on_sale_first,
    score,
    speed_words,
)

__all__ = ["picks_for"]


def _trade(option: PlanOption, cheapest: PlanOption) -> str:
    """What ``option`` trades against ``cheapest``: extra cost, and how much faster."""
    if option.id == cheapest.id:
        return "the cheapest as well"
    extra = (option.rank_cost_usd or 0.0) - (cheapest.rank_cost_usd or 0.0)
    cost = f"{money(extra)} more than the cheapest" if extra > 0.005 else "as cheap as the cheapest"
    mine, theirs = option.time or 0.0, cheapest.time or 0.0
    if option.request_s is None:  # a job: calendar time to finish
        mine, theirs = option.finish_hours or 0.0, cheapest.finish_hours or 0.0
    if mine > 0 and theirs / mine >= 1.05:
        return f"{cost}, {theirs / mine:,.1f}x faster"
    if mine > 0 and mine / theirs >= 1.05:
        return f"{cost}, {mine / theirs:,.1f}x slower"
    return f"{cost}, about as fast"


def _owned_words(option: PlanOption) -> str:
    own = option.ownership
    if own is None:
        return ""
    if own.purchase_usd <= 0:  # this machine (spice probe): already yours, nothing to buy
        return (
            f"; already yours: nothing to buy, {money(own.energy_usd)} of electricity over "
            f"{own.horizon_months:g} months"
        )
    text = (
        f"; cash out {money(own.cash_out_usd)} (purchase {money(own.purchase_usd)}) over "
        f"{own.horizon_months:g} months, {money(own.value_left_usd)} of value left"
    )
    if own.break_even_months is not None and own.versus_rent_option is not None:
        text += (
            f"; the rent it saves against {own.versus_rent_option} repays the purchase "
            f"after {own.break_even_months:,.1f} months"
        )
    elif own.break_even_never_reason is not None:
        text += f"; never cheaper than renting: {own.break_even_never_reason}"
    return text


def _free_words(option: PlanOption, job: Job) -> str:
    use = option.free_use
    if use is None:
        return ""
    if job.kind is JobKind.SERVING:
        return (
            f"{use.session_hours:g} h sessions, no endpoint; {speed_words(option)} "
            f"({money(option.cost_usd or 0.0)})"
        )
    return (
        f"{speed_words(option)} over {use.sessions} session(s) of up to {use.session_hours:g} h "
        f"({money(option.cost_usd or 0.0)})"
    )


def picks_for(
    options: Sequence[PlanOption],
    recommendation: Recommendation,
    job: Job,
    value_of_time_usd_per_hour: float,
) -> dict[PickName, Pick]:
    """The named picks among ``options`` (see the module docstring)."""
    fitting = choosable(options)
    ok = [o for o in fitting if o.status is OptionStatus.OK]
    picks: dict[PickName, Pick] = {}
    if not ok:
        return _free_pick(fitting, job, picks, recommendation.option)

    def by_score(o: PlanOption) -> tuple[float, float, str]:
        return (score(o, job, value_of_time_usd_per_hour), o.time or 0.0, o.id)

    def cheap(o: PlanOption) -> tuple[float, float, str]:
        return (o.rank_cost_usd or 0.0, o.time or 0.0, o.id)

    def fast(o: PlanOption) -> tuple[float, float, str]:
        return (o.finish_hours if o.request_s is None else o.time) or 0.0, cheap(o)[0], o.id

    cheapest = min(on_sale_first(ok), key=cheap)
    what: Callable[[PlanOption], str] = lambda o: (  # noqa: E731
        f"{money(o.rank_cost_usd or 0.0)}{' net' if o.ownership else ''}, {speed_words(o)}"
    )
    if recommendation.option is not None:
        rec = next(o for o in ok if o.id == recommendation.option)
        picks[PickName.RECOMMENDED] = Pick(
            option=rec.id, reason=f"{recommendation.why}; {_trade(rec, cheapest)}"
        )
    picks[PickName.CHEAPEST] = Pick(
        option=cheapest.id, reason=f"the lowest cost: {what(cheapest)}{_owned_words(cheapest)}"
    )
    fastest = min(on_sale_first(ok), key=fast)
    picks[PickName.FASTEST] = Pick(
        option=fastest.id, reason=f"the fastest: {what(fastest)}; {_trade(fastest, cheapest)}"
    )

    def best_of(group: list[PlanOption]) -> PlanOption:
        """The recommendation when it is in ``group`` (with only a budget it is the fastest
        within it, not the lowest score), else the lowest score."""
        mine = [o for o in group if o.id == recommendation.option]
        return mine[0] if mine else min(group, key=by_score)

    def unbacked(group: list[PlanOption], best: PlanOption) -> str:
        """Say so when a lower-scoring option of the group was passed over because no
        measurement backs its speed (as the recommendation says): the table lists it as ok."""
        if best.id == recommendation.option:
            return ""
        passed = [o for o in group if not o.estimate.calibrated and by_score(o) < by_score(best)]
        if not passed:
            return ""
        first = min(passed, key=by_score)
        return f"; {first.id} would rank first, but no measurement backs its speed"

    on_prem = [o for o in ok if o.tier in ON_PREM_TIERS]
    owned = on_sale_first(measured_first(on_prem))
    if owned:
        best = best_of(owned)
        label = (
            "the machine you have"
            if best.ownership is not None and best.ownership.purchase_usd <= 0
            else "the best machine to own"
        )
        picks[PickName.BEST_OWNED] = Pick(
            option=best.id,
            reason=f"{label}: {what(best)}{_owned_words(best)}; {_trade(best, cheapest)}"
            f"{unbacked(on_prem, best)}",
        )
    rented = [o for o in ok if o.tier is Tier.RENT]
    rentals = measured_first(rented)
    if rentals:
        best = best_of(rentals)
        price = f" at {money(best.price_usd_per_hour)}/h" if best.price_usd_per_hour else ""
        picks[PickName.BEST_RENTAL] = Pick(
            option=best.id,
            reason=f"the best rental{price}: {what(best)}; {_trade(best, cheapest)}"
            f"{unbacked(rented, best)}",
        )
    return _free_pick(fitting, job, picks, recommendation.option)


TRY_SESSION_HOURS = 1.0  # trying a model takes a session long enough to load it and use it


def _short_sessions(option: PlanOption) -> bool:
    """Sessions too short to load a model and try it (per-call GPU slices such as ZeroGPU)."""
    use = option.free_use
    return use is not None and use.session_hours < TRY_SESSION_HOURS


def _free_pick(
    fitting: Sequence[PlanOption],
    job: Job,
    picks: dict[PickName, Pick],
    recommended: str | None,
) -> dict[PickName, Pick]:
    """The free tier to try it out (serving) or to use if you can wait (a job); for a job whose
    recommendation is itself a free tier, that one (no slower free tier beside it)."""
    if job.kind is JobKind.SERVING:
        free = [o for o in fitting if o.status is OptionStatus.TRY_ONLY]
        label = "to try it out (a notebook is not an endpoint)"
    else:
        free = [o for o in fitting if o.tier is Tier.FREE and o.status is OptionStatus.OK]
        label = "free if you can wait"
    if not free:
        return picks

    def rank(o: PlanOption) -> tuple[float, bool, bool, bool, float, str]:
        return (
            o.cost_usd or 0.0,
            _short_sessions(o),  # before speed: a session too short to load the model is
            o.fast_enough is False,  # no way to try it, fast enough or not
            o.estimate.confidence == "low",
            (o.time if job.kind is JobKind.SERVING else o.finish_hours) or 0.0,
            o.id,
        )

    mine = [o for o in free if o.id == recommended]
    best = mine[0] if mine else min(free, key=rank)
    picks[PickName.FREE_TO_TRY] = Pick(option=best.id, reason=f"{label}: {_free_words(best, job)}")
    return picks
