"""Catalog models as the cost model sees them, for tests that pin formulas to model shapes."""

from __future__ import annotations

from spicetrader.models.arch import Architecture
from spicetrader.models.registry import resolve_model


def transformer(model_id: str) -> Architecture:
    """The transformer architecture of a catalog model (fails the test for a diffusion model)."""
    arch = resolve_model(model_id)
    assert isinstance(arch, Architecture)
    return arch
