"""``plan()``: every option across the tiers for one workload, ranked, with a recommendation.

Pure: the catalog and the estimator come in as arguments (the defaults load the bundled catalog
and use the real cost model); nothing here prints or reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from spicetrader.errors import InputError
from spicetrader.planner.buy import buy_options, mac_options
from spicetrader.planner.constraints import DEFAULT_JOB_WINDOW_HOURS, PlanConstraints, Tier
from spicetrader.planner.context import PlanContext, TierResult
from spicetrader.planner.free import free_options
from spicetrader.planner.job import job_for
from spicetrader.planner.local import LocalMachine, local_options
from spicetrader.planner.models import JobKind, Plan
from spicetrader.planner.ranking import Point, pareto_front, rank_key, recommend
from spicetrader.planner.reference import reference_options
from spicetrader.planner.rent import cheapest_rental, rent_options
from spicetrader.planner.search import BitsOf, ConfigSearch, Estimator, WeightsOf
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.input import workload_of
from spicetrader.spec.workload import Task, Workload
from spicetrader.units import bytes_to_gb

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.models.registry import FetchConfig

__all__ = ["plan"]

TIER_ORDER: tuple[Tier, ...] = (Tier.BUY, Tier.MAC, Tier.RENT, Tier.FREE, Tier.REFERENCE)


def _default_estimator(fetch_config: FetchConfig | None) -> Estimator:
    from spicetrader.costmodel import estimate

    def estimator(workload: Workload, catalog: Catalog) -> Estimate:
        return estimate(workload, catalog, fetch_config=fetch_config)

    return estimator


def _default_bits_of(name: str) -> float:
    from spicetrader.models.precision import resolve_precision

    return resolve_precision(name).bits_per_weight


def _default_weights_of(
    workload: Workload, fetch_config: FetchConfig | None, strict: bool
) -> WeightsOf:
    """Precision -> GB of the model's weights, for screening hopeless configurations without an
    estimate (``None`` when the model or format is not known here: no screening).

    ``strict`` (the real cost model estimates): an unknown model is an error now, before any
    estimate (a Hugging Face config is fetched once, here, and cached for the estimates).
    """
    from spicetrader.costmodel.resolve import model_of
    from spicetrader.errors import SpiceError
    from spicetrader.models.arch import Architecture
    from spicetrader.models.precision import resolve_precision
    from spicetrader.models.weights import weight_bytes

    try:
        arch = model_of(workload.model, fetch_config)
    except SpiceError:
        if strict:
            raise
        arch = None

    def weights_gb(name: str) -> float | None:
        if not isinstance(arch, Architecture):
            return None
        try:
            return bytes_to_gb(weight_bytes(arch, resolve_precision(name)))
        except SpiceError:
            return None

    return weights_gb


def plan(
    spec: Workload | Mapping[str, Any] | str,
    catalog: Catalog | None = None,
    constraints: PlanConstraints | None = None,
    *,
    estimator: Estimator | None = None,
    bits_of: BitsOf | None = None,
    weights_of: WeightsOf | None = None,
    fetch_config: FetchConfig | None = None,
    local: LocalMachine | None = None,
    **kw: Any,
) -> Plan:
    """Plan the workload across buy, mac, rent and free (and a scale reference for pre-training).

    ``constraints`` or keyword constraints (``deadline_hours=24, only="rent,free"``, see
    :class:`PlanConstraints`), not both. ``estimator`` defaults to
    :func:`spicetrader.costmodel.estimate`; ``bits_of`` (precision name -> bits per weight) to the
    precision table; ``weights_of`` (precision name -> GB of weights, to skip hopeless
    configurations) to the model registry. ``fetch_config`` (repo id -> parsed ``config.json``)
    resolves an ``org/name`` model the registry does not know (the CLI passes
    :func:`spicetrader.sources.hub.fetch_hf_config`; the planner itself never uses the network).
    ``local`` is "this machine" (from ``spice probe``, read at the edge): listed with the buy
    tier as ``local:this-machine``, already owned, so it costs the electricity only.
    Raises InputError for bad or contradictory input.
    """
    if constraints is not None and kw:
        raise InputError("give constraints either as a PlanConstraints or as keywords, not both")
    cons = constraints if constraints is not None else PlanConstraints.of(**kw)
    workload, model_input = _named(workload_of(spec), fetch_config, strict=estimator is None)
    if cons.deadline_hours is not None and workload.task is Task.INFERENCE and cons.tokens is None:
        raise InputError(
            "--deadline-hours applies to a job with an end (finetune, pretrain, inference with "
            "--tokens, images); serving runs for --usage-hours-per-month over --months"
        )
    if catalog is None:
        from spicetrader.catalog.load import load_catalog

        catalog = load_catalog()
    job = job_for(workload, cons)
    if cons.min_decode_tokens_per_s and job.kind is not JobKind.SERVING:
        raise InputError(
            "--min-tokens-per-s applies to serving (inference without --tokens): it is the "
            "decode speed one user sees; drop it for batch jobs"
        )
    allow_q = (
        cons.allow_quantization
        if cons.allow_quantization is not None
        else workload.task is Task.INFERENCE
    )
    search = ConfigSearch(
        workload=workload,
        catalog=catalog,
        estimator=estimator or _default_estimator(fetch_config),
        allow_quantization=allow_q,
        bits_of=bits_of or _default_bits_of,
        weights_of=weights_of or _default_weights_of(workload, fetch_config, estimator is None),
    )
    ctx = PlanContext(workload=workload, catalog=catalog, constraints=cons, job=job, search=search)
    tiers = cons.tiers
    results: dict[Tier, TierResult] = {}
    rent = rent_options(ctx)  # also the reference for buying's break-even
    if Tier.RENT in tiers:
        results[Tier.RENT] = rent
    versus = cheapest_rental(rent.options)
    if Tier.BUY in tiers:
        results[Tier.BUY] = buy_options(ctx, versus)
    if local is not None and Tier.BUY in tiers:
        mine = local_options(ctx, local)
        results[Tier.BUY].options.extend(mine.options)
        results[Tier.BUY].misses.extend(mine.misses)
        results[Tier.BUY].notes.extend(mine.notes)
    if Tier.MAC in tiers:
        results[Tier.MAC] = mac_options(ctx, versus)
    if Tier.FREE in tiers:
        results[Tier.FREE] = free_options(ctx)
    if workload.task is Task.PRETRAIN:
        results[Tier.REFERENCE] = reference_options(ctx)
    options = tuple(
        opt
        for tier in TIER_ORDER
        if tier in results
        for opt in sorted(results[tier].options, key=rank_key)
    )
    misses = [m for r in results.values() for m in r.misses]
    window = DEFAULT_JOB_WINDOW_HOURS if job.kind is not JobKind.SERVING else None
    recommendation = recommend(options, cons, misses, window_hours=window)
    points = [  # the choices the constraints allow
        Point(o.id, o.time, o.cost_usd)
        for o in options
        if o.feasible
        and o.tier is not Tier.REFERENCE
        and o.time is not None
        and o.cost_usd is not None
    ]
    notes = [n for tier in TIER_ORDER if tier in results for n in results[tier].notes]
    return Plan(
        workload=workload,
        job=job,
        options=options,
        recommendation=recommendation,
        pareto=pareto_front(points),
        assumptions=tuple(_assumptions(ctx, allow_q, versus is not None) + notes),
        prices_as_of=_prices_as_of(catalog),
        model_input=model_input,
    )


def _named(
    workload: Workload, fetch_config: FetchConfig | None, strict: bool
) -> tuple[Workload, str | None]:
    """The workload with its model's id (see :func:`named_model`); with an injected estimator
    (``strict`` False) a model the registry does not know keeps its name."""
    from spicetrader.costmodel.resolve import named_model
    from spicetrader.errors import SpiceError

    try:
        return named_model(workload, fetch_config)
    except SpiceError:
        if strict:
            raise
        return workload, workload.model if isinstance(workload.model, str) else None


def _assumptions(ctx: PlanContext, allow_q: bool, has_rent: bool) -> list[str]:
    job, cons, econ = ctx.job, ctx.constraints, ctx.catalog.economics
    out = [f"job: {job.description}"]
    if job.kind is JobKind.SERVING and cons.usage_hours_per_month is None:
        out.append(
            f"usage {job.usage_hours_per_month:g} h/month (default; --usage-hours-per-month)"
        )
    if job.kind is JobKind.SERVING:
        out.append(
            "serving: every option runs the same hours, so 'faster' compares the time of one "
            "request (time to first token + output tokens at the decode speed one user sees)"
        )
    minimum = ctx.min_decode_tokens_per_s
    if minimum is not None:
        how = (
            "default, roughly reading speed; --min-tokens-per-s, 0 for no minimum"
            if cons.min_decode_tokens_per_s is None
            else "--min-tokens-per-s"
        )
        out.append(
            f"serving speed: an option must decode at least {minimum:g} tokens/s per user "
            f"({how}); slower ones are listed as 'too slow' and not recommended"
        )
    if job.kind is not JobKind.SERVING and cons.deadline_hours is None:
        out.append(
            f"no deadline given: the recommendation prefers options that finish within "
            f"{DEFAULT_JOB_WINDOW_HOURS / 24:g} calendar days (--deadline-hours to set one)"
        )
    if cons.months is None:
        out.append(f"horizon {job.months:g} months (default; --months)")
    out.append(
        "quantization allowed: the precision is lowered until it fits (said per option)"
        if allow_q
        else "quantization not allowed: the workload's precision only"
    )
    if ctx.workload.hardware is not None or ctx.workload.devices != 1:
        out.append("the workload's hardware/devices are ignored: the planner chooses per option")
    out.append(
        f"owning: electricity ${econ.electricity_usd_per_kwh:.3f}/kWh, PUE {econ.pue:g} "
        f"(data centre) / {econ.pue_office:g} (office), straight-line depreciation over "
        f"{econ.depreciation_years:g} years; colocation ${econ.colocation_usd_per_kw_month:g}"
        "/kW-month for servers" + (" (on)" if cons.colocation is not False else " (off)")
    )
    out.append(
        "buying's cost = depreciation and colocation over the months held + energy; "
        "the purchase price is paid up front (see ownership.purchase_usd)"
    )
    if not has_rent:
        out.append("no rental fits: no buy-vs-rent break-even")
    if cons.spot:
        out.append("spot prices shown next to on-demand; spot can be interrupted")
    return out


def _prices_as_of(catalog: Catalog) -> str:
    dates = sorted({o.as_of for o in catalog.offers})
    if not dates:
        return "no offers"
    return dates[0] if len(dates) == 1 else f"{dates[0]}..{dates[-1]}"
