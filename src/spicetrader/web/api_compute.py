"""The computing routes: ``POST /api/estimate`` and ``POST /api/plan``.

The work runs off the event loop, in worker threads, a bounded number at a time per endpoint
(:class:`~spicetrader.web.compute_pool.ComputePool`): slow plans cannot starve estimates or the
pages, and a flood gets a quick 503 instead of a growing queue. An identical request is answered
from the app's :class:`~spicetrader.web.compute_pool.ResultCache`. The result JSON is the public
contract (``Estimate.to_dict()``, ``Plan.to_dict()``), handed to ``JSONResponse`` as is
(FastAPI's generic encoder is slow on large plans).

The web surface is closed: a request's ``model`` is a catalog model (or one the user imported),
never a file path or a Hugging Face repo to download (:func:`closed_model`, checked here whatever
the services do); the CLI reads those.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import JSONResponse, Response

from spicetrader.errors import InputError, UnknownNameError
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import InlineArchitecture, Workload
from spicetrader.web.compute_pool import ComputePool, ResultCache
from spicetrader.web.encoding import result_response
from spicetrader.web.schemas import ErrorBody, PlanRequest
from spicetrader.web.services import Services, services

__all__ = ["ModelNotServedError", "closed_model", "router"]

router = APIRouter(prefix="/api", tags=["compute"])

ServicesDep = Annotated[Services, Depends(services)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "request body too large"},
    422: {
        "model": ErrorBody,
        "description": "invalid workload, unknown name (with suggestions), a model the web app "
        "does not read (a file path, a Hugging Face repo not imported)",
    },
    503: {"model": ErrorBody, "description": "too many requests waiting; retry"},
}


class ModelNotServedError(UnknownNameError):
    """A model the web app will not load: a file path, or a Hub repo that is not in the catalog.

    An :class:`UnknownNameError` (``kind`` "model", the ``name``, the nearest catalog ids as
    ``suggestions``) whose message says which command line reads it instead.
    """

    def __init__(self, name: str, message: str, suggestions: Sequence[str] = ()) -> None:
        self.kind, self.name, self.suggestions = "model", name, list(suggestions)
        InputError.__init__(self, message)


def closed_model(model: str | InlineArchitecture) -> None:
    """Raise :class:`ModelNotServedError` unless ``model`` is inline or a catalog model.

    Paths are refused before anything touches the disk (the answer is the same whether the file
    exists or not); an ``org/name`` is looked up in the catalog only, never on the Hub.
    """
    from spicetrader.models.registry import looks_like_path, resolve_model

    if isinstance(model, InlineArchitecture):
        return
    name = model.strip()
    cli = (
        f"the CLI, which reads it on your machine: `spice plan {name:.200}` or "
        f"`spice estimate {name:.200} --hardware ID`"
    )
    if looks_like_path(name) or "\\" in name:
        raise ModelNotServedError(
            name[:200],
            "the web app reads no files; give a catalog model id (GET /api/models) or an inline "
            "architecture, or use " + cli,
        )
    if "/" in name:
        try:
            resolve_model(name)  # the catalog and imported models only: no fetch hook
        except UnknownNameError as unknown:
            raise ModelNotServedError(
                name[:200],
                f"{name[:200]!r} is not in the catalog and the web app never downloads from the "
                "Hugging Face Hub; use " + cli,
                unknown.suggestions,
            ) from None


def _pool(request: Request) -> ComputePool:
    pool: ComputePool = request.app.state.compute
    return pool


_ESTIMATE_EXAMPLE = {
    "model": "llama-3-8b",
    "task": "inference",
    "precision": "q4_k_m",
    "hardware": "rtx-4090",
    "inference": {"batch": 1, "prompt_tokens": 512, "output_tokens": 128},
}
_PLAN_EXAMPLE = {"model": "llama-3-70b", "task": "inference", "usage_hours_per_month": 200}


@router.post(
    "/estimate",
    summary="Estimate one workload on one hardware",
    response_class=JSONResponse,
    responses={200: {"model": Estimate, "description": "the estimate (workload.md)"}, **_ERRORS},
)
async def estimate(
    request: Request,
    svc: ServicesDep,
    workload: Annotated[Workload, Body(openapi_examples={"8b": {"value": _ESTIMATE_EXAMPLE}})],
) -> Response:
    """Memory, speed, bound and assumptions for the workload (``hardware`` is required)."""

    def work() -> dict[str, Any]:
        closed_model(workload.model)
        return svc.estimator(workload, svc.catalog()).to_dict()

    return await cached_answer(request, svc, "estimate", workload.model_dump_json(), work)


@router.post(
    "/plan",
    summary="Plan a workload across buy, mac, rent and free tiers",
    response_class=JSONResponse,
    responses={200: {"description": "the plan: options, recommendation, pareto"}, **_ERRORS},
)
async def plan(
    request: Request,
    svc: ServicesDep,
    body: Annotated[PlanRequest, Body(openapi_examples={"70b": {"value": _PLAN_EXAMPLE}})],
) -> Response:
    """Options per tier, ranked, with the recommendation and why (constraints next to the
    workload fields: ``usage_hours_per_month``, ``deadline_hours``, ``budget_usd``, ``only``...)."""

    def work() -> dict[str, Any]:
        closed_model(body.model)
        workload, constraints = body.split()
        return dict(svc.planner(workload, svc.catalog(), constraints).to_dict())

    return await cached_answer(request, svc, "plan", body.model_dump_json(), work)


async def cached_answer(
    request: Request, svc: Services, name: str, body: str, work: Callable[[], dict[str, Any]]
) -> Response:
    """The cached answer to an identical request, else ``work()`` in a bounded worker slot."""
    cache: ResultCache = request.app.state.results
    key = (name, body, id(svc.catalog()))
    cached = cache.get(key)
    if cached is not None:
        return Response(cached, media_type="application/json")
    response = result_response(await _pool(request).run(name, work))
    cache.put(key, bytes(response.body))
    return response
