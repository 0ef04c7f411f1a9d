"""spicetrader: will a generative-AI workload fit, how fast will it run, what will it cost —
buying a server, buying a Mac, renting cloud GPUs or using a free tier.

The public API is what ``__all__`` lists (guarded by a test). Names are imported lazily
(PEP 562) so that ``import spicetrader`` and ``spice --help`` stay fast.
"""

from __future__ import annotations

import sys
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spicetrader.api import estimate, fleet, plan
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.catalog.load import load_catalog
    from spicetrader.context import Context
    from spicetrader.errors import (
        AmbiguousNameError,
        CatalogDataError,
        InputError,
        NotSupportedError,
        SpiceError,
        UnknownNameError,
    )
    from spicetrader.fleet import FleetPlan, Team
    from spicetrader.models.arch import Architecture, DiffusionArchitecture
    from spicetrader.models.registry import list_models, resolve_model
    from spicetrader.planner import Plan, PlanConstraints, PlanOption, Tier
    from spicetrader.spec.estimate import Estimate
    from spicetrader.spec.workload import Workload

__all__ = [
    "AmbiguousNameError",
    "Architecture",
    "Catalog",
    "CatalogDataError",
    "Context",
    "DiffusionArchitecture",
    "Estimate",
    "FleetPlan",
    "InputError",
    "NotSupportedError",
    "Plan",
    "PlanConstraints",
    "PlanOption",
    "SpiceError",
    "Team",
    "Tier",
    "UnknownNameError",
    "Workload",
    "estimate",
    "fleet",
    "list_models",
    "load_catalog",
    "plan",
    "resolve_model",
]

_HOMES = {
    "Catalog": "spicetrader.catalog.catalog",
    "load_catalog": "spicetrader.catalog.load",
    "Context": "spicetrader.context",
    "estimate": "spicetrader.api",
    "AmbiguousNameError": "spicetrader.errors",
    "CatalogDataError": "spicetrader.errors",
    "InputError": "spicetrader.errors",
    "NotSupportedError": "spicetrader.errors",
    "SpiceError": "spicetrader.errors",
    "UnknownNameError": "spicetrader.errors",
    "FleetPlan": "spicetrader.fleet",
    "Team": "spicetrader.fleet",
    "fleet": "spicetrader.api",
    "Architecture": "spicetrader.models.arch",
    "DiffusionArchitecture": "spicetrader.models.arch",
    "list_models": "spicetrader.models.registry",
    "resolve_model": "spicetrader.models.registry",
    "Plan": "spicetrader.planner",
    "PlanConstraints": "spicetrader.planner",
    "PlanOption": "spicetrader.planner",
    "Tier": "spicetrader.planner",
    "plan": "spicetrader.api",
    "Estimate": "spicetrader.spec.estimate",
    "Workload": "spicetrader.spec.workload",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'spicetrader' has no attribute {name!r}")
    return getattr(import_module(home), name)


def __dir__() -> list[str]:
    return sorted(__all__)


class _Package(ModuleType):
    """``spicetrader`` itself. Importing the subpackage ``spicetrader.fleet`` would make
    ``spicetrader.fleet`` the module rather than the public function of that name: the import
    system sets a loaded submodule as an attribute of its parent. A public name is never
    overwritten by a module here (the module stays in ``sys.modules``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _HOMES and isinstance(value, ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
