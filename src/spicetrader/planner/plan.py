"""``plan()``: every option across the tiers for one workload, ranked, with a recommendation.

Pure: the catalog and the estimator come in as arguments (the defaults load the bundled catalog
and use the real cost model); nothing here prints or reads the environment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from spicetrader.errors import InputError
from spicetrader.planner.assumptions import plan_assumptions
from spicetrader.planner.buy import buy_options, mac_options
from spicetrader.planner.constraints import PlanConstraints, Tier
from spicetrader.planner.context import PlanContext, TierResult
from spicetrader.planner.free import free_options
from spicetrader.planner.job import job_for
from spicetrader.planner.local import LocalMachine, local_options
from spicetrader.planner.models import Job, JobKind, Plan
from spicetrader.planner.picks import picks_for
from spicetrader.planner.ranking import Point, choosable, pareto_front, rank_key, recommend
from spicetrader.planner.reference import reference_options
from spicetrader.planner.rent import rent_options
from spicetrader.planner.search import BitsOf, ConfigSearch, Estimator, WeightsOf
from spicetrader.planner.status import job_window_hours, speed_goal, with_status
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.input import workload_of
from spicetrader.spec.workload import InferenceSpec, Task, Workload
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


def _native_precision(workload: Workload, fetch_config: FetchConfig | None) -> str:
    """The format the model was released in (bf16 when the model is not known here)."""
    from spicetrader.costmodel.resolve import model_of
    from spicetrader.errors import SpiceError

    try:
        arch = model_of(workload.model, fetch_config)
    except SpiceError:
        return "bf16"
    return str(getattr(arch, "native_precision", "bf16"))


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
    if cons.max_ttft_s and job.kind is not JobKind.SERVING:
        raise InputError(
            "--max-ttft-s applies to serving (inference without --tokens): it is the wait for "
            "the first token; drop it for batch jobs"
        )
    workload = _with_users(workload, cons.users, job)
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
        native_precision=_native_precision(workload, fetch_config),
    )
    ctx = PlanContext(workload=workload, catalog=catalog, constraints=cons, job=job, search=search)
    search.speed_goal = speed_goal(ctx)
    results = _tiers(ctx, local)
    options = tuple(
        opt
        for tier in TIER_ORDER
        if tier in results
        for opt in sorted(results[tier].options, key=rank_key)
    )
    misses = [m for r in results.values() for m in r.misses]
    window = job_window_hours(ctx)
    recommendation = recommend(options, cons, job, misses, window_hours=window)
    points = [  # the choices the constraints allow
        Point(o.id, o.time, o.rank_cost_usd)
        for o in choosable(options)
        if o.feasible and o.time is not None and o.rank_cost_usd is not None
    ]
    notes = [n for tier in TIER_ORDER if tier in results for n in results[tier].notes]
    return Plan(
        workload=workload,
        job=job,
        options=options,
        recommendation=recommendation,
        picks=picks_for(options, recommendation, job, cons.value_of_time_usd_per_hour),
        pareto=pareto_front(points),
        assumptions=tuple(plan_assumptions(ctx, allow_q) + notes),
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


def _with_users(workload: Workload, users: int, job: Job) -> Workload:
    """Serving for ``users`` concurrent users: the batch each option serves."""
    if users == 1:
        return workload
    if job.kind is not JobKind.SERVING:
        raise InputError("--users applies to serving (inference without --tokens)")
    inference = workload.inference or InferenceSpec()
    if inference.batch not in (1, users):
        raise InputError(
            f"--users {users} and a batch of {inference.batch} disagree: --users sets the batch"
        )
    return workload.model_copy(update={"inference": inference.model_copy(update={"batch": users})})


def _tiers(ctx: PlanContext, local: LocalMachine | None) -> dict[Tier, TierResult]:
    """Every tier's options, each with its status; rentals first (owning's break-even is
    against the cheapest usable one)."""
    tiers = ctx.constraints.tiers
    results: dict[Tier, TierResult] = {}
    rent = _statused(ctx, rent_options(ctx))
    if Tier.RENT in tiers:
        results[Tier.RENT] = rent
    if Tier.BUY in tiers:
        results[Tier.BUY] = buy_options(ctx, rent.options)
        if local is not None:
            mine = local_options(ctx, local)
            results[Tier.BUY].options.extend(mine.options)
            results[Tier.BUY].misses.extend(mine.misses)
            results[Tier.BUY].notes.extend(mine.notes)
        results[Tier.BUY] = _statused(ctx, results[Tier.BUY])
    if Tier.MAC in tiers:
        results[Tier.MAC] = _statused(ctx, mac_options(ctx, rent.options))
    if Tier.FREE in tiers:
        results[Tier.FREE] = _statused(ctx, free_options(ctx))
    if ctx.workload.task is Task.PRETRAIN:
        results[Tier.REFERENCE] = _statused(ctx, reference_options(ctx))
    return results


def _statused(ctx: PlanContext, result: TierResult) -> TierResult:
    result.options = [with_status(ctx, o) for o in result.options]
    return result


def _prices_as_of(catalog: Catalog) -> str:
    dates = sorted({o.as_of for o in catalog.offers})
    if not dates:
        return "no offers"
    return dates[0] if len(dates) == 1 else f"{dates[0]}..{dates[-1]}"
