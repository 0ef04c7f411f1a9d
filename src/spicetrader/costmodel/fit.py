"""Does it fit, and what is the most it can take: largest batch, longest context, the ZeRO stage
training needs, and what would make a workload that does not fit fit.

Memory grows monotonically with batch and context (``memory.py``), so the largest value that fits
is found by bisection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from spicetrader.costmodel.memory import Parts, image_parts, inference_parts, training_parts
from spicetrader.costmodel.resolve import with_parallel
from spicetrader.models.arch import Architecture
from spicetrader.spec.workload import Engine, Task

if TYPE_CHECKING:
    from spicetrader.costmodel.context import Setup
    from spicetrader.costmodel.resolve import Resolved

__all__ = [
    "MAX_BATCH",
    "Sized",
    "choose_zero",
    "fits",
    "largest",
    "max_batch",
    "max_context",
    "size",
]

MAX_BATCH: Final = 100_000  # the workload schema's limit
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


def choose_zero(setup: Setup) -> tuple[Setup, str]:
    """The smallest ZeRO stage (0..3) whose training memory fits; stage 3 when none does."""
    par = setup.parallel
    if par.data == 1:
        return setup, ""
    for stage in range(par.zero, 4):
        candidate = with_parallel(setup, par.model_copy(update={"zero": stage}))
        if fits(training_parts(candidate), candidate):
            if stage == par.zero:
                return candidate, ""
            return candidate, f"ZeRO stage {stage}: the smallest sharding that fits (default)"
    last = with_parallel(setup, par.model_copy(update={"zero": 3}))
    return last, "ZeRO stage 3 (default; even full sharding does not fit)"


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
        notes: tuple[str, ...] = ()
        if resolved.choose_zero:
            setup, note = choose_zero(setup)
            notes = (note,) if note else ()
        return Sized(setup, training_parts(setup), 1, notes)
    return Sized(setup, image_parts(setup), 1, ())
