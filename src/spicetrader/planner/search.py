"""Find the configuration that fits on a piece of hardware, estimating each one once.

Offers and systems with the same accelerator and device count differ only in price, so every
distinct (hardware, devices, memory, precision) is estimated once per plan and reused. When
quantization is allowed and the workload does not fit, the precision steps down the ladder
bf16 -> fp8 (only where the accelerator has FP8 tensor cores) -> 8-bit -> 4-bit, trying the
names of each rung in order until the engine accepts one (GGUF ``q8_0``/``q4_k_m`` for
llama.cpp-style engines, ``int8``/``int4``/``awq-4bit`` for the others).

With a :class:`SpeedGoal` (serving's speed floor, a job's deadline or window), the precision is
the highest that fits *and* meets the goal: when the highest that fits is too slow, the ladder
goes on down, and the option says it was quantized for speed. When no rung meets the goal, the
fastest rung is kept (it is the closest; the option is still marked too slow or late).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spicetrader.errors import NotSupportedError, UnknownNameError
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = [
    "QUANTIZATION_LADDER",
    "ConfigSearch",
    "Estimator",
    "Evaluated",
    "SpeedGoal",
    "TooBig",
    "Unsupported",
    "WeightsOf",
]

Estimator = Callable[[Workload, "Catalog"], Estimate]
BitsOf = Callable[[str], float]
WeightsOf = Callable[
    [str], "float | None"
]  # precision -> GB of the model's weights (None: unknown)

# Each rung: the names to try, in order; the first the engine accepts is used.
FP8_RUNG: tuple[str, ...] = ("fp8",)
QUANTIZATION_LADDER: tuple[tuple[str, ...], ...] = (
    FP8_RUNG,
    ("int8", "q8_0"),
    ("int4", "q4_k_m", "awq-4bit"),
)


@dataclass(frozen=True, slots=True)
class SpeedGoal:
    """What "fast enough" means for this plan: ``meets`` the goal, and ``rate`` (higher is
    faster) to keep the closest rung when none meets it."""

    meets: Callable[[Estimate], bool]
    rate: Callable[[Estimate], float]


@dataclass(frozen=True, slots=True)
class Evaluated:
    """The chosen configuration's estimate (``fits`` may be False: nothing on the ladder fit)."""

    estimate: Estimate
    quantized: bool  # the precision was lowered from the requested/default one
    requested_precision: str
    # the user gave ``requested_precision`` (else it is the estimator's default on this hardware)
    asked: bool = False
    # lowered below ``fitting_precision`` (the highest that fits) to meet the speed goal
    for_speed: bool = False
    fitting_precision: str | None = None

    @property
    def precision(self) -> str:
        return self.estimate.workload.precision or self.requested_precision


@dataclass(frozen=True, slots=True)
class Unsupported:
    """The hardware cannot run the workload at all (engine, precision or task unsupported)."""

    reason: str


@dataclass(frozen=True, slots=True)
class TooBig:
    """The weights alone exceed the memory of all devices at every precision allowed (found
    without running an estimate)."""

    weights_gb: float
    memory_gb: float  # all devices together


Key = tuple[str, int, float | None, str | None, int]


@dataclass
class ConfigSearch:
    """Estimates configurations for one workload, each distinct one once (a per-plan cache)."""

    workload: Workload
    catalog: Catalog
    estimator: Estimator
    allow_quantization: bool
    bits_of: BitsOf
    weights_of: WeightsOf = lambda _name: None
    speed_goal: SpeedGoal | None = None
    # the format the model was released in (Architecture.native_precision); a quantized release
    # (gpt-oss: MXFP4) is served as released, never re-quantized further down the ladder
    native_precision: str = "bf16"
    _cache: dict[Key, Estimate | Unsupported] = field(default_factory=dict)
    # whole evaluations (the ladder walk) per (hardware, devices, memory, nodes, need_estimate):
    # offers on the same hardware differ only in price, so most are answered from here
    _evaluated: dict[tuple[Key, bool], Evaluated | Unsupported | TooBig] = field(
        default_factory=dict
    )
    _bits_cache: dict[str, float | None] = field(default_factory=dict)
    _weights_cache: dict[str, float | None] = field(default_factory=dict)

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
        """The best configuration on this hardware, always with an estimate."""
        result = self._evaluate(hardware, devices, memory_gb, nodes, need_estimate=True)
        if isinstance(result, TooBig):  # never: need_estimate=True always estimates
            raise TypeError("unreachable")
        return result

    def evaluate_if_possible(
        self, hardware: str, devices: int, memory_gb: float | None = None
    ) -> Evaluated | Unsupported | TooBig:
        """Like :meth:`evaluate`, but answers :class:`TooBig` without estimating when the
        weights alone cannot fit."""
        return self._evaluate(hardware, devices, memory_gb, 1, need_estimate=False)

    def _evaluate(
        self,
        hardware: str,
        devices: int,
        memory_gb: float | None,
        nodes: int,
        need_estimate: bool,
    ) -> Evaluated | Unsupported | TooBig:
        """The workload at its own precision, or the first lower rung that fits.

        Rungs whose weights alone exceed the devices' memory are skipped without an estimate;
        when every precision allowed is too big, ``need_estimate=False`` returns
        :class:`TooBig` at once (rentals that cannot fit are not listed anyway), otherwise the
        requested precision is estimated once to say how far off it is.
        """
        key = ((hardware, devices, memory_gb, None, nodes), need_estimate)
        if (known := self._evaluated.get(key)) is None:
            known = self._evaluated[key] = self._walk(
                hardware, devices, memory_gb, nodes, need_estimate
            )
        return known

    def _walk(
        self,
        hardware: str,
        devices: int,
        memory_gb: float | None,
        nodes: int,
        need_estimate: bool,
    ) -> Evaluated | Unsupported | TooBig:
        total_gb = self._memory_gb(hardware, memory_gb) * devices
        lowest_weights = self._lowest_weights_gb()
        hopeless = lowest_weights is not None and lowest_weights > total_gb
        if hopeless and not need_estimate and lowest_weights is not None:
            return TooBig(weights_gb=lowest_weights, memory_gb=total_gb)
        if self.allow_quantization and not hopeless:
            # the requested precision's weights alone overflow: try the lower rungs first and
            # estimate the requested one only when none of them fits (it then says how far off)
            ahead = self._predicted_precision(hardware)
            ahead_weights = None if ahead is None else self._weights(ahead)
            if ahead is not None and ahead_weights is not None and ahead_weights > total_gb:
                chain = self._ladder(ahead, hardware, devices, memory_gb, nodes, total_gb)
                found = next((trial for trial in chain if trial.fits), None)
                if found is not None:
                    return self._for_speed(found, chain, ahead, quantized=True)
        first = self.estimate(hardware, devices, memory_gb, self.workload.precision, nodes)
        if isinstance(first, Unsupported):
            return first
        requested = first.workload.precision or self.workload.precision or "default"
        asked = self.workload.precision is not None
        if not self.allow_quantization or (hopeless and not first.fits):
            return Evaluated(first, quantized=False, requested_precision=requested, asked=asked)
        chain = self._ladder(requested, hardware, devices, memory_gb, nodes, total_gb)
        fitting: Estimate | None = first if first.fits else None
        lowest = first
        if fitting is None:
            for trial in chain:
                lowest = trial
                if trial.fits:
                    fitting = trial
                    break
        if fitting is None:
            return Evaluated(
                lowest, quantized=lowest is not first, requested_precision=requested, asked=asked
            )
        return self._for_speed(fitting, chain, requested, quantized=fitting is not first)

    def _for_speed(
        self, fitting: Estimate, chain: Iterator[Estimate], requested: str, quantized: bool
    ) -> Evaluated:
        """``fitting`` (the highest precision that fits), or a lower rung of ``chain`` when
        ``fitting`` is too slow for the plan's speed goal and the lower one is faster."""
        asked = self.workload.precision is not None
        chosen = Evaluated(fitting, quantized=quantized, requested_precision=requested, asked=asked)
        goal = self.speed_goal
        if goal is None or goal.meets(fitting):
            return chosen
        best = fitting
        for trial in chain:  # the rungs below the highest that fits, while it is too slow
            if not trial.fits:
                continue
            if goal.meets(trial) or goal.rate(trial) > goal.rate(best):
                best = trial
            if goal.meets(trial):
                break
        if best is fitting:
            return chosen
        return Evaluated(
            best,
            quantized=True,
            requested_precision=requested,
            asked=asked,
            for_speed=True,
            fitting_precision=fitting.workload.precision or requested,
        )

    def _ladder(
        self,
        precision: str,
        hardware: str,
        devices: int,
        memory_gb: float | None,
        nodes: int,
        total_gb: float,
    ) -> Iterator[Estimate]:
        """One estimate per rung below ``precision`` (the first name the engine accepts),
        highest first, skipping rungs whose weights alone cannot fit; lazily, so that rungs
        below the one chosen are never estimated."""
        for rung in self._rungs_below(precision, hardware):
            for name in rung:
                weights = self._weights(name)
                if weights is not None and weights > total_gb:
                    break  # this rung's weights alone do not fit: the next rung
                trial = self.estimate(hardware, devices, memory_gb, name, nodes)
                if isinstance(trial, Unsupported):
                    continue  # the engine does not take this name: try the rung's next one
                yield trial
                break

    def _predicted_precision(self, hardware: str) -> str | None:
        """The precision the estimator will pick for this hardware (the workload's, or the
        cost model's default), without running an estimate."""
        if self.workload.precision is not None:
            return self.workload.precision
        from spicetrader.costmodel.defaults import default_precision

        try:
            accel = self.catalog.accelerators[hardware]
            return default_precision(self.workload, accel, self.native_precision)[0]
        except (NotSupportedError, UnknownNameError, KeyError):
            return None

    def _memory_gb(self, hardware: str, memory_gb: float | None) -> float:
        return self.catalog.accelerators[hardware].memory_for(memory_gb)

    def _lowest_weights_gb(self) -> float | None:
        """A lower bound of the weights over every precision this plan may use."""
        names = [n for rung in QUANTIZATION_LADDER for n in rung]
        if self.workload.precision is not None:
            names = (
                [self.workload.precision, *names]
                if self.allow_quantization
                else [self.workload.precision]
            )
        sizes = [w for n in names if (w := self._weights(n)) is not None]
        return min(sizes) if sizes else None

    def _weights(self, name: str) -> float | None:
        if name not in self._weights_cache:
            self._weights_cache[name] = self.weights_of(name)
        return self._weights_cache[name]

    def _rungs_below(self, precision: str, hardware: str) -> list[list[str]]:
        """The ladder's rungs below ``precision``, each with the names of that rung."""
        current = self._bits(precision)
        if current is None:
            return []
        native = self._bits(self.native_precision)
        if native is not None and native < 16 and self._release_is_final():
            # gpt-oss's MXFP4 has no other quant (its GGUF is the MXFP4 file) and engines load it
            # as it is (sources/launch_weights.py): the only step down from a 16-bit upcast is
            # back to the release
            return [[self.native_precision]] if native < current else []
        has_fp8 = self.catalog.accelerators[hardware].fp8_tflops is not None
        rungs: list[list[str]] = []
        for rung in QUANTIZATION_LADDER:
            if rung is FP8_RUNG and not has_fp8:
                continue
            names = [n for n in rung if (bits := self._bits(n)) is not None and bits < current]
            if names:
                rungs.append(names)
        return rungs

    def _release_is_final(self) -> bool:
        """The model's quantized release is the lowest format it comes in (MXFP4: gpt-oss); FP8
        releases (DeepSeek, Kimi K2) also come as community INT4/GGUF quants below it."""
        from spicetrader.models.precision import PrecisionKind, resolve_precision

        try:
            return resolve_precision(self.native_precision).kind is PrecisionKind.MX
        except UnknownNameError:
            return False

    def _bits(self, name: str) -> float | None:
        if name not in self._bits_cache:
            try:
                self._bits_cache[name] = self.bits_of(name)
            except UnknownNameError:
                self._bits_cache[name] = None
        return self._bits_cache[name]
