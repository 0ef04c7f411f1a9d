"""What the web app computes with: the catalog, the estimator, the planner, the model list.

The app receives these as plain callables (dependency injection): ``spice serve`` hands in the
real ones (around one :class:`~spicetrader.context.Context`, built with ``hub=False``), tests
hand in fakes. Nothing here is global; each app holds its own :class:`Services`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.context import Context
    from spicetrader.models.arch import Architecture, DiffusionArchitecture
    from spicetrader.spec.estimate import Estimate
    from spicetrader.spec.workload import Workload
    from spicetrader.web.schemas import PlanConstraintsIn

__all__ = ["EstimatorFn", "ModelsFn", "PlannerFn", "Services", "default_services", "services"]


class HasToDict(Protocol):
    """A result that serialises itself to the JSON of the public contract (``Plan``)."""

    def to_dict(self) -> Mapping[str, Any]: ...


EstimatorFn = Callable[["Workload", "Catalog"], "Estimate"]
PlannerFn = Callable[["Workload", "Catalog", "PlanConstraintsIn"], HasToDict]
ModelsFn = Callable[[], Sequence["Architecture | DiffusionArchitecture"]]


@dataclass(frozen=True)
class Services:
    """The app's collaborators. ``catalog`` is a provider so loading can be deferred and cached."""

    catalog: Callable[[], Catalog]
    estimator: EstimatorFn
    planner: PlannerFn
    models: ModelsFn


def _real_estimator(context: Callable[[], Context]) -> EstimatorFn:
    """The real estimator, with the app's context (the catalog handed in is the context's)."""

    def estimator(workload: Workload, catalog: Catalog) -> Estimate:
        from spicetrader.api import estimate

        return estimate(workload, context())

    return estimator


def _real_planner(context: Callable[[], Context]) -> PlannerFn:
    """The real planner, with the app's context: the user's prices and quotes, this machine."""

    def planner(workload: Workload, catalog: Catalog, constraints: PlanConstraintsIn) -> HasToDict:
        from spicetrader.api import plan

        return plan(workload, context(), constraints.to_planner())

    return planner


def _default_models() -> Sequence[Architecture | DiffusionArchitecture]:
    from spicetrader.models.registry import list_models

    return tuple(list_models())


def default_services(
    catalog: Catalog | None = None,
    estimator: EstimatorFn | None = None,
    planner: PlannerFn | None = None,
    models: ModelsFn | None = None,
    context: Context | None = None,
) -> Services:
    """Fill what the caller did not inject with the real implementations.

    The real estimator and planner compute with one :class:`~spicetrader.context.Context`:
    ``context`` when given, else one around ``catalog``, else ``Context.load(hub=False)`` (the
    user's world without the Hugging Face Hub: a web request never reaches the network), loaded
    on first use.
    """
    if context is not None and catalog is not None:
        raise ValueError("give the web app a context or a catalog, not both")
    provider: Callable[[], Context]
    if context is not None:
        fixed_context = context

        def provider() -> Context:
            return fixed_context

    elif catalog is not None:
        fixed_catalog = catalog

        @cache
        def provider() -> Context:
            from spicetrader.context import Context

            return Context.of(fixed_catalog)

    else:

        @cache
        def provider() -> Context:
            from spicetrader.context import Context

            return Context.load(hub=False)

    def catalog_of() -> Catalog:
        return provider().catalog

    return Services(
        catalog=catalog_of,
        estimator=estimator or _real_estimator(provider),
        planner=planner or _real_planner(provider),
        models=models or cache(_default_models),
    )


async def services(request: Request) -> Services:
    """FastAPI dependency: the :class:`Services` of the app serving ``request``.

    ``async`` on purpose: a sync dependency would cost a hop through the thread pool.
    """
    svc: Services = request.app.state.services
    return svc
