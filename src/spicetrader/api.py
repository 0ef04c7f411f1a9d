"""The public entry points ``spicetrader.estimate()``, ``spicetrader.plan()`` and
``spicetrader.fleet()``: the edge.

They plan the user's world, like ``spice``: with no ``context`` they build
:meth:`Context.load() <spicetrader.context.Context.load>` (the user's catalog overlay, the
freshest price snapshot, their quotes, this machine, the Hugging Face Hub). The pure core they call
(:func:`spicetrader.costmodel.estimate`, :func:`spicetrader.planner.plan`) takes a catalog and
never reads files or the network. The CLI and the web app call these same functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from spicetrader.context import Context

if TYPE_CHECKING:
    from os import PathLike

    from spicetrader.catalog.catalog import Catalog
    from spicetrader.fleet import FleetPlan, Team
    from spicetrader.fleet.candidates import Planner
    from spicetrader.planner import Plan, PlanConstraints
    from spicetrader.spec.estimate import Estimate
    from spicetrader.spec.workload import Workload

__all__ = ["estimate", "fleet", "plan"]


def _context(context: Context | Catalog | None) -> Context:
    if context is None:
        return Context.load()
    if isinstance(context, Context):
        return context
    from spicetrader.catalog.catalog import Catalog

    if isinstance(context, Catalog):
        return Context.of(context)
    from spicetrader.errors import InputError

    raise InputError(
        f"context must be a spicetrader.Context (or a Catalog), got {type(context).__name__}"
    )


def estimate(
    spec: Workload | Mapping[str, Any] | str | PathLike[str],
    context: Context | Catalog | None = None,
) -> Estimate:
    """Will ``spec`` fit, how fast will it run (the Estimate of ``docs/workload.md``).

    ``spec``: a Workload, a mapping in the workload format, or a model name alone. ``context``:
    what to estimate with (default: ``Context.load()``, the user's world; a Catalog alone is
    accepted too). Raises :class:`~spicetrader.errors.InputError` (or a subclass) for bad input.
    """
    from spicetrader.costmodel import estimate as core_estimate
    from spicetrader.spec.input import workload_of

    ctx = _context(context)
    return core_estimate(workload_of(spec), ctx.catalog, fetch_config=ctx.fetch_config)


def plan(
    spec: Workload | Mapping[str, Any] | str | PathLike[str],
    context: Context | Catalog | None = None,
    constraints: PlanConstraints | None = None,
    **kw: Any,
) -> Plan:
    """Plan ``spec`` across buying, Macs, renting and free tiers, ranked, with a recommendation.

    ``context`` as for :func:`estimate`; constraints as a PlanConstraints or as keywords
    (``deadline_hours=24, only="rent,free"``; numbers may be given as text). The plan carries
    the note on the prices it used (``Plan.prices``), and the model name as given
    (``Plan.model_input``; ``Plan.workload.model`` is the id it resolved to).
    """
    from spicetrader.planner import plan as core_plan
    from spicetrader.spec.input import workload_of

    ctx = _context(context)
    result = core_plan(
        workload_of(spec),
        ctx.catalog,
        constraints,
        fetch_config=ctx.fetch_config,
        local=ctx.local,
        **kw,
    )
    return result.model_copy(update={"prices": ctx.prices})


def fleet(
    team: Team | Mapping[str, Any],
    context: Context | Catalog | None = None,
    *,
    planner: Planner | None = None,
) -> FleetPlan:
    """Plan a team's compute over its horizon (``docs/fleet.md``) with ``context``'s catalog and
    prices (default: ``Context.load()``, the user's world, as ``spice fleet``); Hub models
    resolve through the context's hook. ``planner`` (tests) replaces the single-workload
    planner."""
    from spicetrader.fleet import fleet as core_fleet

    ctx = _context(context)
    if planner is None:
        from functools import partial

        from spicetrader.planner import plan as core_plan

        planner = partial(core_plan, fetch_config=ctx.fetch_config)
    return core_fleet(team, ctx.catalog, planner=planner)
