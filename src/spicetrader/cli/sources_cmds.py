"""Real-world connections: ``spice offers refresh``, ``spice offers add``, ``spice probe``,
``spice launch``.

Light at import time (typer only); gpuhunt, numpy, rich and the planner are imported inside the
commands. Progress bars go to stderr so ``--json`` output stays clean on stdout.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from spicetrader.cli.catalog_cmds import offers_app
from spicetrader.cli.common import console, handles_errors, load_catalog, print_json
from spicetrader.cli.workload_args import (
    ImagesOpt,
    KvCacheOpt,
    MicroBatchOpt,
    OptimizerOpt,
    ResolutionOpt,
    StepsOpt,
    UsersOpt,
)

if TYPE_CHECKING:
    from rich.progress import Progress

    from spicetrader.catalog.catalog import Catalog
    from spicetrader.sources.live import RefreshResult

__all__ = ["register"]

JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of text.")
EXIT_ALL_FAILED = 1
REFRESH_TIMEOUT_S = 60.0


def _home() -> Path:
    from spicetrader.paths import user_home

    return user_home()


def _progress() -> Progress:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                    TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=True)  # fmt: skip


def _resolver(catalog: Catalog) -> Any:
    return lambda name: catalog.accelerator(name).id


@offers_app.command("refresh")
@handles_errors
def offers_refresh(
    provider: list[str] | None = typer.Option(
        None, "--provider", "-p", help="Only these gpuhunt providers (repeat); default: all."
    ),
    json_out: bool = JSON_OPTION,
) -> None:
    """Pull current offers with gpuhunt into a snapshot the planner then uses.

    Exit 0 when every provider answered, 0 with a warning when some failed (their previous rows
    are kept), 1 when all failed (the previous snapshot stays in use).
    """
    import socket
    from datetime import UTC, datetime

    from spicetrader.sources.gpuhunt_fetch import GpuhuntFetcher, gpuhunt_version
    from spicetrader.sources.live import refresh_offers

    # gpuhunt downloads with urllib and no timeout: a dead network must fail, not hang.
    socket.setdefaulttimeout(REFRESH_TIMEOUT_S)
    fetcher = GpuhuntFetcher()
    providers = fetcher.check(provider) if provider else fetcher.providers
    catalog = load_catalog()
    with _progress() as progress:
        task = progress.add_task("Fetching offers", total=len(providers))

        def step(name: str) -> None:
            progress.update(task, description=f"Fetching {name}", completed=providers.index(name))

        result = refresh_offers(_home(), providers, fetcher, _resolver(catalog),
                                now=datetime.now(UTC), source=f"gpuhunt {gpuhunt_version()}",
                                on_provider=step)  # fmt: skip
        progress.update(task, completed=len(providers))
    _report_refresh(result, json_out)
    if result.all_failed:
        raise typer.Exit(EXIT_ALL_FAILED)


def _report_refresh(result: RefreshResult, json_out: bool) -> None:
    import sys

    if json_out:
        print_json(result.to_dict())
    else:
        out = console()
        for p in result.providers:
            extra = f" ({p.message})" if p.message else ""
            kept = f", kept {p.carried_over} previous rows" if p.carried_over else ""
            out.print(f"{p.provider:>13}: {p.status.value}, {p.offers} offers{kept}{extra}",
                      markup=False, highlight=False)  # fmt: skip
        if result.snapshot is not None:
            out.print(f"Wrote {result.offers} offers to {result.snapshot.csv_path}", markup=False)
        if result.unmapped:
            names = ", ".join(f"{k} ({v})" for k, v in sorted(result.unmapped.items()))
            out.print(f"GPUs not in the catalog, left out: {names}", markup=False)
    if result.all_failed:
        sys.stderr.write("Error: every provider failed; the previous prices stay in use\n")
    elif result.failed:
        sys.stderr.write("Warning: partial refresh; failed: " + ", ".join(result.failed) + "\n")


@offers_app.command("add")
@handles_errors
def offers_add(
    provider: str = typer.Option(..., "--provider", help="Provider id (lowercase), e.g. acme."),
    gpu: str = typer.Option(..., "--gpu", help="Accelerator id or name, e.g. h100-sxm."),
    count: int = typer.Option(..., "--count", help="GPUs in the instance."),
    price: float = typer.Option(
        ..., "--price-usd-per-hour", help="On-demand price of the whole instance, USD/hour."
    ),
    spot_price: float | None = typer.Option(None, "--spot-price", help="Spot price, USD/hour."),
    instance: str | None = typer.Option(None, "--instance", help="Instance type name."),
    note: str | None = typer.Option(None, "--note", help="A note kept with the row."),
    as_of: str | None = typer.Option(None, "--as-of", help="Date of the quote (default today)."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Add your own offer to <home>/offers.toml (the planner treats it like a catalog row)."""
    from datetime import UTC, datetime

    from spicetrader.sources.quotes import add_offer_quote, quotes_path

    entry = {
        "provider": provider, "accelerator": gpu, "count": count, "price_usd_per_hour": price,
        "spot_price_usd_per_hour": spot_price, "instance_type": instance, "note": note,
        "as_of": as_of or datetime.now(UTC).date().isoformat(),
    }  # fmt: skip
    offer = add_offer_quote(_home(), entry, load_catalog())
    if json_out:
        print_json(offer.model_dump(mode="json"))
        return
    console().print(f"Added {offer.id} ({offer.count}x {offer.accelerator}, "
                    f"{offer.price_usd_per_hour:g} USD/h) to {quotes_path(_home())}",
                    markup=False)  # fmt: skip


def probe_command(
    bench: bool = typer.Option(False, "--bench", help="Also run a short micro-benchmark."),
    json_out: bool = JSON_OPTION,
) -> None:
    """Detect this machine's accelerators, map them to catalog ids, optionally benchmark."""
    import platform
    from datetime import UTC, datetime

    from spicetrader.sources.probe import efficiency, probe_machine, save_probe
    from spicetrader.sources.probe_detect import load_nvml, load_psutil, run_command

    catalog = load_catalog()
    result = probe_machine(_resolver(catalog), nvml=load_nvml(), run=run_command,
                           psutil=load_psutil(), system=platform.system())  # fmt: skip
    measurements = _run_bench() if bench else []
    peak_bw = peak_tflops = None
    if result.accelerator is not None:
        accel = catalog.accelerator(result.accelerator)
        peak_bw, peak_tflops = accel.mem_bw_gbs, accel.fp16_tflops
    eff = efficiency(measurements, peak_bw, peak_tflops)
    path = save_probe(_home(), result, measurements, eff, datetime.now(UTC))
    if json_out:
        print_json({**result.to_dict(), "measurements": [m.__dict__ for m in measurements],
                    "efficiency": eff, "saved_to": str(path)})  # fmt: skip
        return
    out = console()
    host = result.host
    out.print(f"CPU: {host.cpu_model} ({host.cpu_cores or '?'} cores), RAM: "
              f"{host.ram_gb if host.ram_gb is not None else '?'} GB", markup=False)  # fmt: skip
    out.print(f"CPU -> {result.host_cpu_id or 'not in the catalog'}", markup=False)
    if not result.has_accelerator:
        out.print("No GPU or other accelerator found on this machine (NVIDIA via NVML, AMD via "
                  "rocm-smi, Apple silicon via sysctl).", markup=False)  # fmt: skip
    for d in result.devices:
        mapped = d.catalog_id or "not in the catalog"
        out.print(f"{d.device.vendor}: {d.device.name}, {d.device.memory_gb} GB -> {mapped}",
                  markup=False)  # fmt: skip
    for m in measurements:
        unit = "GB/s" if m.metric == "mem_bw_gbs" else "TFLOP/s"
        out.print(f"{m.device} {m.metric}: {m.value:.1f} {unit} ({m.detail})", markup=False)
    for key, value in eff.items():
        out.print(f"efficiency {key}: {value:.0%} of the datasheet peak", markup=False)
    out.print(f"Saved to {path}", markup=False)


def _run_bench() -> list[Any]:
    from spicetrader.sources.bench import bench_steps

    steps = bench_steps()
    results = []
    with _progress() as progress:
        task = progress.add_task("Benchmark", total=len(steps))
        for step in steps:
            progress.update(task, description=step.label)
            results.append(step.run())
            progress.advance(task)
    return results


def launch_command(
    model: str | None = typer.Argument(None, help="Model id, HF repo id or config/GGUF path."),
    file: Path | None = typer.Option(None, "-f", "--file", help="A workload YAML/JSON file."),
    option: str = typer.Option(..., "--option", help="Option id from `spice plan --json`."),
    to: str | None = typer.Option(
        None,
        "--to",
        help="skypilot | dstack | colab | kaggle | jupyter | modal | script (default: the tier's)",
    ),
    out_file: Path = typer.Option(..., "-o", "--out-file", help="File to write."),
    plan_file: Path | None = typer.Option(
        None, "--plan", help="Take the option from a saved `spice plan --json` (no re-planning)."
    ),
    task: str | None = typer.Option(None, "--task", help="inference | finetune | image"),
    precision: str | None = typer.Option(None, "--precision", help="bf16, fp8, q4_k_m, ..."),
    engine: str | None = typer.Option(None, "--engine", help="vllm, llama.cpp, ..."),
    prompt: int | None = typer.Option(None, "--prompt", help="Prompt tokens (inference)."),
    output: int | None = typer.Option(None, "--output", help="Output tokens (inference)."),
    batch: str | None = typer.Option(None, "--batch", help="Concurrent sequences, or 'max'."),
    method: str | None = typer.Option(None, "--method", help="lora | qlora (finetune)."),
    seq_len: int | None = typer.Option(None, "--seq-len", help="Sequence length (finetune)."),
    lora_rank: int | None = typer.Option(None, "--lora-rank", help="LoRA rank (finetune)."),
    tokens: float | None = typer.Option(None, "--tokens", help="Tokens to train on."),
    micro_batch: MicroBatchOpt = None,
    optimizer: OptimizerOpt = None,
    kv_cache: KvCacheOpt = None,
    resolution: ResolutionOpt = None,
    steps: StepsOpt = None,
    images: ImagesOpt = None,
    users: UsersOpt = None,
    json_out: bool = JSON_OPTION,
) -> None:
    """Write a plan option's job as its tier's hand-off: SkyPilot task / dstack configuration
    (rentals), Colab / Kaggle / Jupyter notebook (free tiers), shell script (owned machines, Macs).
    It runs the planned precision, engine and devices, or exits 2 saying what is missing."""
    from spicetrader.cli.workload_args import WorkloadArgs, workload_mapping
    from spicetrader.errors import UnknownNameError
    from spicetrader.fileio import write_text_atomic
    from spicetrader.sources.launch import LaunchTarget, launch_files
    from spicetrader.sources.launch_option import find_option, read_plan_json
    from spicetrader.spec.workload import Workload

    target: LaunchTarget | None = None
    if to is not None:
        try:
            target = LaunchTarget(to.strip().lower())
        except ValueError:
            accepted = [t.value for t in LaunchTarget]
            raise UnknownNameError("launch target", to, accepted) from None
    from spicetrader.context import Context

    context = Context.load()  # the world `spice plan` plans in: the same option ids
    catalog = context.catalog
    args = WorkloadArgs(model=model, task=task, precision=precision, engine=engine,
                        prompt=prompt, output=output, batch=batch, method=method,
                        seq_len=seq_len, lora_rank=lora_rank, tokens=tokens,
                        micro_batch=micro_batch, optimizer=optimizer, kv_cache=kv_cache,
                        resolution=resolution, steps=steps, images=images)  # fmt: skip
    if plan_file is not None:
        saved = read_plan_json(plan_file)
        given = model is not None or file is not None
        spec = workload_mapping(args, file) if given else saved["workload"]
        chosen = dict(find_option(saved["options"], option))
        workload = Workload.model_validate(spec)
    else:
        from spicetrader.api import plan
        from spicetrader.planner import PlanConstraints

        constraints = PlanConstraints(
            spot=option.endswith(":spot"), users=1 if users is None else users
        )
        result = plan(workload_mapping(args, file), context, constraints)
        options = [o.to_dict() for o in result.options]
        chosen = dict(find_option(options, option))
        workload = result.workload
    from spicetrader.sources.launch import default_target

    target = target or default_target(chosen)
    files = launch_files(chosen, workload, target, out_file.name, catalog=catalog)
    written = [out_file.parent / name for name in files]
    for path, text in zip(written, files.values(), strict=True):
        write_text_atomic(path, text)
    if json_out:
        print_json({"files": [str(p) for p in written], "target": target.value, "option": option})
        return
    how = {LaunchTarget.SKYPILOT: f"sky launch -c spice {out_file}",
           LaunchTarget.DSTACK: f"dstack apply -f {out_file}",
           LaunchTarget.COLAB: "open it in Colab (File > Upload notebook)",
           LaunchTarget.KAGGLE: f"kaggle kernels push -p {out_file.parent} (set your username "
                                "in kernel-metadata.json) or upload the notebook",
           LaunchTarget.JUPYTER: "upload it to the notebook server (Studio Lab: GPU project)",
           LaunchTarget.MODAL: f"modal run {out_file} (servers: modal serve {out_file})",
           LaunchTarget.SCRIPT: f"bash {out_file}"}[target]  # fmt: skip
    names = ", ".join(str(p) for p in written)
    console().print(f"Wrote {names} for option {option}; next: {how}", markup=False)


def register(app: typer.Typer) -> None:
    app.command("probe")(handles_errors(probe_command))
    app.command("launch")(handles_errors(launch_command))
