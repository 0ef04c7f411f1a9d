"""Find the configuration that fits on a piece of hardware, estimating each one once.

Offers and systems with the same accelerator and device count differ only in price, so every
distinct (hardware, devices, memory, precision) is estimated once per plan and reused. When
quantization is allowed and the workload does not fit, the precision steps down the ladder
bf16 -> fp8 (only where the accelerator has FP8 tensor cores) -> 8-bit -> 4-bit, trying the
names of each rung in order until the engine accepts one (GGUF ``q8_0``/``q4_k_m`` for
llama.cpp-style engines, ``int8``/``int4``/``awq-4bit`` for the others).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spicetrader.errors import NotSupportedError, UnknownNameError
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["QUANTIZATION_LADDER", "ConfigSearch", "Estimator", "Evaluated", "Unsupported"]

Estimator = Callable[[Workload, "Catalog"], Estimate]
BitsOf = Callable[[str], float]

# Each rung: the names to try, in order; the first the engine accepts is used.
FP8_RUNG: tuple[str, ...] = ("fp8",)
QUANTIZATION_LADDER: tuple[tuple[str, ...], ...] = (
    FP8_RUNG,
    ("int8", "q8_0"),
    ("int4", "q4_k_m", "awq-4bit"),
)


@dataclass(frozen=True, slots=True)
class Evaluated:
    """The chosen configuration's estimate (``fits`` may be False: nothing on the ladder fit)."""

    estimate: Estimate
    quantized: bool  # the precision was lowered from the requested/default one to fit
    requested_precision: str

    @property
    def precision(self) -> str:
        return self.estimate.workload.precision or self.requested_precision


@dataclass(frozen=True, slots=True)
class Unsupported:
    """The hardware cannot run the workload at all (engine, precision or task unsupported)."""

    reason: str


Key = tuple[str, int, float | None, str | None, int]


@dataclass
class ConfigSearch:
    """Estimates configurations for one workload, each distinct one once (a per-plan cache)."""

    workload: Workload
    catalog: Catalog
    estimator: Estimator
    allow_quantization: bool
    bits_of: BitsOf
    _cache: dict[Key, Estimate | Unsupported] = field(default_factory=dict)

    @property
    def estimates_run(self) -> int:
        return len(self._cache)

    def estimate(
        self,
        hardware: str,
        devices: int,
        memory_gb: float | None = None,
        precision: str | None = None,
        nodes: int = 1,
    ) -> Estimate | Unsupported:
        key: Key = (hardware, devices, memory_gb, precision, nodes)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        spec = self.workload.model_copy(
            update={
                "hardware": hardware,
                "devices": devices,
                "nodes": nodes,
                "memory_gb": memory_gb,
                "precision": precision,
                "parallelism": None,
            }
        )
        result: Estimate | Unsupported
        try:
            result = self.estimator(spec, self.catalog)
        except NotSupportedError as exc:
            result = Unsupported(reason=str(exc))
        self._cache[key] = result
        return result

    def evaluate(
        self, hardware: str, devices: int, memory_gb: float | None = None, nodes: int = 1
    ) -> Evaluated | Unsupported:
        """The workload at its own precision, or the first lower rung that fits."""
        first = self.estimate(hardware, devices, memory_gb, self.workload.precision, nodes)
        if isinstance(first, Unsupported):
            return first
        requested = first.workload.precision or self.workload.precision or "default"
        if first.fits or not self.allow_quantization:
            return Evaluated(first, quantized=False, requested_precision=requested)
        lowest = first
        for rung in self._rungs_below(requested, hardware):
            for name in rung:
                trial = self.estimate(hardware, devices, memory_gb, name, nodes)
                if isinstance(trial, Unsupported):
                    continue  # the engine does not take this name: try the rung's next one
                lowest = trial
                if trial.fits:
                    return Evaluated(trial, quantized=True, requested_precision=requested)
                break
        return Evaluated(lowest, quantized=lowest is not first, requested_precision=requested)

    def _rungs_below(self, precision: str, hardware: str) -> list[list[str]]:
        """The ladder's rungs below ``precision``, each with the names of that rung."""
        current = self._bits(precision)
        if current is None:
            return []
        has_fp8 = self.catalog.accelerators[hardware].fp8_tflops is not None
        rungs: list[list[str]] = []
        for rung in QUANTIZATION_LADDER:
            if rung is FP8_RUNG and not has_fp8:
                continue
            names = [n for n in rung if (bits := self._bits(n)) is not None and bits < current]
            if names:
                rungs.append(names)
        return rungs

    def _bits(self, name: str) -> float | None:
        try:
            return self.bits_of(name)
        except UnknownNameError:
            return None
