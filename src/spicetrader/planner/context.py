"""What every tier's option builder shares: the workload, job, constraints and estimates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spicetrader.planner.constraints import PlanConstraints
from spicetrader.planner.models import Job, JobKind, PlanOption
from spicetrader.planner.search import ConfigSearch
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog

__all__ = ["Miss", "PlanContext", "RentReference", "TierResult", "Verdict"]


@dataclass(frozen=True, slots=True)
class Verdict:
    meets_deadline: bool | None
    within_budget: bool | None
    feasible: bool


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
        devices = estimate.workload.devices
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


@dataclass(frozen=True)
class PlanContext:
    workload: Workload
    catalog: Catalog
    constraints: PlanConstraints
    job: Job
    search: ConfigSearch

    def verdict(self, fits: bool, hours: float | None, cost_usd: float | None) -> Verdict:
        """Deadline, budget and the overall feasibility of one option."""
        meets: bool | None = None
        deadline = self.constraints.deadline_hours
        if deadline is not None and self.job.kind is not JobKind.SERVING:
            meets = hours is not None and hours <= deadline
        within: bool | None = None
        budget = self.constraints.budget_usd
        if budget is not None:
            within = cost_usd is not None and cost_usd <= budget
        feasible = fits and hours is not None and cost_usd is not None
        feasible = feasible and meets is not False and within is not False
        return Verdict(meets_deadline=meets, within_budget=within, feasible=feasible)
