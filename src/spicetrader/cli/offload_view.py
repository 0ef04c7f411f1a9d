"""The human view of an estimate's offload split: where the model lives, where decode time goes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spicetrader.spec.estimate import OffloadSplit

__all__ = ["offload_lines", "render_offload"]


def offload_lines(split: OffloadSplit) -> list[str]:
    """Plain lines: the layer split, each side against its capacity, decode time per side."""
    host_layers = split.total_layers - split.gpu_layers
    lines = [
        f"offloaded to CPU RAM: {split.gpu_layers} of {split.total_layers} layers on the GPU, "
        f"{host_layers} in host RAM ({split.cpu})",
        f"  GPU  {split.gpu_gb:.2f} GB of {split.gpu_capacity_gb:.2f} GB usable",
        f"  host {split.host_gb:.2f} GB of {split.host_capacity_gb:.2f} GB usable",
    ]
    gpu_s, cpu_s = split.decode_gpu_s, split.decode_cpu_s
    if gpu_s is not None and cpu_s is not None and gpu_s + cpu_s > 0:
        share = cpu_s / (gpu_s + cpu_s)
        lines.append(
            f"  decode per token: GPU {gpu_s * 1e3:.1f} ms + CPU {cpu_s * 1e3:.1f} ms "
            f"({share:.0%} of the time on the CPU side)"
        )
    return lines


def render_offload(split: OffloadSplit) -> None:
    from spicetrader.cli.common import console

    out = console()
    for line in offload_lines(split):
        out.print(line, markup=False)
