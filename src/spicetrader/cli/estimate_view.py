"""The human view of an Estimate (rich): memory against capacity, speeds, bound, assumptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spicetrader.spec.estimate import Estimate, MemoryBreakdown

__all__ = ["memory_bar", "render_estimate"]

_BAR_WIDTH = 40
_PARTS = (
    ("weights", "weights_gb", "blue"),
    ("KV cache", "kv_cache_gb", "magenta"),
    ("activations", "activations_gb", "yellow"),
    ("gradients", "gradients_gb", "red"),
    ("optimizer", "optimizer_gb", "cyan"),
    ("overhead", "overhead_gb", "white"),
)


def memory_bar(memory: MemoryBreakdown, width: int = _BAR_WIDTH) -> str:
    """A rich-markup bar: one coloured run per memory part, scaled to the larger of need and
    capacity; a '|' marks the capacity when the need exceeds it."""
    scale = max(memory.per_device_gb, memory.capacity_gb, 1e-9)
    cells: list[str] = []
    for _, attr, colour in _PARTS:
        n = round(getattr(memory, attr) / scale * width)
        if n:
            cells.append(f"[{colour}]" + "█" * n + f"[/{colour}]")
    used = sum(round(getattr(memory, a) / scale * width) for _, a, _ in _PARTS)
    cap = round(memory.capacity_gb / scale * width)
    if used < cap:
        cells.append("[dim]" + "░" * (cap - used) + "[/dim]")
    elif cap < width:
        cells.append("[bold red]|[/bold red]")
    return "".join(cells)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if value >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def render_estimate(est: Estimate) -> None:
    from rich.table import Table

    from spicetrader.cli.common import console, esc
    from spicetrader.render.summary import resolved_line

    out = console()
    wl = est.workload
    verdict = "[bold green]fits[/bold green]" if est.fits else "[bold red]does NOT fit[/bold red]"
    out.print(
        f"[bold]{esc(wl.model_name)}[/bold] {wl.task.value} on {wl.devices} x "
        f"{esc(wl.hardware)} ({esc(wl.precision)}, {wl.engine.value if wl.engine else '-'}): "
        f"{verdict}"
    )
    resolved = resolved_line(est.model_input, wl.model)
    if resolved:
        out.print(resolved, markup=False, highlight=False)
    mem = est.memory
    out.print(
        f"memory per device {mem.per_device_gb:.2f} GB of {mem.capacity_gb:.2f} GB usable  "
        + memory_bar(mem)
    )
    table = Table(show_header=False, box=None, padding=(0, 2))
    for label, attr, colour in _PARTS:
        value = getattr(mem, attr)
        if value:
            table.add_row(f"[{colour}]■[/{colour}] {label}", f"{value:.2f} GB")
    out.print(table)
    speeds = Table(show_header=False, box=None, padding=(0, 2))
    if est.inference is not None:
        inf = est.inference
        speeds.add_row("batch", str(inf.batch))
        speeds.add_row("prefill", _fmt(inf.prefill_tokens_per_s, "tok/s"))
        speeds.add_row("time to first token", _fmt(inf.ttft_s, "s"))
        speeds.add_row("decode (one stream)", _fmt(inf.decode_tokens_per_s, "tok/s"))
        speeds.add_row("throughput (all streams)", _fmt(inf.throughput_tokens_per_s, "tok/s"))
        speeds.add_row(
            "max context", "-" if inf.max_context_tokens is None else str(inf.max_context_tokens)
        )
    if est.training is not None:
        tr = est.training
        speeds.add_row("tokens/s (all devices)", _fmt(tr.tokens_per_s, "tok/s"))
        speeds.add_row("TFLOP/s per device", _fmt(tr.tflops_per_device, ""))
        speeds.add_row("MFU", f"{tr.mfu:.0%}")
        speeds.add_row("time", _fmt(tr.total_hours, "h"))
        speeds.add_row("device-hours", _fmt(tr.device_hours, "h"))
    if est.image is not None:
        im = est.image
        speeds.add_row("steps/s", _fmt(im.steps_per_s, ""))
        speeds.add_row("seconds per image", _fmt(im.seconds_per_image, "s"))
        speeds.add_row("images/s (all devices)", _fmt(im.images_per_s, ""))
        images = est.workload.image.images if est.workload.image is not None else None
        if images:
            hours = images / im.images_per_s / 3600
            speeds.add_row(f"time for {images:,} images", _fmt(hours, "h"))
            speeds.add_row("device-hours", _fmt(hours * est.workload.device_count, "h"))
    if speeds.row_count:
        out.print(speeds)
    if est.offload is not None:
        from spicetrader.cli.offload_view import render_offload

        render_offload(est.offload)
    out.print(f"bound: [bold]{est.bound.value}[/bold]   confidence: {est.confidence}")
    if est.suggestions:
        out.print("[bold]would fit with:[/bold]")
        for line in est.suggestions:
            out.print(f"  • {line}", markup=False)
    out.print("[bold]assumptions:[/bold]")
    for line in est.assumptions:
        out.print(f"  - {line}", markup=False, soft_wrap=True)
