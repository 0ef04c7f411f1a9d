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


REAL_PLANS = {
    "llama-3-70b": ["llama-3-70b"],
    "llama-3.1-8b": ["llama-3.1-8b"],
    "mistral-7b-qlora": ["mistral-7b", "--task", "finetune", "--method", "qlora",
                         "--tokens", "5e7"],
    "sdxl": ["sdxl", "--task", "image", "--images", "10000"],
    "gpt-oss-120b": ["gpt-oss-120b"],  # MoE released in MXFP4: the GGUF tag is not the plan's
    "qwen3-30b-a3b": ["qwen3-30b-a3b"],
}  # fmt: skip


@pytest.fixture(scope="session")
def real_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``spice plan --json`` of the four workloads the launch is checked on (bundled catalog)."""
    from typer.testing import CliRunner

    from spicetrader.cli.app import app

    out = {}
    with pytest.MonkeyPatch.context() as patch:  # a fresh home: the bundled catalog only
        patch.setenv("SPICETRADER_HOME", str(tmp_path_factory.mktemp("plans-home")))
        patch.setenv("HF_HUB_OFFLINE", "1")
        for name, args in REAL_PLANS.items():
            result = CliRunner().invoke(app, ["plan", *args, "--json"])
            assert result.exit_code == 0, result.stderr
            out[name] = json.loads(result.stdout)
    return out
