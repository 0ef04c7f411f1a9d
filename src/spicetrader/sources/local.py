"""This machine as a plan option: ``<home>/probe.json`` (written by ``spice probe``) turned into
the planner's :class:`~spicetrader.planner.LocalMachine`. Shared by the CLI and the web app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.planner import LocalMachine

__all__ = ["this_machine"]


def this_machine(home: Path, catalog: Catalog) -> LocalMachine | None:
    """This machine from ``<home>/probe.json``, as the planner takes it; None if never probed."""
    from spicetrader.planner import LocalMachine
    from spicetrader.sources.probe import local_option

    found = local_option(home, catalog)
    if found is None:
        return None
    accel = catalog.accelerator(found.hardware)
    return LocalMachine(
        hardware=accel.id,
        devices=found.devices,
        probed_at=found.probed_at,
        memory_gb=found.memory_gb if accel.memory_configs_gb else None,
        efficiency=found.efficiency,
    )
