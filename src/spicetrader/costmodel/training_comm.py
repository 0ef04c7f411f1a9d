"""Collectives of distributed training: the link a group of ranks runs over, and the
data-parallel traffic per optimizer step.

- Inside a node the devices use their own link (NVLink, Infinity Fabric, ICI, PCIe; catalog
  ``interconnect``); a group spanning nodes is bounded by the scale-out network, and NCCL runs
  one ring per NIC, so the k ranks of the group that share a node use k NICs: bandwidth
  min(device link, k x network per device) (``data/nodes.csv``).
- Data parallel: ring all-reduce of the gradients, 2 (n-1)/n x bytes (Patarasuk & Yuan 2009);
  ZeRO-3 / FSDP reduce-scatters the gradients ((n-1)/n: each rank keeps its shard) and
  all-gathers the parameters for the forward and again for the backward (Rajbhandari et al.
  2020, "ZeRO", sec. 7.2.2: 3 x (n-1)/n x bytes = 1.5x the data-parallel volume; Zhao et al.
  2023, "PyTorch FSDP", sec. 3.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.cluster import node_row
from spicetrader.costmodel.efficiency import interconnect_row
from spicetrader.costmodel.roofline import allreduce_s, gather_s

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup

__all__ = ["Link", "data_parallel_s", "device_link", "group_link"]


@dataclass(frozen=True, slots=True)
class Link:
    bytes_per_s: float
    latency_s: float
    name: str


def device_link(setup: Setup) -> Link:
    """The devices' own link inside a node (NVLink, Infinity Fabric, ICI, PCIe)."""
    accel = setup.accel
    row = interconnect_row(accel.interconnect)
    gbs = max(accel.interconnect_gbs, 1e-3)
    return Link(gbs * 1e9 * row.bw_efficiency, row.allreduce_latency_us * 1e-6,
                accel.interconnect.value)  # fmt: skip


def group_link(setup: Setup, ranks: int, stride: int) -> Link:
    """The link a collective over ``ranks`` devices, ``stride`` apart, runs at: the device link
    when they share a node, else the network with one ring per NIC of the node's members."""
    per_node = setup.devices_per_node
    inside = device_link(setup)
    if setup.nodes == 1 or ranks * stride <= per_node:
        return inside
    node = node_row(setup.accel)
    net = interconnect_row(None)
    members = min(max(per_node // stride, 1), ranks)  # ranks of the group on one node
    bw = members * node.scale_out_gbs_per_device * 1e9 * net.bw_efficiency
    name = f"{node.network} ({members} per node)" if members > 1 else node.network
    return Link(min(bw, inside.bytes_per_s), net.allreduce_latency_us * 1e-6, name)


def data_parallel_s(
    grad_bytes: float, param_bytes: float, ranks: int, zero: int, link: Link
) -> float:
    """Seconds of data-parallel collectives per optimizer step: a ring all-reduce of the
    gradients, or with ZeRO-3 / FSDP a reduce-scatter of them plus an all-gather of the
    parameters for the forward and again for the backward (ZeRO sec. 7.2.2; FSDP sec. 3.2)."""
    if zero >= 3:
        return gather_s(grad_bytes, ranks, link.bytes_per_s, link.latency_s) + 2.0 * gather_s(
            param_bytes, ranks, link.bytes_per_s, link.latency_s
        )
    return allreduce_s(grad_bytes, ranks, link.bytes_per_s, link.latency_s)
