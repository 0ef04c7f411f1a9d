"""What every tier's option builder shares: the workload, job, constraints and estimates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import (
    DEFAULT_MAX_TTFT_S,
    DEFAULT_MIN_DECODE_TOKENS_PER_S,
    PlanConstraints,
)
from spicetrader.planner.models import Job, JobKind, PlanOption
from spicetrader.planner.search import ConfigSearch, Evaluated
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["Miss", "PlanContext", "RentReference", "TierResult", "Verdict", "fit_notes"]


@dataclass(frozen=True, slots=True)
class Verdict:
    meets_deadline: bool | None
    within_budget: bool | None
    feasible: bool
    fast_enough: bool | None = None  # serving: decodes at the minimum speed or faster


@dataclass(frozen=True, slots=True)
class Miss:
    """A configuration that does not fit (kept to explain "nothing fits").

    ``needs_gb`` and ``memory_gb`` are for all its devices together.
    """

    id: str
    needs_gb: float
    memory_gb: float
    suggestions: tuple[str, ...] = ()

    @classmethod
    def of(cls, option_id: str, estimate: Estimate) -> Miss:
        devices = estimate.workload.device_count
        mem = estimate.memory
        return cls(
            id=option_id,
            needs_gb=mem.per_device_gb * devices,
            memory_gb=mem.capacity_gb * devices,
            suggestions=tuple(estimate.suggestions),
        )


@dataclass(frozen=True, slots=True)
class RentReference:
    """The cheapest rental that does the same work: what buying is compared against."""

    option_id: str
    cost_usd: float
    billed_hours: float


@dataclass
class TierResult:
    """One tier's options, the misses among them, and notes for the plan's assumptions."""

    options: list[PlanOption] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, option: PlanOption) -> None:
        """List ``option``, and keep it among the misses when it does not fit."""
        self.options.append(option)
        if not option.fits:
            self.misses.append(Miss.of(option.id, option.estimate))


def fit_notes(ev: Evaluated, fits: bool, has: str = "has") -> list[str]:
    """Say that the precision was lowered to fit, and what an option that does not fit needs
    (``has``: how the capacity is introduced, e.g. "the GPU has")."""
    notes: list[str] = []
    asked = ev.requested_precision
    if ev.for_speed:
        note = f"quantized to {ev.precision} for speed: {ev.fitting_precision} fits but is too slow"
        notes.append(
            note + (f" (asked {asked})" if ev.asked and asked != ev.fitting_precision else "")
        )
    elif ev.quantized:
        why = f"asked {asked}" if ev.asked else f"the default here, {asked}, does not fit"
        notes.append(f"quantized to {ev.precision} to fit ({why})")
    if not fits:
        mem = ev.estimate.memory
        notes.append(
            f"does not fit: needs {mem.per_device_gb:,.1f} GB per device, "
            f"{has} {mem.capacity_gb:,.1f} GB"
        )
    return notes


@dataclass(frozen=True)
class PlanContext:
    workload: Workload
    catalog: Catalog
    constraints: PlanConstraints
    job: Job
    search: ConfigSearch

    @property
    def min_decode_tokens_per_s(self) -> float | None:
        """The decode speed a serving option needs (``None``: no minimum, or not serving)."""
        if self.job.kind is not JobKind.SERVING:
            return None
        wanted = self.constraints.min_decode_tokens_per_s
        if wanted is None:
            return DEFAULT_MIN_DECODE_TOKENS_PER_S
        return wanted if wanted > 0 else None

    @property
    def max_ttft_s(self) -> float | None:
        """The longest first-token wait a serving option may have when every user asks at
        once (``None``: no limit, or not serving)."""
        if self.job.kind is not JobKind.SERVING:
            return None
        wanted = self.constraints.max_ttft_s
        if wanted is None:
            return DEFAULT_MAX_TTFT_S
        return wanted if wanted > 0 else None

    def fast_enough(self, estimate: Estimate) -> bool | None:
        """Serving: decodes at the floor per user and answers within the first-token limit
        (``None``: nothing to meet, or not serving)."""
        minimum, ceiling = self.min_decode_tokens_per_s, self.max_ttft_s
        if minimum is None and ceiling is None:
            return None
        speed = estimate.inference
        if speed is None:
            return False
        if minimum is not None and (speed.decode_tokens_per_s or 0.0) < minimum:
            return False
        return ceiling is None or (speed.ttft_s or 0.0) <= ceiling

    def slow_reason(self, estimate: Estimate) -> str | None:
        """Why a serving option is too slow, in words (``None`` when it is fast enough)."""
        if self.fast_enough(estimate) is not False:
            return None
        speed = estimate.inference
        minimum, ceiling = self.min_decode_tokens_per_s, self.max_ttft_s
        decode = speed.decode_tokens_per_s if speed is not None else None
        users = self.constraints.users
        who = "per user" if users == 1 else f"per user with {users} users"
        if minimum is not None and (decode or 0.0) < minimum:
            got = f"{decode:,.1f}" if decode else "no"
            return (
                f"decodes {got} tokens/s {who}, below the {minimum:g} needed (--min-tokens-per-s)"
            )
        ttft = speed.ttft_s if speed is not None else None
        when = "" if users == 1 else f" when all {users} users ask at once"
        return (
            f"the first token comes after {ttft or 0.0:,.1f} s{when}, past the "
            f"{ceiling or 0.0:g} s a user waits (--max-ttft-s)"
        )

    def slow_notes(self, verdict: Verdict, estimate: Estimate) -> list[str]:
        """Say why an option is too slow to serve (nothing when it is fast enough)."""
        if verdict.fast_enough is not False:
            return []
        why = self.slow_reason(estimate)
        return [f"too slow: {why}"] if why else []

    def verdict(
        self,
        fits: bool,
        hours: float | None,
        cost_usd: float | None,
        estimate: Estimate | None = None,
    ) -> Verdict:
        """Deadline, budget, serving speed (from ``estimate``) and the overall feasibility of
        one option. Too slow is like late: listed, not feasible."""
        fast: bool | None = None
        if fits and estimate is not None:
            fast = self.fast_enough(estimate)
        meets: bool | None = None
        deadline = self.constraints.deadline_hours
        if deadline is not None and self.job.kind is not JobKind.SERVING:
            meets = hours is not None and hours <= deadline
        within: bool | None = None
        budget = self.constraints.budget_usd
        if budget is not None:
            within = cost_usd is not None and cost_usd <= budget
        feasible = fits and hours is not None and cost_usd is not None
        feasible = feasible and meets is not False and within is not False and fast is not False
        return Verdict(
            meets_deadline=meets, within_budget=within, feasible=feasible, fast_enough=fast
        )
