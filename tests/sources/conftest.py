"""Fixtures for the sources tests: the bundled catalog, recorded gpuhunt items, a resolver."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def resolve(catalog: Catalog) -> Callable[[str], str]:
    return lambda name: catalog.accelerator(name).id


@pytest.fixture(scope="session")
def recorded_items() -> Mapping[str, Sequence[Mapping[str, Any]]]:
    """Recorded gpuhunt items per provider (hand-written from gpuhunt's CatalogItem schema)."""
    data = json.loads((FIXTURES / "gpuhunt" / "items.json").read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}
