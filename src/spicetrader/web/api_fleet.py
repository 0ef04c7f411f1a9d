"""``POST /api/fleet``: a team's compute plan (the team file's mapping as JSON, ``docs/fleet.md``).

It runs in the plan slots of the app's compute pool (a team is several plans) and shares their
result cache. Models resolve from the catalog only, as for ``/api/plan``: a path or a Hub
repository the catalog does not know is refused, so a request never reads the server's disk or
reaches the network.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse
from starlette.requests import Request
from starlette.responses import Response

from spicetrader.web.api_compute import cached_answer, closed_model
from spicetrader.web.schemas import ErrorBody
from spicetrader.web.services import Services, services

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["compute"])

ServicesDep = Annotated[Services, Depends(services)]

_EXAMPLE = {
    "horizon_months": 12,
    "workloads": [
        {"name": "chat", "workload": {"model": "llama-3.1-8b"},
         "serving": {"hours_per_month": 200}},
        {"name": "qlora", "workload": {"model": "mistral-7b", "task": "finetune",
                                       "finetune": {"method": "qlora", "tokens": 5e7}},
         "jobs": {"per_month": 2}},
    ],
}  # fmt: skip


def _models(team: dict[str, Any]) -> list[Any]:
    """The model of every workload of a team mapping (whatever its shape: the team's own
    validation names what is wrong with it)."""
    items = team.get("workloads")
    models = []
    for item in items if isinstance(items, list) else ():
        workload = item.get("workload") if isinstance(item, dict) else None
        if isinstance(workload, dict) and isinstance(workload.get("model"), str):
            models.append(workload["model"])
    return models


@router.post(
    "/fleet",
    summary="Plan a team's GPUs: what to buy for the base load, what to rent for peaks",
    response_class=JSONResponse,
    responses={
        200: {"description": "the fleet plan (docs/fleet.md)"},
        422: {"model": ErrorBody, "description": "invalid team, or a workload fits nothing"},
    },
)
async def fleet(
    request: Request,
    svc: ServicesDep,
    body: Annotated[dict[str, Any], Body(openapi_examples={"team": {"value": _EXAMPLE}})],
) -> Response:
    """The team's purchases, rentals per workload, strategies side by side and sensitivity.
    A team is several plans: it runs in the plan slots and shares their result cache."""
    from spicetrader.fleet.fleet import fleet as plan_team

    def work() -> dict[str, Any]:
        for model in _models(body):
            closed_model(model)
        return plan_team(body, svc.catalog()).to_dict()

    key = "fleet:" + json.dumps(body, sort_keys=True, default=str)
    return await cached_answer(request, svc, "plan", key, work)
