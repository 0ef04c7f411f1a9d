"""What the web app computes with: the catalog, the estimator, the planner, the model list.

The app receives these as plain callables (dependency injection): ``spice serve`` hands in the
real ones, tests hand in fakes. Nothing here is global; each app holds its own :class:`Services`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from starlette.requests import Request

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
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


def _default_catalog() -> Catalog:
    """The bundled catalog overlaid with the user's directory (``$SPICETRADER_HOME``)."""
    from spicetrader.catalog.load import load_catalog
    from spicetrader.paths import user_catalog_dir, user_home

    return load_catalog(user_dir=user_catalog_dir(user_home()))


def _default_estimator(workload: Workload, catalog: Catalog) -> Estimate:
    from spicetrader.costmodel import estimate

    return estimate(workload, catalog)


def _default_planner(
    workload: Workload, catalog: Catalog, constraints: PlanConstraintsIn
) -> HasToDict:
    from spicetrader.planner import plan

    return plan(workload, catalog, constraints.to_planner())


def _default_models() -> Sequence[Architecture | DiffusionArchitecture]:
    from spicetrader.models.registry import list_models

    return tuple(list_models())


def default_services(
    catalog: Catalog | None = None,
    estimator: EstimatorFn | None = None,
    planner: PlannerFn | None = None,
    models: ModelsFn | None = None,
) -> Services:
    """Fill what the caller did not inject with the real implementations."""
    if catalog is None:
        provider: Callable[[], Catalog] = cache(_default_catalog)
    else:
        fixed = catalog

        def provider() -> Catalog:
            return fixed

    return Services(
        catalog=provider,
        estimator=estimator or _default_estimator,
        planner=planner or _default_planner,
        models=models or cache(_default_models),
    )


async def services(request: Request) -> Services:
    """FastAPI dependency: the :class:`Services` of the app serving ``request``.

    ``async`` on purpose: a sync dependency would cost a hop through the thread pool.
    """
    svc: Services = request.app.state.services
    return svc
