"""What the web app computes with: the catalog, the estimator, the planner, the model list.

The app receives these as plain callables (dependency injection): ``spice serve`` hands in the
real ones, tests hand in fakes. Nothing here is global; each app holds its own :class:`Services`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
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


@dataclass(frozen=True)
class _Sources:
    """What the real app plans with, read once per app at the edge: the user's home, the catalog
    (bundled + the user's rows + the freshest live-price snapshot + the user's quotes, as
    ``spice offers refresh`` / ``spice offers add`` left them) and how old its prices are."""

    home: Path
    catalog: Catalog
    prices: Mapping[str, Any]

    @classmethod
    def load(cls) -> _Sources:
        from spicetrader.catalog.load import load_catalog
        from spicetrader.paths import user_catalog_dir, user_home
        from spicetrader.sources.prices import current_offers

        home = user_home()
        catalog, prices = current_offers(home, load_catalog(user_dir=user_catalog_dir(home)))
        return cls(home=home, catalog=catalog, prices=prices.to_dict())


def _default_estimator(workload: Workload, catalog: Catalog) -> Estimate:
    from spicetrader.costmodel import estimate
    from spicetrader.sources.hub import fetch_hf_config

    return estimate(workload, catalog, fetch_config=fetch_hf_config)


class _PlanWithPrices:
    """A plan whose JSON also says where its prices came from and how old they are."""

    def __init__(self, plan: HasToDict, prices: Mapping[str, Any]) -> None:
        self._plan = plan
        self._prices = prices

    def to_dict(self) -> Mapping[str, Any]:
        return {**self._plan.to_dict(), "prices": dict(self._prices)}


def _real_planner(sources: Callable[[], _Sources]) -> PlannerFn:
    """The real planner, with Hub models, the user's prices and this machine (``spice probe``)."""

    def planner(workload: Workload, catalog: Catalog, constraints: PlanConstraintsIn) -> HasToDict:
        from spicetrader.planner import plan
        from spicetrader.sources.hub import fetch_hf_config
        from spicetrader.sources.local import this_machine

        src = sources()
        result = plan(
            workload,
            catalog,
            constraints.to_planner(),
            fetch_config=fetch_hf_config,
            local=this_machine(src.home, catalog),
        )
        return _PlanWithPrices(result, src.prices)

    return planner


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
    sources = cache(_Sources.load)
    if catalog is None:

        def provider() -> Catalog:
            return sources().catalog

    else:
        fixed = catalog

        def provider() -> Catalog:
            return fixed

    return Services(
        catalog=provider,
        estimator=estimator or _default_estimator,
        planner=planner or _real_planner(sources),
        models=models or cache(_default_models),
    )


async def services(request: Request) -> Services:
    """FastAPI dependency: the :class:`Services` of the app serving ``request``.

    ``async`` on purpose: a sync dependency would cost a hop through the thread pool.
    """
    svc: Services = request.app.state.services
    return svc
