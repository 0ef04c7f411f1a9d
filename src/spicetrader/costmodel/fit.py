"""Does it fit, and what is the most it can take: largest batch, longest context, the ZeRO stage
training needs, and what would make a workload that does not fit fit.

Memory grows monotonically with batch and context (``memory.py``), so the largest value that fits
is found by bisection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from spicetrader.costmodel.memory import Parts, image_parts, inference_parts, training_parts
from spicetrader.costmodel.parallelism import (
    batch_sequences,
    batch_within,
    max_zero,
    training_layouts,
)
from spicetrader.costmodel.resolve import with_parallel
from spicetrader.models.arch import Architecture
from spicetrader.spec.workload import Engine, Task

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.costmodel.resolve import Resolved

__all__ = [
    "MAX_BATCH",
    "Sized",
    "choose_layout",
    "choose_zero",
    "fits",
    "largest",
    "max_batch",
    "max_context",
    "size",
]

MAX_BATCH: Final = 100_000  # the workload schema's limit
_LAYOUTS_COMPARED: Final = 3  # pre-training layouts that fit, compared by speed
# Concurrent sequences the serving engines schedule at most by default (vLLM max_num_seqs = 256).
_ENGINE_MAX_SEQS: Final[dict[Engine, int]] = {Engine.VLLM: 256, Engine.SGLANG: 256}


def fits(parts: Parts, setup: Setup) -> bool:
    return parts.total <= setup.capacity_gb * 1e9


def largest(ok: Callable[[int], bool], hi: int) -> int:
    """The largest n in [1, hi] with ok(n) (ok monotone: true then false), or 0 if none."""
    if not ok(1):
        return 0
    lo = 1
    if ok(hi):
        return hi
    while hi - lo > 1:  # invariant: ok(lo), not ok(hi)
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


def max_batch(setup: Setup, context: int) -> int:
    """The largest batch of ``context``-token sequences whose KV cache fits (0: not even one).

    Capped at the engine's default scheduler limit (vLLM/SGLang: 256 sequences)."""
    cap = min(_ENGINE_MAX_SEQS.get(setup.engine, MAX_BATCH), MAX_BATCH)
    return largest(lambda b: fits(inference_parts(setup, b, context), setup), cap)


def max_context(setup: Setup, batch: int) -> int:
    """The longest context (prompt + output) per sequence that fits at ``batch``, capped at the
    model's ``max_context`` (0: not even one token)."""
    arch = setup.arch
    if not isinstance(arch, Architecture):
        return 0
    return largest(lambda c: fits(inference_parts(setup, batch, c), setup), arch.max_context)


def choose_zero(setup: Setup, deepest: int = 3) -> tuple[Setup, str]:
    """The smallest ZeRO stage (up to ``deepest``) whose training memory fits; the deepest
    stage when none does."""
    par = setup.parallel
    if par.data == 1:
        return setup, ""
    deepest = max(deepest, par.zero)
    for stage in range(par.zero, deepest + 1):
        candidate = with_parallel(setup, par.model_copy(update={"zero": stage}))
        if fits(training_parts(candidate), candidate):
            if stage == par.zero:
                return candidate, ""
            return candidate, f"ZeRO stage {stage}: the smallest sharding that fits (default)"
    last = with_parallel(setup, par.model_copy(update={"zero": deepest}))
    return last, f"ZeRO stage {deepest} (default; even that sharding does not fit)"


def _checkpointing(setup: Setup) -> bool | None:
    wl = setup.workload
    spec = wl.pretrain if wl.task is Task.PRETRAIN else wl.finetune
    return None if spec is None else spec.gradient_checkpointing


def _with_checkpointing(setup: Setup, on: bool) -> Setup:
    wl = setup.workload
    section = "pretrain" if wl.task is Task.PRETRAIN else "finetune"
    spec = wl.pretrain if wl.task is Task.PRETRAIN else wl.finetune
    if spec is None:
        return setup
    filled = spec.model_copy(update={"gradient_checkpointing": on})
    return replace(setup, workload=wl.model_copy(update={section: filled}))


def _describe_layout(setup: Setup) -> str:
    par = setup.parallel
    text = f"tensor {par.tensor} x pipeline {par.pipeline} x data {par.data}"
    return text + (f", ZeRO {par.zero}" if par.zero else "")


def choose_layout(setup: Setup) -> tuple[Setup, tuple[str, ...]]:
    """Pre-training layout (Megatron-LM practice, ``parallelism.training_layouts``): of the
    candidates whose data-parallel ranks each get a whole sequence of the global batch and whose
    memory fits with the engine's deepest ZeRO stage, the first three in order of growing model
    parallelism are compared and the fastest kept (a little more model parallelism pays when
    gradient all-reduces dominate; ties within 1%: the least). None within the batch: the most
    model-parallel candidate, the batch grown. None fitting: the most model-parallel candidate,
    fully sharded."""
    arch = setup.arch
    if not isinstance(arch, Architecture):
        return setup, ()
    wl = setup.workload
    sequences = batch_sequences(wl) or wl.device_count
    candidates = training_layouts(wl, arch, setup.engine)
    within = [p for p in candidates if batch_within(sequences, p.data)] or candidates[-1:]
    limited = len(within) < len(candidates)
    deepest = max_zero(setup.engine)
    best: tuple[float, Setup, str] | None = None
    compared = 0
    for layout in within:
        sharded = with_parallel(
            setup, layout.model_copy(update={"zero": max(deepest, layout.zero)})
        )
        if not fits(training_parts(sharded), sharded):
            continue  # not even the deepest stage fits: skip the shallower ones
        trial, zero_note = choose_zero(with_parallel(setup, layout), deepest)
        speed = _throughput(trial)
        if best is None or speed > best[0] * 1.01:
            best = (speed, trial, zero_note)
        compared += 1
        if compared == _LAYOUTS_COMPARED:
            break
    if best is None:
        trial, zero_note = choose_zero(with_parallel(setup, within[-1]), 3)
    else:
        _, trial, zero_note = best
    why = f"layout {_describe_layout(trial)}: the fastest of the least model-parallel that fit"
    if limited:
        why += f" and gives each data-parallel rank a whole sequence ({sequences} per batch)"
    why += " (tensor parallel within a node, pipeline across; Narayanan et al. 2021; default)"
    return trial, (why, *([zero_note] if zero_note else []))


def _fit_batch(setup: Setup) -> tuple[Setup, str]:
    """Grow a pre-training global batch that gives a data-parallel rank less than a sequence."""
    wl = setup.workload
    pt = wl.pretrain
    sequences = batch_sequences(wl)
    if wl.task is not Task.PRETRAIN or pt is None or sequences is None:
        return setup, ""
    data = setup.parallel.data
    needed = float(max(sequences, data) * pt.seq_len)
    if needed <= pt.global_batch_tokens:
        return setup, ""
    grown = wl.model_copy(update={"pretrain": pt.model_copy(update={
        "global_batch_tokens": needed,
    })})  # fmt: skip
    note = (
        f"global batch raised from {pt.global_batch_tokens:.4g} to {needed:.4g} tokens: one "
        f"{pt.seq_len}-token sequence for each of the {data} data-parallel ranks "
        "(a much larger batch may need more tokens to converge)"
    )
    return replace(setup, workload=grown), note


_MICRO_BATCHES: Final = (1, 2, 4, 8)  # Megatron-Bridge's pre-training recipes run MBS 1-8


def _choose_micro_batch(setup: Setup, recompute: bool, zero: bool) -> tuple[Setup, str]:
    """Pre-training left ``micro_batch`` open: the fastest of 1, 2, 4, 8 sequences that fits and
    that the global batch allows per data-parallel rank (ties within 1%: the smaller); with
    ``recompute`` (checkpointing left open too) a micro-batch may turn recomputation on to fit,
    with ``zero`` (the ZeRO stage left open) shard deeper.
    Larger micro-batches spread the host's launch time per MoE layer over more tokens
    (``moe_training``) and cost a pipeline more bubble (fewer micro-batches per step)."""
    wl = setup.workload
    pt = wl.pretrain
    if wl.task is not Task.PRETRAIN or pt is None or pt.micro_batch is not None:
        return setup, ""
    per_rank = pt.global_batch_tokens / pt.seq_len / max(setup.parallel.data, 1)
    best: tuple[float, Setup] | None = None
    for mbs in _MICRO_BATCHES:
        if mbs > 1 and mbs > per_rank:
            break
        filled = pt.model_copy(update={"micro_batch": mbs})
        trial = replace(setup, workload=wl.model_copy(update={"pretrain": filled}))
        if mbs > 1 and not fits(training_parts(trial), trial) and zero:
            trial, _ = choose_zero(trial, max_zero(trial.engine))
        if mbs > 1 and not fits(training_parts(trial), trial) and recompute:
            trial = _with_checkpointing(trial, True)
            if zero:
                trial, _ = choose_zero(trial, max_zero(trial.engine))
        if mbs > 1 and not fits(training_parts(trial), trial):
            break  # activations grow with the micro-batch
        speed = _throughput(trial)
        if best is None or speed > best[0] * 1.01:
            best = (speed, trial)
    if best is None:  # not reached: one sequence is always tried
        return setup, ""
    chosen = best[1]
    picked = chosen.workload.pretrain
    mbs = picked.micro_batch if picked is not None and picked.micro_batch else 1
    deeper = chosen.parallel.zero != setup.parallel.zero
    return chosen, (
        f"micro-batch {mbs} sequence(s) per device: the fastest of 1, 2, 4, 8 that fits and "
        "the global batch allows (auto; Megatron's --micro-batch-size)"
        + (f", with ZeRO stage {chosen.parallel.zero} to fit it" if deeper else "")
    )


def _memory_needs_pipeline(setup: Setup) -> bool:
    """Whether the widest tensor-parallel layout without pipeline fails to fit in memory."""
    arch = setup.arch
    if setup.parallel.pipeline == 1 or not isinstance(arch, Architecture):
        return False
    flat = [p for p in training_layouts(setup.workload, arch, setup.engine) if p.pipeline == 1]
    widest = flat[-1].model_copy(update={"zero": max(max_zero(setup.engine), flat[-1].zero)})
    trial = with_parallel(setup, widest)
    return not fits(training_parts(trial), trial)


def _throughput(setup: Setup) -> float:
    """Training tokens/s of a fitting setup (its global batch grown as ``_fit_batch`` would)."""
    from spicetrader.costmodel.memory import breakdown
    from spicetrader.costmodel.training import training_speed

    setup, _ = _fit_batch(setup)
    memory = breakdown(training_parts(setup), setup.capacity_gb)
    result = training_speed(setup, 1.0, memory)
    return 0.0 if result.training is None else result.training.tokens_per_s


def _size_training(resolved: Resolved) -> Sized:
    """Layout, ZeRO stage and (when the workload leaves it open) activation checkpointing: off
    unless the workload does not fit without it; with the default pre-training layout, the
    faster of the layouts chosen without and with recomputation (recomputation may let a layout
    with less model parallelism fit)."""
    given = _checkpointing(resolved.setup)
    tries = (False, True) if given is None else (given,)
    found: list[Sized] = []
    for on in tries:
        setup = _with_checkpointing(resolved.setup, on) if given is None else resolved.setup
        notes: tuple[str, ...] = ()
        if resolved.choose_layout:
            setup, notes = choose_layout(setup)
        elif resolved.choose_zero:
            setup, note = choose_zero(setup)
            notes = (note,) if note else ()
        found.append(Sized(setup, training_parts(setup), 1, notes))
        if found[-1].fits and (not resolved.choose_layout or not _memory_needs_pipeline(setup)):
            break  # recomputation could only buy less pipeline parallelism
    fitting = [s for s in found if s.fits]
    sized = (fitting or found)[-1] if len(fitting) < 2 else fitting[0]
    if len(fitting) == 2 and fitting[0].setup.parallel != fitting[1].setup.parallel:
        plain, recomputed = (_throughput(s.setup) for s in fitting)
        sized = fitting[1] if recomputed > plain else fitting[0]
    setup, batch_note = _fit_batch(sized.setup)
    before = _checkpointing(setup)
    setup, micro_note = _choose_micro_batch(
        setup, given is None, resolved.choose_layout or resolved.choose_zero
    )
    notes = sized.notes + tuple(note for note in (batch_note, micro_note) if note)
    if given is None:
        if _checkpointing(setup) and not before:
            notes += ("gradient checkpointing on: the chosen micro-batch fits with it (auto)",)
        elif not _checkpointing(setup):
            notes += ("gradient checkpointing off: it fits without recomputation (auto)",)
        elif fitting and fitting[0] is not sized:
            notes += (
                "gradient checkpointing on: with recomputation the layout "
                f"{_describe_layout(setup)} is faster than {_describe_layout(fitting[0].setup)}"
                " without it (auto)",
            )
        else:
            notes += ("gradient checkpointing on: the activations do not fit without it (auto)",)
    return Sized(setup, training_parts(setup), 1, notes)


@dataclass(frozen=True, slots=True)
class Sized:
    """A resolved setup with its memory: the layout chosen, the batch used, what was assumed."""

    setup: Setup
    parts: Parts
    batch: int  # inference: the batch used (``batch: max`` resolved); else 1
    notes: tuple[str, ...]

    @property
    def fits(self) -> bool:
        return fits(self.parts, self.setup)


def size(resolved: Resolved) -> Sized:
    """Memory of a resolved workload, choosing what the workload left open (batch: max, ZeRO)."""
    setup = resolved.setup
    wl = setup.workload
    if wl.task is Task.INFERENCE and wl.inference is not None:
        spec = wl.inference
        context = spec.prompt_tokens + spec.output_tokens
        if spec.batch == "max":
            batch = max_batch(setup, context)
            if batch == 0:
                return Sized(setup, inference_parts(setup, 1, context), 1, (
                    "batch max: not even one sequence of "
                    f"{context} tokens fits",
                ))  # fmt: skip
            note = (
                f"batch max = {batch}: the most sequences of {context} tokens whose KV cache fits"
                + (f" (capped at {setup.engine.value}'s default max_num_seqs)" if
                   batch == _ENGINE_MAX_SEQS.get(setup.engine) else "")
            )  # fmt: skip
            return Sized(setup, inference_parts(setup, batch, context), batch, (note,))
        return Sized(setup, inference_parts(setup, spec.batch, context), spec.batch, ())
    if wl.task in (Task.FINETUNE, Task.PRETRAIN):
        return _size_training(resolved)
    return Sized(setup, image_parts(setup), 1, ())
