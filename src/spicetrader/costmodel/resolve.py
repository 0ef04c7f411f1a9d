"""Resolve a Workload into a :class:`Setup`: names looked up, defaults filled, combinations
checked. Every default and fallback becomes a sentence in ``assumptions``.

Lookups are cached (``functools.lru_cache`` on immutable keys: model refs and precision names;
exact hardware ids skip name resolution) so that an estimate stays well under a millisecond.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from spicetrader.costmodel.cluster import with_nodes
from spicetrader.costmodel.context import Setup
from spicetrader.costmodel.defaults import default_engine, default_precision
from spicetrader.costmodel.memory_kv import KV_BYTES_PER_ELEMENT
from spicetrader.costmodel.memory_overhead import usable_capacity
from spicetrader.costmodel.parallelism import (
    SHARDING_ENGINES,
    default_parallelism,
    validate_parallelism,
)
from spicetrader.costmodel.validation import (
    check_context,
    check_engine_hardware,
    check_precision,
    check_task_model,
)
from spicetrader.errors import InputError
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import is_bundled, resolve_model
from spicetrader.spec.workload import Engine, Method, Optimizer, Task

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.models.arch import Architecture, DiffusionArchitecture
    from spicetrader.models.precision import PrecisionFormat
    from spicetrader.spec.workload import InlineArchitecture, Parallelism, Workload

__all__ = [
    "FINETUNE_DEFAULT_TOKENS",
    "FetchConfig",
    "Resolved",
    "model_of",
    "named_model",
    "resolve",
    "with_parallel",
]

# repo id -> parsed config.json (the Hugging Face hook of ``resolve_model``; injected at the edge)
FetchConfig = Callable[[str], Mapping[str, Any]]

FINETUNE_DEFAULT_TOKENS: Final = 1.0e8  # workload.md's example; the user should give tokens
CHINCHILLA_TOKENS_PER_PARAM: Final = 20.0  # Hoffmann et al. 2022, "Training Compute-Optimal LLMs"


@dataclass(frozen=True, slots=True)
class Resolved:
    setup: Setup
    assumptions: tuple[str, ...]
    choose_zero: bool  # training layout left to the estimator (smallest ZeRO stage that fits)
    choose_layout: bool = False  # pre-training layout left to the estimator (fit.py)


@lru_cache(maxsize=512)
def model_of(
    ref: str | InlineArchitecture, fetch_config: FetchConfig | None = None
) -> Architecture | DiffusionArchitecture:
    """``resolve_model`` cached per (ref, hook): a Hugging Face config is fetched once per
    process, not once per estimate (errors are not cached)."""
    return resolve_model(ref, fetch_config=fetch_config)


def named_model(
    workload: Workload, fetch_config: FetchConfig | None = None
) -> tuple[Workload, str | None]:
    """The workload with its model named by the bundled id it resolves to ("llama3" ->
    "llama-3-8b"), and the name as given (``None`` for an inline architecture). Files and Hub
    repos keep their name. Raises like :func:`resolve_model` for a name that matches nothing,
    and NotSupportedError for a model of the wrong kind for the task (a text model asked for
    images), so that a plan says so instead of "nothing fits"."""
    ref = workload.model
    if not isinstance(ref, str):
        return workload, None
    arch = model_of(ref, fetch_config)
    check_task_model(workload.task, arch)
    if is_bundled(arch) and arch.id != ref:
        workload = workload.model_copy(update={"model": arch.id})
    return workload, ref


@lru_cache(maxsize=256)
def _precision(name: str, engine: Engine | None = None) -> PrecisionFormat:
    return resolve_precision(name, engine)


def with_parallel(setup: Setup, parallel: Parallelism) -> Setup:
    """The same setup with another layout (written back into the workload too)."""
    return replace(setup, parallel=parallel, workload=setup.workload.model_copy(
        update={"parallelism": parallel}
    ))  # fmt: skip


def resolve(
    workload: Workload, catalog: Catalog, fetch_config: FetchConfig | None = None
) -> Resolved:
    """Look every name up, fill the defaults, check the combination.

    ``fetch_config`` resolves an ``org/name`` model the registry does not know (Hugging Face).
    """
    if workload.hardware is None:
        raise InputError("hardware is required: give a catalog id such as rtx-4090 or h100-sxm")
    # exact ids are the common case (the planner, filled workloads): skip name resolution
    accel = catalog.accelerators.get(workload.hardware) or catalog.accelerator(workload.hardware)
    memory_gb = accel.memory_for(workload.memory_gb)
    arch = model_of(workload.model, fetch_config)
    check_task_model(workload.task, arch)
    notes: list[str] = []
    workload, nodes_note = with_nodes(workload, accel)  # nodes.csv: devices per machine
    if nodes_note:
        notes.append(nodes_note)
    context_note = check_context(workload, arch)
    if context_note:
        notes.append(context_note)

    if workload.precision is None:
        name, why = default_precision(workload, accel, getattr(arch, "native_precision", "bf16"))
        notes.append(why + " (default)")
    else:
        name = workload.precision
    fmt = _precision(name)

    if workload.engine is None:
        engine = default_engine(workload.task, accel, fmt, workload.device_count)
        notes.append(f"engine {engine.value} (default for {accel.id} {workload.task.value})")
    else:
        engine = workload.engine
    if engine is Engine.MLX:
        fmt = _precision(name, engine)  # int4/q4_0/int8 mean MLX's own 4/8-bit formats
    check_engine_hardware(engine, workload.task, accel)
    checked = check_precision(workload, accel, fmt, engine)
    fmt = checked.fmt
    notes.extend(checked.notes)

    choose_zero = False
    # pre-training without a layout: fit.choose_layout picks it (and states it)
    choose_layout = (
        workload.parallelism is None
        and workload.task is Task.PRETRAIN
        and workload.device_count > 1
    )
    if workload.parallelism is None:
        parallel, why = default_parallelism(workload, arch, engine)
        choose_zero = workload.task in (Task.FINETUNE, Task.PRETRAIN) and workload.device_count > 1
        if workload.device_count > 1 and not choose_layout:
            notes.append(f"parallelism: {why} (default)")
    else:
        parallel = validate_parallelism(workload.parallelism, workload, arch)
        training = workload.task in (Task.FINETUNE, Task.PRETRAIN)
        if training and "zero" not in workload.parallelism.model_fields_set and parallel.data > 1:
            if engine in SHARDING_ENGINES:
                parallel = parallel.model_copy(update={"zero": 3})
                notes.append(f"{engine.value} shards parameters, gradients and states (ZeRO-3)")
            else:
                choose_zero = True

    capacity = usable_capacity(accel, memory_gb, engine)
    notes.extend(capacity.assumptions)
    update: dict[str, object] = {
        "hardware": accel.id,
        "precision": fmt.id,
        "engine": engine,
        "parallelism": parallel,
        "memory_gb": memory_gb,
    }
    update.update(_task_defaults(workload, arch, engine, notes))
    filled = workload.model_copy(update=update)
    setup = Setup(
        workload=filled,
        arch=arch,
        accel=accel,
        fmt=fmt,
        engine=engine,
        parallel=parallel,
        devices=workload.device_count,
        nodes=workload.nodes,
        capacity_gb=capacity.usable_gb,
        kv_bytes_per_element=KV_BYTES_PER_ELEMENT[workload.kv_cache],
    )
    return Resolved(setup, tuple(notes), choose_zero, choose_layout)


def _task_defaults(
    workload: Workload,
    arch: Architecture | DiffusionArchitecture,
    engine: Engine,
    notes: list[str],
) -> dict[str, object]:
    """Token counts (and torchtune's optimizer) the training tasks need when not given; an image
    job's resolution and steps from the model when not given."""
    from spicetrader.models.arch import DiffusionArchitecture

    image = workload.image
    if (
        workload.task is Task.IMAGE
        and image is not None
        and isinstance(arch, DiffusionArchitecture)
    ):
        filled: dict[str, object] = {}
        if image.resolution is None:
            filled["resolution"] = arch.reference_resolution
        if image.steps is None:
            filled["steps"] = arch.default_steps
        if filled:
            said = ", ".join(f"{k} {v}" for k, v in filled.items())
            notes.append(f"image {said}: {arch.id}'s own defaults (give image.resolution/steps)")
            return {"image": image.model_copy(update=filled)}
        return {}
    pt = workload.pretrain
    if workload.task is Task.PRETRAIN and pt is not None and pt.tokens is None:
        tokens = CHINCHILLA_TOKENS_PER_PARAM * arch.total_params()
        notes.append(
            f"pretrain tokens {tokens:.3g} = 20 x parameters (Chinchilla-optimal, default)"
        )
        return {"pretrain": pt.model_copy(update={"tokens": tokens})}
    ft = workload.finetune
    if workload.task is not Task.FINETUNE or ft is None:
        return {}
    update: dict[str, object] = {}
    if ft.total_tokens() is None:
        notes.append(
            f"finetune tokens {FINETUNE_DEFAULT_TOKENS:.3g} assumed (give finetune.tokens "
            "or dataset_tokens + epochs)"
        )
        update["tokens"] = FINETUNE_DEFAULT_TOKENS
    single_full = ft.method is Method.FULL and workload.device_count == 1
    if engine is Engine.TORCHTUNE and single_full and "optimizer" not in ft.model_fields_set:
        notes.append(
            "optimizer paged-adamw-8bit with the step fused into backward (torchtune's "
            "single-device full fine-tune recipe, default)"
        )
        update["optimizer"] = Optimizer.PAGED_ADAMW_8BIT
    return {"finetune": ft.model_copy(update=update)} if update else {}
