"""``spice estimate``: will a workload fit, how fast will it run (human view or ``--json``)."""

from __future__ import annotations

from typing import Annotated

import typer

from spicetrader.cli.common import handles_errors
from spicetrader.cli.workload_args import (
    BatchOpt,
    CpuOpt,
    DevicesOpt,
    EngineOpt,
    ExpertOpt,
    FileOpt,
    GpuLayersOpt,
    HardwareOpt,
    HostMemoryOpt,
    ImagesOpt,
    KvCacheOpt,
    LoraRankOpt,
    MemoryOpt,
    MethodOpt,
    MicroBatchOpt,
    ModelArg,
    NodesOpt,
    OffloadOpt,
    OptimizerOpt,
    OutputOpt,
    PipelineOpt,
    PrecisionOpt,
    PromptOpt,
    ResolutionOpt,
    SeqLenOpt,
    StepsOpt,
    TaskOpt,
    TensorOpt,
    TokensOpt,
    UbatchOpt,
    WorkloadArgs,
    ZeroOpt,
)

__all__ = ["register"]


@handles_errors
def estimate_command(
    model: ModelArg = None,
    file: FileOpt = None,
    hardware: HardwareOpt = None,
    task: TaskOpt = None,
    precision: PrecisionOpt = None,
    engine: EngineOpt = None,
    kv_cache: KvCacheOpt = None,
    memory_gb: MemoryOpt = None,
    devices: DevicesOpt = None,
    nodes: NodesOpt = None,
    tensor: TensorOpt = None,
    pipeline: PipelineOpt = None,
    expert_parallel: ExpertOpt = None,
    zero: ZeroOpt = None,
    offload: OffloadOpt = None,
    prompt: PromptOpt = None,
    output: OutputOpt = None,
    batch: BatchOpt = None,
    ubatch: UbatchOpt = None,
    method: MethodOpt = None,
    tokens: TokensOpt = None,
    seq_len: SeqLenOpt = None,
    micro_batch: MicroBatchOpt = None,
    lora_rank: LoraRankOpt = None,
    optimizer: OptimizerOpt = None,
    resolution: ResolutionOpt = None,
    steps: StepsOpt = None,
    images: ImagesOpt = None,
    gpu_layers: GpuLayersOpt = None,
    cpu: CpuOpt = None,
    host_memory_gb: HostMemoryOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the estimate as JSON.")] = False,
) -> None:
    """Will it fit, how fast will it run: memory per device, speeds, what bounds them."""
    from spicetrader.api import estimate
    from spicetrader.cli.common import print_json
    from spicetrader.cli.workload_args import workload_mapping
    from spicetrader.context import Context

    args = WorkloadArgs(
        model=model, hardware=hardware, task=task, precision=precision, engine=engine,
        kv_cache=kv_cache, memory_gb=memory_gb, devices=devices, nodes=nodes, tensor=tensor,
        pipeline=pipeline, expert=expert_parallel, zero=zero, offload=offload, prompt=prompt,
        output=output, batch=batch, ubatch=ubatch,
        method=method, tokens=tokens, seq_len=seq_len, micro_batch=micro_batch,
        lora_rank=lora_rank, optimizer=optimizer, resolution=resolution, steps=steps,
        images=images, gpu_layers=gpu_layers, cpu=cpu, host_memory_gb=host_memory_gb,
    )  # fmt: skip
    result = estimate(workload_mapping(args, file), Context.load())
    if as_json:
        print_json(result.to_dict())
        return
    from spicetrader.cli.estimate_view import render_estimate

    render_estimate(result)


def register(app: typer.Typer) -> None:
    app.command("estimate")(estimate_command)
