"""Request bodies of the JSON API that are not already shared contracts.

``POST /api/estimate`` takes a :class:`~spicetrader.spec.workload.Workload` as is.
``POST /api/plan`` takes the same workload document with the plan constraints next to its fields:
``{"model": "llama-3-70b", "usage_hours_per_month": 200, "budget_usd": 5000, "only": ["rent"]}``.
The constraint fields mirror :class:`spicetrader.planner.constraints.PlanConstraints`, which
checks their combinations (an impossible one is an InputError, hence a 422).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from spicetrader.planner.constraints import MAX_MONTHS, MAX_USERS, PlanConstraints, Tier
from spicetrader.spec.workload import Workload
from spicetrader.units import HOURS_PER_MONTH

__all__ = ["CONSTRAINT_FIELDS", "ErrorBody", "PlanConstraintsIn", "PlanRequest"]


class _ConstraintFields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    usage_hours_per_month: Annotated[float, Field(gt=0, le=HOURS_PER_MONTH)] | None = None
    deadline_hours: Annotated[float, Field(gt=0, le=1e7)] | None = None
    budget_usd: Annotated[float, Field(ge=0, le=1e12)] | None = None
    months: Annotated[float, Field(gt=0, le=MAX_MONTHS)] | None = None
    tokens: Annotated[float, Field(gt=0, le=1e18)] | None = None
    images: Annotated[int, Field(ge=1, le=10**12)] | None = None
    only: Annotated[list[Tier], Field(min_length=1, max_length=len(Tier))] | None = None
    spot: bool = False
    private: bool = False
    allow_quantization: bool | None = None
    colocation: bool | None = None
    min_decode_tokens_per_s: Annotated[float, Field(ge=0, le=1e6)] | None = None
    max_ttft_s: Annotated[float, Field(ge=0, le=1e6)] | None = None
    value_of_time_usd_per_hour: Annotated[float, Field(ge=0, le=1e6)] | None = None
    users: Annotated[int, Field(ge=1, le=MAX_USERS)] | None = None


class PlanConstraintsIn(_ConstraintFields):
    """The plan constraints as the web API accepts them."""

    def to_planner(self) -> PlanConstraints:
        """The planner's constraints; raises InputError for an impossible combination."""
        data: dict[str, Any] = self.model_dump(exclude_none=True)
        only = data.pop("only", None)
        return PlanConstraints(only=None if only is None else frozenset(only), **data)


CONSTRAINT_FIELDS = frozenset(PlanConstraintsIn.model_fields)


class PlanRequest(Workload, _ConstraintFields):
    """A workload (workload.md) with the plan constraints next to its fields."""

    def split(self) -> tuple[Workload, PlanConstraintsIn]:
        """The workload and the constraints, each validated by its own model."""
        data = self.model_dump(exclude_none=True)
        constraints = {k: data.pop(k) for k in CONSTRAINT_FIELDS if k in data}
        return Workload.model_validate(data), PlanConstraintsIn.model_validate(constraints)


class ErrorBody(BaseModel):
    """Every error response: what went wrong, in words, plus details where there are some."""

    model_config = ConfigDict(extra="allow")

    error: str = Field(description="the kind of error, e.g. UnknownNameError, ValidationError")
    message: str = Field(description="what was wrong and what is accepted")
    suggestions: list[str] | None = Field(None, description="nearest valid names")
    errors: list[dict[str, Any]] | None = Field(None, description="field paths and messages")
