"""The team file (``team.yaml``, spec 1): a horizon, team-wide settings and workloads with demand.

Documented in ``docs/fleet.md``. Parsing is strict (unknown keys are errors) and every error
names the workload and the field, as :class:`~spicetrader.errors.InputError`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from spicetrader.errors import InputError
from spicetrader.planner.constraints import Tier
from spicetrader.spec.workload import Task, Workload
from spicetrader.units import HOURS_PER_MONTH

__all__ = [
    "Day",
    "JobDemand",
    "Location",
    "ServingDemand",
    "ServingSlot",
    "Team",
    "TeamWorkload",
    "parse_team",
]

MAX_HORIZON_MONTHS = 120
MAX_WORKLOADS = 50
FLEET_TIERS = frozenset({Tier.BUY, Tier.MAC, Tier.RENT})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Day(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAYS = (Day.MON, Day.TUE, Day.WED, Day.THU, Day.FRI)


class Location(StrEnum):
    """Where owned machines live: an office (office PUE, no rent) or a colocation facility."""

    OFFICE = "office"
    COLOCATION = "colocation"


class ServingSlot(_Strict):
    """Hours of the day on some days of the week, with the concurrent users in them."""

    days: tuple[Day, ...] = WEEKDAYS
    start_hour: Annotated[int, Field(ge=0, le=23)] = 9
    end_hour: Annotated[int, Field(ge=1, le=24)] = 18
    users: Annotated[int, Field(ge=1, le=100_000)] = 1

    @model_validator(mode="after")
    def _check(self) -> ServingSlot:
        if self.end_hour <= self.start_hour:
            raise ValueError("end_hour must be after start_hour (a slot within one day)")
        if not self.days:
            raise ValueError("days names no day; accepted: mon, tue, wed, thu, fri, sat, sun")
        return self


class ServingDemand(_Strict):
    """Serving: hours a month (placed on weekdays from 09:00) or a weekly profile of slots."""

    hours_per_month: Annotated[float, Field(gt=0, le=HOURS_PER_MONTH)] | None = None
    profile: tuple[ServingSlot, ...] | None = None
    users: Annotated[int, Field(ge=1, le=100_000)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ServingDemand:
        if (self.hours_per_month is None) == (self.profile is None):
            raise ValueError("give either hours_per_month or profile")
        if self.profile is not None and self.users is not None:
            raise ValueError("users belongs in each profile slot")
        return self

    @property
    def peak_users(self) -> int:
        if self.profile is not None:
            return max(slot.users for slot in self.profile)
        return self.users or 1


class JobDemand(_Strict):
    """Jobs: how many a month (a fraction means "every few months") or the months they run in.

    ``tokens`` (inference volume per job) and ``images`` (per job) size jobs whose workload
    does not say; ``deadline_hours`` is the time one job may take.
    """

    per_month: Annotated[float, Field(gt=0, le=10_000)] | None = None
    months: tuple[Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS)], ...] | None = None
    deadline_hours: Annotated[float, Field(gt=0, le=1e6)] | None = None
    tokens: Annotated[float, Field(gt=0, le=1e15)] | None = None
    images: Annotated[int, Field(ge=1, le=10**9)] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> JobDemand:
        if (self.per_month is None) == (self.months is None):
            raise ValueError("give either per_month or months")
        return self

    def count_in_month(self, month: int) -> float:
        """Jobs in ``month`` (1-based)."""
        if self.months is not None:
            return float(sum(1 for m in self.months if m == month))
        return self.per_month or 0.0


class TeamWorkload(_Strict):
    """One workload of the team: a workload spec, its demand and where it may run."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    workload: Workload
    serving: ServingDemand | None = None
    jobs: JobDemand | None = None
    private: bool = False
    tiers: tuple[Tier, ...] | None = None

    @model_validator(mode="after")
    def _check(self) -> TeamWorkload:
        if (self.serving is None) == (self.jobs is None):
            raise ValueError("give either serving (hours or a weekly profile) or jobs")
        if self.serving is not None and self.workload.task is not Task.INFERENCE:
            raise ValueError(f"serving needs an inference workload, not {self.workload.task}")
        if self.jobs is not None and self.workload.task is Task.INFERENCE and not self.jobs.tokens:
            raise ValueError("an inference job needs jobs.tokens (the volume one job generates)")
        image = self.workload.image
        no_images = image is not None and image.images is None
        if self.jobs is not None and no_images and self.jobs.images is None:
            raise ValueError("an image job needs jobs.images (images per job)")
        if self.tiers is not None and not set(self.tiers) <= FLEET_TIERS:
            raise ValueError("tiers accepts buy, mac and rent (free notebooks are no fleet)")
        if self.private and self.tiers is not None and not set(self.tiers) - {Tier.RENT}:
            raise ValueError("a private workload must be allowed on buy or mac")
        return self

    @property
    def allowed_tiers(self) -> frozenset[Tier]:
        tiers = frozenset(self.tiers) if self.tiers is not None else FLEET_TIERS
        return tiers - {Tier.RENT} if self.private else tiers


class Team(_Strict):
    """A team's workloads over a horizon, with team-wide settings."""

    spec: Literal[1] = 1
    horizon_months: Annotated[int, Field(ge=1, le=MAX_HORIZON_MONTHS)] = 12
    budget_usd: Annotated[float, Field(ge=0, le=1e10)] | None = None
    electricity_usd_per_kwh: Annotated[float, Field(gt=0, le=10)] | None = None
    location: Location = Location.OFFICE
    providers: tuple[str, ...] | None = None
    spot: bool = False
    workloads: Annotated[tuple[TeamWorkload, ...], Field(min_length=1, max_length=MAX_WORKLOADS)]

    @model_validator(mode="after")
    def _check(self) -> Team:
        names = [w.name for w in self.workloads]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"workload names must be unique; repeated: {', '.join(dup)}")
        for w in self.workloads:
            late = [m for m in (w.jobs.months or ()) if m > self.horizon_months] if w.jobs else []
            if late:
                raise ValueError(
                    f"workload {w.name!r}: jobs.months {late} fall after the horizon "
                    f"({self.horizon_months} months)"
                )
        return self


def parse_team(data: Any) -> Team:
    """Validate a team mapping; errors name the workload and the field."""
    if isinstance(data, Team):
        return data
    if not isinstance(data, dict):
        raise InputError(f"a team file holds a mapping, not {type(data).__name__}")
    try:
        return Team.model_validate(data)
    except ValidationError as exc:
        raise InputError(_describe(exc, data)) from None


def _describe(exc: ValidationError, data: dict[str, Any]) -> str:
    parts = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        where = ".".join(str(p) for p in loc) or "team"
        if len(loc) >= 2 and loc[0] == "workloads" and isinstance(loc[1], int):
            name = _workload_name(data, loc[1])
            rest = ".".join(str(p) for p in loc[2:]) or "entry"
            where = f"workload {name!r}: {rest}"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        given = err.get("input")
        shown = "" if isinstance(given, dict | list) or given is None else f" (given {given!r})"
        parts.append(f"{where}: {msg}{shown}")
    return "invalid team: " + "; ".join(parts)


def _workload_name(data: dict[str, Any], index: int) -> str:
    items = data.get("workloads")
    if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
        name = items[index].get("name")
        if isinstance(name, str) and name:
            return name
    return f"#{index + 1}"
