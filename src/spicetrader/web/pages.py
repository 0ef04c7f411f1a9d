"""The HTML page: one Jinja2 template, plain HTML, a little JS, no build step, no CDN.

The form posts the workload to ``/api/plan`` from ``static/app.js``; the results, the memory
bar and both charts are drawn in the browser as inline SVG from the plan JSON (``charts.js``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from spicetrader.models.precision import PRECISION_IDS
from spicetrader.planner.constraints import CHOOSABLE_TIERS
from spicetrader.spec.workload import Task

__all__ = ["STATIC_DIR", "router"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
_templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)

# The precision box offers the workload spec's formats; ``exl2-<bpw>`` with one example value.
PRECISION_CHOICES = tuple(p.replace("<bpw>", "4.65") for p in PRECISION_IDS)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return _templates.TemplateResponse(
        request,
        "index.html",
        {
            "tasks": [t.value for t in Task],
            "tiers": sorted(t.value for t in CHOOSABLE_TIERS),
            "precisions": PRECISION_CHOICES,
        },
    )
