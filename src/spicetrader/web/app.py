"""The web app factory: ``create_app()`` builds the FastAPI app behind ``spice serve``.

Everything the app computes with is injected (the catalog, the estimator, the planner, the model
list); what is not given is the real implementation, loaded on first use. The OpenAPI document is
at ``/openapi.json``, its Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served from local files
(``fastapi-offline``) so the app works without a network, like the rest of the UI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from spicetrader.web import api_catalog, api_compute, api_fleet, pages
from spicetrader.web.compute_pool import ComputePool, ResultCache
from spicetrader.web.errors import install_error_handlers
from spicetrader.web.limits import BODY_TIMEOUT_S, DEFAULT_MAX_BODY_BYTES, BodySizeLimit
from spicetrader.web.pages import STATIC_DIR
from spicetrader.web.services import EstimatorFn, ModelsFn, PlannerFn, default_services

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.context import Context

__all__ = ["create_app"]


def create_app(
    catalog: Catalog | None = None,
    estimator: EstimatorFn | None = None,
    planner: PlannerFn | None = None,
    models: ModelsFn | None = None,
    *,
    context: Context | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    body_timeout_s: float = BODY_TIMEOUT_S,
) -> FastAPI:
    """A new app. ``None`` for a collaborator means the real one: the estimator and planner of
    the library, computing with ``context`` (``spice serve`` passes ``Context.load(hub=False)``),
    else with a context around ``catalog``, else with ``Context.load(hub=False)`` loaded once,
    on the first request that needs it."""
    from importlib.metadata import version

    app = FastAPIOffline(
        title="spicetrader",
        version=version("spicetrader"),
        description=(
            "Will this generative-AI workload fit, how fast will it run, what will it cost: "
            "estimates and plans across buying a server, buying a Mac, renting cloud GPUs "
            "and free tiers. Errors are JSON: `{error, message, ...}`."
        ),
    )
    app.state.services = default_services(catalog, estimator, planner, models, context)
    app.state.compute = ComputePool()
    app.state.results = ResultCache()
    install_error_handlers(app)
    app.include_router(api_catalog.router)
    app.include_router(api_compute.router)
    app.include_router(api_fleet.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, timeout_s=body_timeout_s)
    return app
