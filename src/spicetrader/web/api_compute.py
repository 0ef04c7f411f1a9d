"""The computing routes: ``POST /api/estimate`` and ``POST /api/plan``.

Both are plain ``def``: FastAPI runs them in its thread pool, so a slow plan never blocks the
event loop. The result JSON is the public contract (``Estimate.to_dict()``, ``Plan.to_dict()``),
handed to ``JSONResponse`` as is (FastAPI's generic encoder is slow on large plans).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload
from spicetrader.web.encoding import result_response
from spicetrader.web.schemas import ErrorBody, PlanRequest
from spicetrader.web.services import Services, services

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["compute"])

ServicesDep = Annotated[Services, Depends(services)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": ErrorBody, "description": "request body too large"},
    422: {"model": ErrorBody, "description": "invalid workload, unknown name (with suggestions)"},
}

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
def estimate(
    svc: ServicesDep,
    workload: Annotated[Workload, Body(openapi_examples={"8b": {"value": _ESTIMATE_EXAMPLE}})],
) -> JSONResponse:
    """Memory, speed, bound and assumptions for the workload (``hardware`` is required)."""
    result = svc.estimator(workload, svc.catalog())
    return result_response(result.to_dict())


@router.post(
    "/plan",
    summary="Plan a workload across buy, mac, rent and free tiers",
    response_class=JSONResponse,
    responses={200: {"description": "the plan: options, recommendation, pareto"}, **_ERRORS},
)
def plan(
    svc: ServicesDep,
    body: Annotated[PlanRequest, Body(openapi_examples={"70b": {"value": _PLAN_EXAMPLE}})],
) -> JSONResponse:
    """Options per tier, ranked, with the recommendation and why (constraints next to the
    workload fields: ``usage_hours_per_month``, ``deadline_hours``, ``budget_usd``, ``only``...)."""
    workload, constraints = body.split()
    result = svc.planner(workload, svc.catalog(), constraints)
    return result_response(dict(result.to_dict()))
