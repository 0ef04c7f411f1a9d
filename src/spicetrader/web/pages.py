"""The HTML page: one Jinja2 template, plain HTML, a little JS, no build step, no CDN.

The form posts the workload to ``/api/plan`` from ``static/app.js``; the answer (pick cards,
charts drawn with the bundled Chart.js, the ranked table) is rendered in the browser from the
plan JSON. Only the fields the API accepts are rendered: a constraint another part of the
server does not know yet (``users``, ``value_of_time_usd_per_hour``) simply is not shown.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from spicetrader.models.precision import PRECISION_IDS
from spicetrader.spec.workload import Method
from spicetrader.web.schemas import PlanRequest

__all__ = ["PERSONAS", "STATIC_DIR", "Persona", "router"]

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
_templates = Jinja2Templates(directory=HERE / "templates")

router = APIRouter(include_in_schema=False)

# The precision box offers the workload spec's formats; ``exl2-<bpw>`` with one example value.
PRECISION_CHOICES = tuple(p.replace("<bpw>", "4.65") for p in PRECISION_IDS)

TASKS = (
    ("inference", "Serve a chat model"),
    ("finetune", "Fine-tune"),
    ("pretrain", "Pre-train"),
    ("image", "Generate images"),
)
TIERS = (
    ("buy", "Buy a server or workstation"),
    ("mac", "Buy a Mac"),
    ("rent", "Rent cloud GPUs"),
    ("free", "Free notebooks (Colab, Kaggle)"),
)
METHODS = (
    (Method.LORA.value, "LoRA (adapters on a 16-bit model)"),
    (Method.QLORA.value, "QLoRA (adapters on a 4-bit model)"),
    (Method.FULL.value, "Full fine-tune (every weight)"),
)


class Persona(NamedTuple):
    """A one-click example: the README's plans, written as the page's URL query."""

    title: str
    detail: str
    query: str


PERSONAS = (
    Persona("Serve a chat model", "Llama 3 70B, 200 h a month for 2 years",
            "model=llama-3-70b&task=inference&usage=200&months=24"),
    Persona("Fine-tune with QLoRA", "Mistral 7B on 50 million tokens",
            "model=mistral-7b&task=finetune&method=qlora&ft_tokens=5e7"),
    Persona("Pre-train a small model", "MPT 1B on 20 billion tokens in 3 days",
            "model=mpt-1b&task=pretrain&pt_tokens=2e10&deadline=72"),
    Persona("Generate images", "SDXL, 10,000 images, rent or free",
            "model=sdxl&task=image&images=10000&only=rent,free"),
    Persona("On a shoestring", "Llama 3 8B, at most $500, spot prices",
            "model=llama-3-8b&task=inference&budget=500&spot=1"),
)  # fmt: skip


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return _templates.TemplateResponse(
        request,
        "index.html",
        {
            "tasks": TASKS,
            "tiers": TIERS,
            "methods": METHODS,
            "precisions": PRECISION_CHOICES,
            "accepted": frozenset(PlanRequest.model_fields),
            "personas": PERSONAS,
        },
    )
