"""Optional dependencies in tests: skipped on a developer machine without them, required in CI."""

from __future__ import annotations

import importlib
import os
from typing import Any

import pytest


def require(module: str) -> Any:
    """Import an optional dependency for a test: skip without it on a developer machine, fail
    in CI (``CI`` set), where ``.ci/run`` installs every extra and nothing may skip silently."""
    if os.environ.get("CI"):
        return importlib.import_module(module)
    return pytest.importorskip(module)
