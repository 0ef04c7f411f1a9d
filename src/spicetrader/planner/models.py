"""The planner's output: ``Plan`` and its ``PlanOption`` rows (``Plan.to_dict()`` is the JSON)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from spicetrader.catalog.staleness import is_stale
from spicetrader.planner.constraints import Tier
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload

__all__ = [
    "FreeTierUse",
    "Job",
    "JobKind",
    "OwnershipSummary",
    "Plan",
    "PlanOption",
    "Recommendation",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JobKind(StrEnum):
    """What the job is: serving for hours a month, or a fixed amount of work."""

    SERVING = "serving"  # inference for usage_hours_per_month over months
    TOKENS = "tokens"  # inference: generate a token volume
    TRAINING = "training"  # finetune / pretrain: the workload's tokens
    IMAGES = "images"  # image generation: a number of images


class Job(_Frozen):
    """The job every option is priced for (defaults filled in and stated)."""

    kind: JobKind
    months: float
    usage_hours_per_month: float
    tokens: float | None = None
    images: int | None = None
    description: str


class OwnershipSummary(_Frozen):
    """The economics of a machine you buy (see ``planner/economics.py`` for the formulas)."""

    purchase_usd: float
    price_as_of: str
    power_typical_w: float
    energy_usd: float
    depreciation_usd_per_month: float
    colocation_usd_per_month: float
    usd_per_month: float
    horizon_months: float
    versus_rent_option: str | None
    rent_usd_per_hour_equivalent: float | None
    break_even_hours_per_month: float | None
    break_even_months: float | None


class FreeTierUse(_Frozen):
    """How a free/low-cost notebook tier copes with the job."""

    session_hours: float
    sessions: int
    within_one_session: bool
    weekly_quota_hours: float | None
    weeks: int | None
    monthly_hours_cap: float | None
    within_quota: bool | None
    months_billed: int


class PlanOption(_Frozen):
    """One way to do the job: a tier, hardware, a configuration, its time and cost."""

    id: str
    tier: Tier
    name: str
    hardware: str
    devices: int
    memory_gb: float | None = None
    precision: str
    quantized: bool = False
    fits: bool
    feasible: bool
    hours: float | None
    request_s: float | None = None  # serving: seconds for one request (TTFT + output / decode)
    calendar_hours: float | None = None  # a job: calendar hours to finish when quotas spread it
    cost_usd: float | None
    price_usd_per_hour: float | None = None
    spot: bool = False
    provider: str | None = None
    cheapest_of_provider: bool = False
    meets_deadline: bool | None = None
    within_budget: bool | None = None
    fast_enough: bool | None = None  # serving: decodes at --min-tokens-per-s or faster
    as_of: str
    sources: tuple[str, ...]
    ownership: OwnershipSummary | None = None
    free_use: FreeTierUse | None = None
    estimate: Estimate
    notes: tuple[str, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stale(self) -> bool:
        """Its price (an offer's, or a purchase price) was read over 180 days ago (in --json)."""
        priced = self.tier in (Tier.RENT, Tier.BUY, Tier.MAC)
        return priced and is_stale(self.as_of, date.today())

    @property
    def finish_hours(self) -> float | None:
        """Calendar hours until a job is done (free tiers wait for their weekly quotas)."""
        return self.calendar_hours if self.calendar_hours is not None else self.hours

    @property
    def time(self) -> float | None:
        """What "faster" compares: seconds per request when serving, else hours to finish."""
        return self.request_s if self.request_s is not None else self.hours

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"estimate"})
        data["estimate"] = self.estimate.to_dict()
        return data


class Recommendation(_Frozen):
    option: str | None
    why: str


class Plan(_Frozen):
    """Every option across the tiers, the recommendation and the (time, cost) Pareto set."""

    workload: Workload
    job: Job
    options: tuple[PlanOption, ...]
    recommendation: Recommendation
    pareto: tuple[str, ...]
    assumptions: tuple[str, ...]
    prices_as_of: str

    def option(self, option_id: str) -> PlanOption:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)

    def by_tier(self, tier: Tier) -> tuple[PlanOption, ...]:
        return tuple(o for o in self.options if o.tier is tier)

    def to_dict(self) -> dict[str, Any]:
        return {
            "workload": self.workload.to_dict(),
            "job": self.job.model_dump(mode="json"),
            "options": [o.to_dict() for o in self.options],
            "recommendation": self.recommendation.model_dump(mode="json"),
            "pareto": list(self.pareto),
            "assumptions": list(self.assumptions),
            "prices_as_of": self.prices_as_of,
        }
