"""Where the user's own data lives. Resolved at the edge (CLI, web), handed to the core."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

ENV_HOME = "SPICETRADER_HOME"


def user_home(environ: Mapping[str, str] | None = None) -> Path:
    """The user directory: ``$SPICETRADER_HOME`` if set, else the platform's data dir."""
    env = os.environ if environ is None else environ
    override = env.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_data_dir("spicetrader", appauthor=False))


def user_catalog_dir(home: Path) -> Path:
    """Folder of the user's catalog overlay (their quotes, their own server...)."""
    return home / "catalog"
