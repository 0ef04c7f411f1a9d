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
- All-to-all (MoE dispatch and combine over the expert-parallel group): each token's ``k``
  routed copies go to the ranks holding their experts. Across nodes the dispatchers Megatron
  Core uses for MoE at scale (DeepEP, HybridEP: its "flex" dispatcher) send a token once per
  remote node over that rank's own NIC and fan it out to the node's GPUs over the device link
  (DeepSeek-V3 technical report, arXiv 2412.19437, sec. 3.2.2: IB first, then NVLink
  forwarding, so the IB traffic grows with the nodes a token reaches, not its copies), both
  links busy at once: with ``N`` nodes in the group, a token reaches
  ``(N - 1) (1 - (1 - 1/N)^k)`` remote nodes (balanced routing) and its copies cross the
  device link; the slower side sets the rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from spicetrader.costmodel.cluster import node_row
from spicetrader.costmodel.efficiency import interconnect_row
from spicetrader.costmodel.roofline import allreduce_s, gather_s

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup

__all__ = [
    "Link",
    "alltoall_link",
    "data_parallel_s",
    "device_link",
    "group_link",
    "remote_nodes_reached",
]


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


def remote_nodes_reached(nodes: int, copies: int) -> float:
    """Expected other nodes one token's ``copies`` routed copies reach when the experts spread
    evenly over ``nodes`` nodes: ``(N - 1) (1 - (1 - 1/N)^k)``."""
    if nodes <= 1:
        return 0.0
    return (nodes - 1) * (1.0 - (1.0 - 1.0 / nodes) ** copies)


def alltoall_link(setup: Setup, ranks: int, stride: int, copies: int) -> Link:
    """The effective link of an MoE all-to-all over ``ranks`` devices, ``stride`` apart, for
    tokens of ``copies`` routed copies, as a rate for the ``copies x (ranks - 1) / ranks``
    copies a token sends to other ranks: the device link inside one node; across nodes, the
    remote nodes a token reaches over its rank's own NIC and its copies over the device link,
    concurrently (:func:`remote_nodes_reached`; module docstring)."""
    per_node = setup.devices_per_node
    inside = device_link(setup)
    if setup.nodes == 1 or ranks * stride <= per_node or ranks <= 1:
        return inside
    node = node_row(setup.accel)
    net = interconnect_row(None)
    members = min(max(per_node // stride, 1), ranks)
    nodes = max(ranks // members, 2)
    sent = copies * (ranks - 1) / ranks  # copies leaving the rank: what the bytes count
    per_device = node.scale_out_gbs_per_device * 1e9 * net.bw_efficiency
    remote = remote_nodes_reached(nodes, copies)
    seconds_per_copy = max(remote / per_device, sent / inside.bytes_per_s)
    name = f"{node.network} ({remote:.2g} of {nodes - 1} other nodes per token) + {inside.name}"
    return Link(sent / seconds_per_copy, net.allreduce_latency_us * 1e-6, name)


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
