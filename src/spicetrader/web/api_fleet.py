"""``POST /api/fleet``: a team's compute plan (the team file's mapping as JSON, ``docs/fleet.md``).

Plain ``def``: FastAPI runs it in its thread pool. Models resolve from the catalog only: a model
that looks like a file path or a Hub repository is refused (import it with the CLI first), so a
request never reads the server's disk or reaches the network.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from fastapi.responses import JSONResponse

from spicetrader.errors import InputError
from spicetrader.web.encoding import result_response
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
_PATH_LIKE = ("/", "\\", ".json", ".gguf", ".yaml", ".yml")


def _catalog_models_only(team: dict[str, Any]) -> None:
    items = team.get("workloads")
    for item in items if isinstance(items, list) else ():
        workload = item.get("workload") if isinstance(item, dict) else None
        model = workload.get("model") if isinstance(workload, dict) else None
        if isinstance(model, str) and any(p in model.lower() for p in _PATH_LIKE):
            raise InputError(
                f"workload {item.get('name', '?')!r}: model {model[:80]!r} is not in the catalog; "
                "the web app plans catalog models only (import others with the command line: "
                "spice models import)"
            )


@router.post(
    "/fleet",
    summary="Plan a team's GPUs: what to buy for the base load, what to rent for peaks",
    response_class=JSONResponse,
    responses={
        200: {"description": "the fleet plan (docs/fleet.md)"},
        422: {"model": ErrorBody, "description": "invalid team, or a workload fits nothing"},
    },
)
def fleet(
    svc: ServicesDep,
    body: Annotated[dict[str, Any], Body(openapi_examples={"team": {"value": _EXAMPLE}})],
) -> JSONResponse:
    """The team's purchases, rentals per workload, strategies side by side and sensitivity."""
    from spicetrader.fleet import fleet as plan_team

    _catalog_models_only(body)
    result = plan_team(body, svc.catalog())
    return result_response(result.to_dict())
