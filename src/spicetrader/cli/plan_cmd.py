"""``spice plan``: the picks (recommended, cheapest, fastest, best to own, best rental, free)
across buy, mac, rent and free, then a table per tier.

Light at import time: the planner, pydantic models, rich and matplotlib are imported inside the
command function. The workload flags are the shared ones of ``spice estimate``
(``cli/workload_args.py``), less the hardware and parallelism the planner chooses itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from spicetrader.cli.common import handles_errors
from spicetrader.cli.workload_args import (
    BatchOpt,
    EngineOpt,
    FileOpt,
    ImagesOpt,
    KvCacheOpt,
    LoraRankOpt,
    MethodOpt,
    MicroBatchOpt,
    ModelArg,
    OptimizerOpt,
    OutputOpt,
    PrecisionOpt,
    PromptOpt,
    ResolutionOpt,
    SeqLenOpt,
    StepsOpt,
    TaskOpt,
    UsersOpt,
    WorkloadArgs,
)

__all__ = ["plan_command", "register"]

PIPED_WIDTH = 100  # a file or a pipe without COLUMNS: the tables are made to fit 100 columns
WIDE_WIDTH = 240  # --wide: every column, full ids; lines as long as they need

TokensOpt = Annotated[
    float | None,
    typer.Option(
        "--tokens",
        help="Tokens to train on (finetune, pretrain); for inference, a volume to generate.",
    ),
]
UsageOpt = Annotated[
    float | None,
    typer.Option("--usage-hours-per-month", help="Hours a month you need the GPUs (default 160)."),
]
DeadlineOpt = Annotated[
    float | None, typer.Option("--deadline-hours", help="Finish the job within T hours.")
]
BudgetOpt = Annotated[float | None, typer.Option("--budget-usd", help="Spend at most B USD.")]
MonthsOpt = Annotated[
    float | None, typer.Option("--months", help="Planning horizon in months (default 12).")
]
OnlyOpt = Annotated[str | None, typer.Option("--only", help="Tiers to consider: buy,mac,rent,free")]
SpotOpt = Annotated[
    bool, typer.Option("--spot/--no-spot", help="Also price rentals at spot rates.")
]
PrivateOpt = Annotated[
    bool, typer.Option("--private", help="On-premises only (buy, mac): data stays with you.")
]
QuantOpt = Annotated[
    bool | None,
    typer.Option(
        "--allow-quantization/--no-allow-quantization",
        help="Lower the precision until it fits (default: on for inference).",
    ),
]
ColoOpt = Annotated[
    bool | None,
    typer.Option("--colocation/--no-colocation", help="Servers pay colocation (default: on)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")]
ChartOpt = Annotated[
    Path | None,
    typer.Option("--chart", help="Write FILE-breakeven.png and FILE-cost-time.png."),
]
AllOpt = Annotated[bool, typer.Option("--all", help="Show every option in the tables.")]
WideOpt = Annotated[
    bool, typer.Option("--wide", help="Every column and full option ids (wider than 100).")
]
ValueOfTimeOpt = Annotated[
    float | None,
    typer.Option(
        "--value-of-time",
        help="USD an hour of waiting for a job is worth (default 1): the recommendation "
        "minimises cost + this x calendar hours; 0 = the pure cheapest.",
    ),
]
MinSpeedOpt = Annotated[
    float | None,
    typer.Option(
        "--min-tokens-per-s",
        help="Serving: the decode speed one user must see (default 10, about reading speed; "
        "0: no minimum). Slower options are marked too slow.",
    ),
]
MaxTtftOpt = Annotated[
    float | None,
    typer.Option(
        "--max-ttft-s",
        help="Serving: the longest wait for the first token when all --users ask at once "
        "(default 10 s; 0: no limit). Slower options are marked too slow.",
    ),
]


def _task_of(task: str | None, file_data: dict[str, Any] | None) -> str:
    if task is not None:
        return task
    return str((file_data or {}).get("task", "inference"))


@handles_errors
def plan_command(
    model: ModelArg = None,
    file: FileOpt = None,
    task: TaskOpt = None,
    precision: PrecisionOpt = None,
    engine: EngineOpt = None,
    kv_cache: KvCacheOpt = None,
    prompt: PromptOpt = None,
    output: OutputOpt = None,
    batch: BatchOpt = None,
    method: MethodOpt = None,
    tokens: TokensOpt = None,
    seq_len: SeqLenOpt = None,
    micro_batch: MicroBatchOpt = None,
    lora_rank: LoraRankOpt = None,
    optimizer: OptimizerOpt = None,
    resolution: ResolutionOpt = None,
    steps: StepsOpt = None,
    images: ImagesOpt = None,
    usage_hours_per_month: UsageOpt = None,
    deadline_hours: DeadlineOpt = None,
    budget_usd: BudgetOpt = None,
    months: MonthsOpt = None,
    only: OnlyOpt = None,
    spot: SpotOpt = False,
    private: PrivateOpt = False,
    allow_quantization: QuantOpt = None,
    colocation: ColoOpt = None,
    min_tokens_per_s: MinSpeedOpt = None,
    max_ttft_s: MaxTtftOpt = None,
    value_of_time: ValueOfTimeOpt = None,
    users: UsersOpt = None,
    as_json: JsonOpt = False,
    chart: ChartOpt = None,
    show_all: AllOpt = False,
    wide: WideOpt = False,
) -> None:
    """Plan a workload across buying a server or a Mac, renting and free tiers: the picks
    (recommended, cheapest, fastest, best to own, best rental, free to try) with their reasons,
    then time, cost and break-even per tier. Uses the freshest `spice offers refresh` snapshot,
    your quotes (offers.toml) and this machine (`spice probe`) when there are some."""
    from spicetrader.api import plan
    from spicetrader.cli.common import (
        console,
        fit_width,
        plain_stdout_width,
        print_json,
        save_charts,
    )
    from spicetrader.cli.workload_args import read_workload_file, workload_mapping
    from spicetrader.context import Context
    from spicetrader.planner import PlanConstraints
    from spicetrader.render.summary import resolved_line

    file_data = read_workload_file(file) if file is not None else None  # parsed once
    inference = _task_of(task, file_data) == "inference"
    args = WorkloadArgs(
        model=model, task=task, precision=precision, engine=engine, kv_cache=kv_cache,
        prompt=prompt, output=output, batch=batch, method=method,
        tokens=None if inference else tokens, seq_len=seq_len, micro_batch=micro_batch,
        lora_rank=lora_rank, optimizer=optimizer, resolution=resolution, steps=steps,
        images=images,
    )  # fmt: skip
    spec: dict[str, Any] = workload_mapping(args, file, file_data)
    constraints = PlanConstraints.of(
        only=only, usage_hours_per_month=usage_hours_per_month, deadline_hours=deadline_hours,
        budget_usd=budget_usd, months=months, spot=spot, private=private,
        allow_quantization=allow_quantization, colocation=colocation,
        tokens=tokens if inference else None, min_decode_tokens_per_s=min_tokens_per_s,
        max_ttft_s=max_ttft_s,
        **({} if value_of_time is None else {"value_of_time_usd_per_hour": value_of_time}),
        **({} if users is None else {"users": users}),
    )  # fmt: skip
    context = Context.load()
    result = plan(spec, context, constraints)
    if chart is not None:
        from spicetrader.render.charts import write_charts

        save_charts(chart, lambda path: write_charts(result, path))
    if as_json:
        print_json(result.to_dict())
        return
    from datetime import date

    from spicetrader.render.blocks import Block, Line, print_rich
    from spicetrader.render.plain_text import plain_text
    from spicetrader.render.plan_tables import DEFAULT_ROWS_PER_TIER, plan_blocks

    rows = None if show_all else DEFAULT_ROWS_PER_TIER
    prices = context.prices.describe()
    resolved = resolved_line(result.model_input, result.workload.model)
    head: list[Block] = [] if resolved is None else [Line(((resolved, None),), False, False)]

    def blocks(width: int) -> list[Block]:
        return head + plan_blocks(result, width, rows, prices, wide=wide, today=date.today())

    piped = plain_stdout_width(PIPED_WIDTH)  # rich would write plain text: no need of rich
    if piped is not None:
        width = max(piped, WIDE_WIDTH) if wide else piped
        text = plain_text(blocks(width), width)
        if text is not None:
            sys.stdout.write(text)
            return
    out = console()
    fit_width(out, PIPED_WIDTH)
    if wide:
        out.width = max(out.width, WIDE_WIDTH)
    print_rich(blocks(out.width), out)


def register(app: typer.Typer) -> None:
    app.command("plan")(plan_command)
