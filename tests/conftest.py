"""Shared fixtures. Every test runs with its own user directory: nothing touches the real one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def spice_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``SPICETRADER_HOME`` per test; tests that need the path take this fixture."""
    home = tmp_path_factory.mktemp("spice-home")
    monkeypatch.setenv("SPICETRADER_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home


@pytest.fixture
def no_hub_no_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the code under test reaches the Hugging Face Hub or reads a model file
    (the web app must do neither for a request)."""
    import huggingface_hub

    import spicetrader.models.registry as registry
    import spicetrader.sources.hub as hub

    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the web app reached the Hub or read a model file")

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", forbidden)
    monkeypatch.setattr(hub, "fetch_hf_config", forbidden)
    monkeypatch.setattr(registry, "_from_path", forbidden)
