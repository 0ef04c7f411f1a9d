"""``estimate(spec)``: resolve the workload, size its memory, check the fit, ask the speed model.

Flow: Workload (validated) -> ``resolve`` (names, defaults, checks; ``resolve.py``) -> ``size``
(memory per device, batch: max, ZeRO stage; ``fit.py``/``memory.py``) -> fits? -> the speed side
(``inference.inference_speed`` / ``training.training_speed`` / ``diffusion.image_speed``) ->
:class:`~spicetrader.spec.estimate.Estimate`. A workload that does not fit gets ``fits: false``,
bound ``memory-capacity``, the memory it needs, no speeds and suggestions; never a speed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from spicetrader.costmodel.context import Confidence, SpeedResult
from spicetrader.costmodel.fit import Sized, max_context, size
from spicetrader.costmodel.host import cpu_time_note, is_cpu
from spicetrader.costmodel.memory import breakdown
from spicetrader.costmodel.region import with_doubts
from spicetrader.costmodel.resolve import FetchConfig, named_model, resolve
from spicetrader.costmodel.suggest import suggestions
from spicetrader.errors import InputError
from spicetrader.spec.estimate import Bound, Estimate
from spicetrader.spec.input import workload_of
from spicetrader.spec.workload import Task, Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["estimate"]


def _speed(sized: Sized) -> SpeedResult:
    from spicetrader.costmodel import diffusion, inference, training

    setup = sized.setup
    memory = breakdown(sized.parts, setup.capacity_gb)
    wl = setup.workload
    if wl.task is Task.INFERENCE:
        return inference.inference_speed(setup, sized.batch, memory)
    if wl.task is Task.FINETUNE and wl.finetune is not None:
        tokens = wl.finetune.total_tokens()
        return training.training_speed(setup, tokens or 0.0, memory)
    if wl.task is Task.PRETRAIN and wl.pretrain is not None:
        return training.training_speed(setup, wl.pretrain.tokens or 0.0, memory)
    return diffusion.image_speed(setup, memory)


def _auto_devices(
    workload: Workload, catalog: Catalog, fetch_config: FetchConfig | None
) -> tuple[Workload, str]:
    """``devices: auto``: the fewest devices that fit (``autodevices.smallest_fitting``)."""
    from spicetrader.costmodel.autodevices import smallest_fitting
    from spicetrader.errors import NotSupportedError

    if workload.hardware is None:
        raise InputError("hardware is required: give a catalog id such as rtx-4090 or h100-sxm")
    accel = catalog.accelerators.get(workload.hardware) or catalog.accelerator(workload.hardware)

    def fits(trial: Workload) -> bool:
        try:
            return size(resolve(trial, catalog, fetch_config)).fits
        except NotSupportedError:  # e.g. a given tensor x pipeline that needs more devices
            return False

    chosen, auto = smallest_fitting(workload, accel, fits)
    return chosen, auto.assumption(accel.id)


def estimate(
    spec: Workload | Mapping[str, Any] | str,
    catalog: Catalog | None = None,
    *,
    fetch_config: FetchConfig | None = None,
) -> Estimate:
    """Will ``spec`` fit, how fast will it run: the Estimate of workload.md.

    ``spec`` is a Workload, a mapping in the workload.md format or a model name; ``catalog``
    defaults to the bundled catalog. A model name found by alias or fuzzy match is replaced by
    its id in the estimate's workload; ``model_input`` keeps the name as given.
    ``fetch_config`` (repo id -> parsed ``config.json``) resolves an ``org/name`` model the
    registry does not know; the CLI passes
    :func:`spicetrader.sources.hub.fetch_hf_config`, the core itself never uses the network.
    Raises InputError / UnknownNameError / NotSupportedError for bad input.
    """
    workload, model_input = named_model(workload_of(spec), fetch_config)
    if catalog is None:
        from spicetrader.catalog.load import load_catalog

        catalog = load_catalog()
    if workload.offload is not None:
        from spicetrader.costmodel.offload_estimate import estimate_offload

        return estimate_offload(workload, catalog, fetch_config)
    auto_note: list[str] = []
    if workload.devices == "auto":
        workload, note = _auto_devices(workload, catalog, fetch_config)
        auto_note.append(note)
    resolved = resolve(workload, catalog, fetch_config)
    sized = size(resolved)
    setup = sized.setup
    memory = breakdown(sized.parts, setup.capacity_gb)
    assumptions = [*auto_note, *resolved.assumptions, *sized.notes]
    if not sized.fits:
        assumptions.append(
            f"does not fit: needs {memory.per_device_gb:.1f} GB per device, "
            f"{memory.capacity_gb:.1f} GB usable"
        )
        return Estimate(
            workload=setup.workload,
            fits=False,
            memory=memory,
            bound=Bound.MEMORY_CAPACITY,
            assumptions=assumptions,
            confidence=Confidence.MEDIUM.value,
            suggestions=suggestions(setup, memory.per_device_gb, catalog, fetch_config),
            model_input=model_input,
        )
    speed = with_doubts(setup, _speed(sized))
    if is_cpu(setup.accel):
        assumptions.append(cpu_time_note(setup, memory))
    inference = speed.inference
    if inference is not None:
        inference = inference.model_copy(
            update={"max_context_tokens": max_context(setup, sized.batch), "batch": sized.batch}
        )
    return Estimate(
        workload=setup.workload,
        fits=True,
        memory=memory,
        inference=inference,
        training=speed.training,
        image=speed.image,
        bound=speed.bound,
        assumptions=[*assumptions, *speed.assumptions],
        confidence=speed.confidence,
        calibrated=speed.calibrated,
        model_input=model_input,
    )
