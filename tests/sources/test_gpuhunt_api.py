"""gpuhunt's API as spicetrader uses it (``sources/gpuhunt_api.py``, the one adapter): fails
loudly when a gpuhunt release moves or renames what the adapter reaches, including its private
``gpuhunt._internal`` provider lists. Required in CI (``.ci/run`` installs the live extra)."""

from __future__ import annotations

import importlib
import inspect
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

from optional_deps import require
from spicetrader.sources import gpuhunt_api

gpuhunt = require("gpuhunt")
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_installed_gpuhunt_is_in_the_pinned_range() -> None:
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    (pin,) = [Requirement(r) for r in extras["live"] if Requirement(r).name == "gpuhunt"]
    assert pin.specifier, "gpuhunt must be pinned to a tested range"
    assert pin.specifier.contains(gpuhunt_api.gpuhunt_version()), pin


def test_provider_lists_are_where_the_adapter_reads_them() -> None:
    lists = gpuhunt_api.provider_lists()
    assert {"aws", "gcp", "lambdalabs", "runpod"} <= set(lists.offline)
    assert "vastai" in lists.online
    assert not set(lists.offline) & set(lists.online)
    assert set(lists.online) <= set(lists.online_modules)
    for name in lists.online:
        module_name, class_name = lists.online_modules[name]
        missing = ""
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:  # an online provider may need a package of its own
            missing = exc.name or "?"
        if missing:
            assert not missing.startswith("gpuhunt"), f"{module_name} moved ({missing})"
            continue
        assert callable(getattr(module, class_name).from_env), name


def test_catalog_and_errors_have_the_shape_the_fetcher_uses() -> None:
    catalog = gpuhunt_api.new_catalog()
    for method in ("load", "query", "add_provider"):
        assert callable(getattr(catalog, method)), method
    assert "provider" in inspect.signature(catalog.query).parameters
    assert isinstance(catalog.catalog, dict) or hasattr(catalog.catalog, "__contains__")
    assert issubclass(gpuhunt_api.missing_creds_error(), Exception)
    fields = {f.name for f in __import__("dataclasses").fields(gpuhunt.CatalogItem)}
    assert {"provider", "gpu_name", "gpu_count", "price", "spot", "location"} <= fields


def test_only_the_adapter_imports_gpuhunt() -> None:
    src = Path(gpuhunt_api.__file__).resolve().parents[1]
    importers = sorted(
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if any(
            line.lstrip().startswith(("import gpuhunt", "from gpuhunt"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert importers == ["sources/gpuhunt_api.py"]
