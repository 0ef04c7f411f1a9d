"""Weight formats: bits per weight, compute dtype, engines that load them (``data/precisions.csv``).

``bits_per_weight`` is exact and includes block scales/zeros (GGUF: ``type_size * 8 /
block_size`` of ggml's block structs; GPTQ/AWQ: 4 + 16/128 + 4/128; NF4: 4 + 8/64 + 32/(64*256);
MXFP4: 4 + 8/32; NVFP4: 4 + 8/16). For the GGUF k-quant mixes (``q4_k_m``...) it is the base
tensor type; :func:`spicetrader.models.weights.weight_bytes` applies llama.cpp's per-tensor rules.
ExLlamaV2 formats are written ``exl2-<bpw>`` with 2.0 <= bpw <= 8.0.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from spicetrader.catalog.csvload import read_rows
from spicetrader.catalog.rowbase import AsOf
from spicetrader.errors import InputError, UnknownNameError
from spicetrader.spec.workload import Engine

__all__ = [
    "EXL2_MAX_BPW",
    "EXL2_MIN_BPW",
    "PRECISION_IDS",
    "PrecisionFormat",
    "PrecisionKind",
    "bundled_precisions",
    "resolve_precision",
]

EXL2_MIN_BPW: Final = 2.0
EXL2_MAX_BPW: Final = 8.0
EXL2_HEAD_BITS: Final = 6.0  # exllamav2 convert.py default -hb 6 for the lm_head
_EXL2 = re.compile(r"^exl2[-_ ]?(\d+(?:\.\d+)?)(?:bpw)?$")
_FILE = "precisions.csv"
COLUMNS: Final = (
    "id", "kind", "bits_per_weight", "compute_dtype", "fallback_compute_dtype", "engines", "needs",
    "embedding_format", "lm_head_format", "gguf_type", "aliases", "source", "as_of", "note",
)  # fmt: skip


class PrecisionKind(StrEnum):
    FLOAT = "float"
    INT = "int"
    GGUF = "gguf"
    EXL2 = "exl2"
    GPTQ = "gptq"
    AWQ = "awq"
    BNB = "bnb"
    MX = "mx"


class PrecisionFormat(BaseModel):
    """One weight format. ``embedding_format`` / ``lm_head_format``: the format those tensors
    are really kept in (None = this format); ``fallback_compute_dtype``: what matmuls run in on
    hardware without ``needs`` (weight-only dequantization), None = the format cannot run there.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: Annotated[str, Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")]
    kind: PrecisionKind
    bits_per_weight: Annotated[float, Field(gt=0, le=32, allow_inf_nan=False)]
    compute_dtype: Annotated[str, Field(min_length=1)]
    fallback_compute_dtype: str | None = None
    engines: frozenset[Engine] = frozenset()  # empty = any engine
    needs: str | None = None
    embedding_format: str | None = None
    lm_head_format: str | None = None
    gguf_type: str | None = None  # ggml tensor type of the (base) quantized tensors
    aliases: tuple[str, ...] = ()
    source: Annotated[str, Field(min_length=1)]
    as_of: AsOf  # when the source was read
    note: str = ""

    @property
    def bytes_per_weight(self) -> float:
        return self.bits_per_weight / 8.0

    def supports(self, engine: Engine) -> bool:
        return not self.engines or engine in self.engines

    @field_validator("fallback_compute_dtype", "needs", "embedding_format", "lm_head_format",
                     "gguf_type", mode="before")  # fmt: skip
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class _PrecisionRow(PrecisionFormat):
    """A CSV row: ``engines`` is a ``;``-separated cell (``aliases``, a tuple, is split by
    :func:`parse_rows` itself)."""

    @field_validator("engines", mode="before")
    @classmethod
    def _split_engines(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(";") if part.strip())
        return value


def load_precisions(path: Path) -> tuple[PrecisionFormat, ...]:
    """Strictly load a precision table; errors name the file, line and field."""
    return tuple(
        PrecisionFormat.model_validate(located.row.model_dump())
        for located in read_rows(path, _PrecisionRow, COLUMNS)
    )


@cache
def bundled_precisions() -> Mapping[str, PrecisionFormat]:
    path = Path(str(files("spicetrader.models") / "data" / _FILE))
    return MappingProxyType({fmt.id: fmt for fmt in load_precisions(path)})


PRECISION_IDS: Final = (
    "fp32", "bf16", "fp16", "fp8", "int8", "int4", "nf4", "mxfp4", "fp4", "nvfp4", "q8_0",
    "q6_k", "q5_k_m", "q5_0", "q4_k_m", "q4_0", "q3_k_m", "q2_k", "exl2-<bpw>", "gptq-4bit",
    "awq-4bit",
)  # fmt: skip
"""The user-facing weight formats of the workload spec (``exl2-<bpw>``: any bpw in 2.0..8.0)."""


@cache
def _exact_names() -> Mapping[str, str]:
    """Lower-case ids and aliases -> id (the fast path)."""
    table = bundled_precisions()
    names = {alias.lower(): fmt.id for fmt in table.values() for alias in fmt.aliases}
    names.update({ident: ident for ident in table})
    return MappingProxyType(names)


_MLX_EQUIVALENT: Final = {"int4": "mlx-4bit", "q4_0": "mlx-4bit", "int8": "mlx-8bit"}


def exl2_format(bpw: float) -> PrecisionFormat:
    """An ExLlamaV2 format at ``bpw`` bits per weight (lm_head at 6 bits, embeddings FP16)."""
    if not EXL2_MIN_BPW <= bpw <= EXL2_MAX_BPW:
        raise InputError(
            f"exl2 bits per weight must be between {EXL2_MIN_BPW} and {EXL2_MAX_BPW}, got {bpw:g}"
        )
    return PrecisionFormat(
        id=f"exl2-{bpw:g}",
        kind=PrecisionKind.EXL2,
        bits_per_weight=bpw,
        compute_dtype="fp16",
        engines=frozenset({Engine.EXLLAMAV2}),
        embedding_format="fp16",
        lm_head_format=None if bpw == EXL2_HEAD_BITS else f"exl2-{EXL2_HEAD_BITS:g}",
        source="https://github.com/turboderp-org/exllamav2/blob/master/doc/convert.md",
        as_of="2026-11",
        note="ExLlamaV2 mixed-bit quantization at an average bpw; lm_head at 6 bits (-hb 6); "
        "embeddings FP16.",
    )


def resolve_precision(name: str, engine: Engine | None = None) -> PrecisionFormat:
    """The weight format called ``name`` (case-insensitive; ids, aliases, ``exl2-<bpw>``).

    With ``engine=Engine.MLX``, ``int4``/``q4_0`` mean MLX 4-bit (group 64, 4.5 bpw) and ``int8``
    MLX 8-bit. Unknown names raise :class:`UnknownNameError` with the nearest ids.
    """
    from spicetrader.catalog.names import resolve

    text = name.strip().lower()
    match = _EXL2.match(text)
    if match:
        return exl2_format(float(match.group(1)))
    table = bundled_precisions()
    ident = _exact_names().get(text)
    if ident is None:
        aliases = {alias: fmt.id for fmt in table.values() for alias in fmt.aliases}
        try:
            ident = resolve("precision", text, table.keys(), aliases)
        except UnknownNameError as exc:
            raise UnknownNameError(
                "precision", name, exc.suggestions, hint="accepted: " + ", ".join(PRECISION_IDS)
            ) from None
    if engine is Engine.MLX and ident in _MLX_EQUIVALENT:
        ident = _MLX_EQUIVALENT[ident]
    return table[ident]
