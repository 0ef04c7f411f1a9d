"""Shared fixtures. Every test runs with its own user directory: nothing touches the real one."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def spice_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``SPICETRADER_HOME`` per test; tests that need the path take this fixture."""
    home = tmp_path_factory.mktemp("spice-home")
    monkeypatch.setenv("SPICETRADER_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return home
