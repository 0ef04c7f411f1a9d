"""The public API is exactly ``spicetrader.__all__``, and every name in it resolves."""

from __future__ import annotations

import spicetrader

EXPECTED = {
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
}


def test_all_is_the_documented_api() -> None:
    assert set(spicetrader.__all__) == EXPECTED
    assert sorted(spicetrader.__all__) == spicetrader.__all__


def test_every_public_name_resolves() -> None:
    for name in spicetrader.__all__:
        assert getattr(spicetrader, name) is not None, name


def test_private_names_are_not_exported() -> None:
    assert not [name for name in spicetrader.__all__ if name.startswith("_")]
    assert "__getattr__" not in spicetrader.__all__


def test_public_functions_stay_functions_after_their_subpackages_load() -> None:
    import spicetrader.fleet.team

    assert callable(spicetrader.fleet)
    assert spicetrader.fleet.__module__ == "spicetrader.api"
    assert spicetrader.plan.__module__ == "spicetrader.api"
