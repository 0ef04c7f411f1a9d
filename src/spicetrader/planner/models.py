"""The planner's output: ``Plan`` and its ``PlanOption`` rows (``Plan.to_dict()`` is the JSON)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, computed_field

from spicetrader.catalog.staleness import is_stale
from spicetrader.planner.constraints import Tier
from spicetrader.spec.estimate import Estimate
from spicetrader.spec.prices import PricesInfo
from spicetrader.spec.workload import Workload

__all__ = [
    "FreeTierUse",
    "Job",
    "JobKind",
    "OptionStatus",
    "OwnershipSummary",
    "Pick",
    "PickName",
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


class OptionStatus(StrEnum):
    """Whether an option can be chosen, and if not, the first reason why (``planner/status.py``)."""

    OK = "ok"
    DOES_NOT_FIT = "does_not_fit"
    TRY_ONLY = "try_only"  # a notebook tier for serving: fine to try the model, not to serve it
    TOO_SLOW = "too_slow"  # serving: decodes below the speed floor per user
    MISSES_DEADLINE = "misses_deadline"
    IMPRACTICAL = "impractical"  # a job that takes longer than the job window (30 days)
    OVER_BUDGET = "over_budget"


class PickName(StrEnum):
    """The named picks of a plan, in the order they are shown."""

    RECOMMENDED = "recommended"
    CHEAPEST = "cheapest"
    FASTEST = "fastest"
    BEST_OWNED = "best_owned"
    BEST_RENTAL = "best_rental"
    FREE_TO_TRY = "free_to_try"


class Job(_Frozen):
    """The job every option is priced for (defaults filled in and stated)."""

    kind: JobKind
    months: float
    usage_hours_per_month: float
    tokens: float | None = None
    images: int | None = None
    description: str


class OwnershipSummary(_Frozen):
    """The economics of a machine you buy (see ``planner/economics.py`` for the formulas).

    ``cash_out_usd`` = purchase + energy + colocation over ``horizon_months``; ``value_left_usd``
    = its straight-line book value at the end; ``net_cost_usd`` = cash out - value left, the
    figure that ranks owned options. ``job_share_usd`` (one-off jobs): energy plus the
    depreciation and colocation of the hours the job uses, the option's ``cost_usd``.
    ``versus_rent_option``: the cheapest usable comparable rental the break-even is against;
    ``break_even_never_reason`` says why there is no break-even figure.
    """

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
    cash_out_usd: float
    value_left_usd: float
    net_cost_usd: float
    job_share_usd: float | None = None
    break_even_never_reason: str | None = None


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
    feasible: bool  # status is ok: the recommendation may choose it
    status: OptionStatus = OptionStatus.OK
    status_reason: str | None = None
    quantized_for_speed: bool = False  # a lower precision than the highest that fits, for speed
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
    per_user_tokens_per_s: float | None = None  # serving: decode speed each of --users sees
    as_of: str
    sources: tuple[str, ...]
    ownership: OwnershipSummary | None = None
    free_use: FreeTierUse | None = None
    estimate: Estimate
    notes: tuple[str, ...] = ()
    # False: a machine no longer sold new, priced at its last list price (planner/buy.py)
    sold_new: bool = True

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
    def rank_cost_usd(self) -> float | None:
        """The cost that ranks options: an owned machine's net cost of ownership over the
        horizon (cash out - value left), else the job's cost."""
        return self.ownership.net_cost_usd if self.ownership is not None else self.cost_usd

    @property
    def time(self) -> float | None:
        """What "faster" compares: seconds per request when serving, else hours to finish."""
        return self.request_s if self.request_s is not None else self.hours

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"estimate"})
        data["estimate"] = self.estimate.to_dict()
        return data

    def __repr__(self) -> str:
        from spicetrader.render.summary import option_repr

        return option_repr(self)

    __str__ = __repr__


class Recommendation(_Frozen):
    option: str | None
    why: str


class Pick(_Frozen):
    """One named pick: the option and why (what was traded against the others)."""

    option: str
    reason: str


class Plan(_Frozen):
    """Every option across the tiers, the recommendation and the (time, cost) Pareto set."""

    workload: Workload
    job: Job
    options: tuple[PlanOption, ...]
    recommendation: Recommendation
    picks: dict[PickName, Pick] = {}
    pareto: tuple[str, ...]
    assumptions: tuple[str, ...]
    prices_as_of: str
    model_input: str | None = None  # the model name as given (workload.model: the id it found)
    prices: PricesInfo | None = None  # where the prices came from (set by spicetrader.plan())

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
            "picks": {
                name.value: pick.model_dump(mode="json") for name, pick in self.picks.items()
            },
            "pareto": list(self.pareto),
            "assumptions": list(self.assumptions),
            "prices_as_of": self.prices_as_of,
            "model_input": self.model_input,
            **({} if self.prices is None else {"prices": self.prices.to_dict()}),
        }

    def __repr__(self) -> str:
        from spicetrader.render.summary import plan_repr

        return plan_repr(self)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        from spicetrader.render.notebook import plan_html

        return plan_html(self)

    def to_records(self) -> list[dict[str, Any]]:
        """One flat row per option, in the plan's order (for pandas, CSV, a spreadsheet)."""
        from spicetrader.render.records import plan_records

        return plan_records(self)

    def to_pandas(self) -> Any:
        """``to_records()`` as a pandas DataFrame indexed by option id (needs pandas)."""
        from spicetrader.render.records import to_dataframe

        return to_dataframe(self.to_records(), index="id")
