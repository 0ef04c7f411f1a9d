"""Shared pieces of the model schemas: field patterns, the licence families, a frozen base."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AS_OF", "DATE", "ID", "Frozen", "License", "NonNeg", "Pos"]

# ISO date (YYYY-MM or YYYY-MM-DD); "n/a" for architectures built at run time (inline, imported).
AS_OF = r"^(\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?|n/a)$"
ID = r"^[a-z0-9][a-z0-9._+-]*$"
DATE = r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$"  # a release date, YYYY-MM[-DD]

Pos = Annotated[int, Field(ge=1)]
NonNeg = Annotated[int, Field(ge=0)]


class License(StrEnum):
    """The licence family the weights are released under (what a buyer needs to know first).

    ``apache-2.0`` / ``mit`` / ``modified-mit``: permissive (Kimi K2's MIT asks large products
    to show the name); ``llama`` / ``gemma`` / ``qwen`` / ``deepseek``: the vendor's own
    community licence (commercial use allowed, with an acceptable-use policy and, for Llama, a
    700M-monthly-user cap); ``openrail``: responsible-AI licences with use restrictions (BLOOM,
    Stable Diffusion 1/2/XL); ``stability-community``: free below USD 1M annual revenue (SD 3.5);
    ``non-commercial``: research or non-commercial use only (LLaMA 1, OPT-175B, FLUX.1 [dev]);
    ``other``: read the model card (notes say which).
    """

    APACHE_2 = "apache-2.0"
    MIT = "mit"
    MODIFIED_MIT = "modified-mit"
    LLAMA = "llama"
    GEMMA = "gemma"
    QWEN = "qwen"
    DEEPSEEK = "deepseek"
    OPENRAIL = "openrail"
    STABILITY_COMMUNITY = "stability-community"
    NON_COMMERCIAL = "non-commercial"
    OTHER = "other"


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
