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
    from spicetrader.sources.probe_record import local_option

    found = local_option(home, catalog)
    if found is None:
        return None
    from spicetrader.planner.local import LocalMachine

    accel = catalog.accelerator(found.hardware)
    return LocalMachine(
        hardware=accel.id,
        devices=found.devices,
        probed_at=found.probed_at,
        memory_gb=found.memory_gb if accel.memory_configs_gb else None,
        efficiency=found.efficiency,
        host_cpu=found.host_cpu,
        host_memory_gb=_as_sold(found.host_memory_gb),
    )


def _as_sold(detected_gb: float | None) -> float | None:
    """RAM the OS reports (GB of 10^9 B) in the binary "GB" RAM is sold in (GiB), as the cost
    model takes ``host_memory_gb`` (62.0 GiB reported for 64 GB installed stays 62)."""
    from spicetrader.units import BYTES_PER_GB, BYTES_PER_GIB

    return None if detected_gb is None else round(detected_gb * BYTES_PER_GB / BYTES_PER_GIB, 1)
