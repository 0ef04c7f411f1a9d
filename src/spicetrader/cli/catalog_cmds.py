"""Catalog commands (hardware, offers, systems, free-tiers). Placeholder until built."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the catalog command groups to ``app``."""
