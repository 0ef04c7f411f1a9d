"""Machines: how many devices one node holds and the network between nodes (``data/nodes.csv``).

Inside a node devices talk over their own link (the catalog's ``interconnect``: NVLink/NVSwitch,
Infinity Fabric, TPU ICI within a pod, PCIe); between nodes over the scale-out network, whose
bandwidth per device is a data row with its source (DGX H100: 8x ConnectX-7 400 Gb/s = 50 GB/s
per GPU). When the workload does not give ``nodes``, the devices fill whole nodes:
``nodes = ceil(devices / devices_per_node)``, raised to the next count that divides the devices
evenly (the workload schema requires it).
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.catalog.csvload import parse_rows
from spicetrader.errors import CatalogDataError

if TYPE_CHECKING:
    from spicetrader.catalog.schema import Accelerator
    from spicetrader.spec.workload import Workload

__all__ = ["NodeRow", "default_nodes", "node_row", "node_rows", "with_nodes"]

_PATH: Final = "spicetrader/costmodel/data/nodes.csv"
_ANY: Final = "*"


class NodeRow(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    hardware: Annotated[str, Field(min_length=1)]  # accelerator id, catalog segment, or "*"
    devices_per_node: Annotated[int, Field(ge=1, le=100_000)]
    scale_out_gbs_per_device: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    network: Annotated[str, Field(min_length=1)]
    source: Annotated[str, Field(min_length=1)]
    as_of: Annotated[str, Field(pattern=r"^\d{4}-\d{2}(-\d{2})?$")]
    note: str = ""


_COLUMNS: Final = (
    "hardware", "devices_per_node", "scale_out_gbs_per_device", "network", "source", "as_of",
    "note",
)  # fmt: skip


@functools.cache
def node_rows() -> dict[str, NodeRow]:
    """Rows by key, strictly loaded (a ``*`` fallback row is required; no duplicates)."""
    text = (resources.files("spicetrader.costmodel") / "data" / "nodes.csv").read_text("utf-8")
    table: dict[str, NodeRow] = {}
    for located in parse_rows(text, NodeRow, _COLUMNS, _PATH):
        if located.row.hardware in table:
            raise CatalogDataError(_PATH, located.line, "hardware", "duplicate row")
        table[located.row.hardware] = located.row
    if _ANY not in table:
        raise CatalogDataError(_PATH, None, "hardware", "a '*' fallback row is required")
    return table


def node_row(accel: Accelerator) -> NodeRow:
    """The node row of this accelerator: its id, else its segment, else the fallback."""
    rows = node_rows()
    return rows.get(accel.id) or rows.get(accel.segment) or rows[_ANY]


def default_nodes(devices: int, per_node: int) -> int:
    """The fewest nodes of at most ``per_node`` devices that split ``devices`` evenly."""
    nodes = -(-devices // per_node)
    while devices % nodes:
        nodes += 1
    return nodes


def with_nodes(workload: Workload, accel: Accelerator) -> tuple[Workload, str]:
    """The workload with ``nodes`` filled (or raised to what the machines hold), and why."""
    row = node_row(accel)
    needed = default_nodes(workload.device_count, row.devices_per_node)
    given = "nodes" in workload.model_fields_set
    if given and workload.nodes >= needed:
        return workload, ""
    filled = workload.model_copy(update={"nodes": needed})
    if needed == 1:
        return filled, ""
    per = workload.device_count // needed
    why = (
        f"nodes {needed} of {per} {accel.id} (a node holds at most {row.devices_per_node}; "
        f"{row.network} = {row.scale_out_gbs_per_device:g} GB/s per device between nodes)"
    )
    if given:
        return filled, f"{why}: raised from the {workload.nodes} given"
    return filled, f"{why} (default)"
