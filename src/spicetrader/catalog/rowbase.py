"""Shared pieces of catalog rows: constrained field types and the sourced, dated base model."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AS_OF",
    "AsOf",
    "CatalogRow",
    "Id",
    "NonEmpty",
    "NonNegativeFloat",
    "PositiveFloat",
    "PositiveInt",
]

AS_OF = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_ID = re.compile(r"^[a-z0-9][a-z0-9.+_:-]*$")

Id = Annotated[str, Field(min_length=1, pattern=_ID.pattern)]
NonEmpty = Annotated[str, Field(min_length=1)]
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]
AsOf = Annotated[str, Field(pattern=AS_OF.pattern)]  # an ISO date, YYYY-MM or YYYY-MM-DD


class CatalogRow(BaseModel):
    """Base of every catalog row: frozen, no unknown fields, sourced and dated."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    source: NonEmpty
    as_of: NonEmpty

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if not AS_OF.match(value):
            raise ValueError(f"expected an ISO date YYYY-MM or YYYY-MM-DD, got {value!r}")
        return value
