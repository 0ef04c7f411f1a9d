"""What the user allows: deadline, budget, horizon, tiers, spot, privacy, quantization.

Contradictory or impossible constraints raise :class:`~spicetrader.errors.InputError` here,
before any estimate runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import get_type_hints

from spicetrader.errors import InputError
from spicetrader.spec.input import coerce_keywords
from spicetrader.units import HOURS_PER_MONTH

__all__ = [
    "CHOOSABLE_TIERS",
    "DEFAULT_JOB_WINDOW_HOURS",
    "DEFAULT_MIN_DECODE_TOKENS_PER_S",
    "DEFAULT_VALUE_OF_TIME_USD_PER_HOUR",
    "ON_PREM_TIERS",
    "PlanConstraints",
    "Tier",
    "parse_tiers",
]


class Tier(StrEnum):
    """The ways in. ``reference`` is not a choice: it shows what a big cluster would take."""

    BUY = "buy"
    MAC = "mac"
    RENT = "rent"
    FREE = "free"
    REFERENCE = "reference"


CHOOSABLE_TIERS: frozenset[Tier] = frozenset({Tier.BUY, Tier.MAC, Tier.RENT, Tier.FREE})
ON_PREM_TIERS: frozenset[Tier] = frozenset({Tier.BUY, Tier.MAC})
MAX_MONTHS = 120.0
# Interactive serving must keep up with a reader: silent reading runs at ~238 words/min for
# non-fiction (Brysbaert 2019, "How many words do we read per minute? A review and meta-analysis
# of reading rate", J. Memory and Language 109) = ~4 words/s = ~5.3 tokens/s at ~0.75 words per
# token (OpenAI's tokenizer rule of thumb). 10 tokens/s per user is roughly reading speed with
# headroom for skimming; slower output makes a chat feel stalled.
DEFAULT_MIN_DECODE_TOKENS_PER_S = 10.0
# ... and must answer before the user gives up waiting: "10 seconds is about the limit for keeping
# the user's attention focused on the dialogue" (Nielsen, Usability Engineering, 1993, ch. 5.5,
# "Response Times: The 3 Important Limits"). Measured at the planned concurrency, when every user
# sends a prompt at once (the batch's prefill comes first), i.e. the worst wait, not the average.
DEFAULT_MAX_TTFT_S = 10.0
# A job (fine-tune, pre-train, token volume, images) with no --deadline-hours: the recommendation
# prefers options that finish within 30 calendar days, so that "cheapest" never means a free tier
# spread over months of weekly quotas. Options that take longer stay listed and feasible.
DEFAULT_JOB_WINDOW_HOURS = 30 * 24.0
# What an hour of waiting for a job to finish is worth to the user when the recommendation
# weighs cost against calendar time (score = cost + value x calendar hours). Deliberately low:
# waiting is not working time, so the value only has to stop a multi-day chain of free sessions
# from beating a few-dollar rental that finishes today, while a free tier still wins when it is
# truly close (within a few hours). Set your own (your hourly rate) with --value-of-time;
# 0 gives the pure cheapest.
DEFAULT_VALUE_OF_TIME_USD_PER_HOUR = 1.0
MAX_USERS = 100_000


def parse_tiers(text: str) -> frozenset[Tier]:
    """``"buy,mac"`` -> {BUY, MAC}; unknown names raise InputError listing the accepted ones."""
    accepted = ", ".join(sorted(t.value for t in CHOOSABLE_TIERS))
    tiers: set[Tier] = set()
    for part in (p.strip().lower() for p in text.split(",")):
        if not part:
            continue
        try:
            tier = Tier(part)
        except ValueError:
            raise InputError(f"unknown tier {part!r} in --only; accepted: {accepted}") from None
        if tier not in CHOOSABLE_TIERS:
            raise InputError(f"tier {part!r} cannot be chosen with --only; accepted: {accepted}")
        tiers.add(tier)
    if not tiers:
        raise InputError(f"--only names no tier; accepted: {accepted}")
    return frozenset(tiers)


def _check_positive(name: str, value: float | None, upper: float | None = None) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{name} must be a number, given {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a positive number, got {value:g}")
    if upper is not None and value > upper:
        raise InputError(f"{name} must be at most {upper:g}, got {value:g}")


def _check_types(constraints: PlanConstraints) -> None:
    """Exact types before any arithmetic: ``usage_hours_per_month="8"`` is an InputError."""
    for name, kind in _KINDS.items():
        value = getattr(constraints, name)
        if value is None and name not in ("spot", "private"):
            continue
        ok = isinstance(value, bool) if kind is bool else (
            isinstance(value, kind) and not isinstance(value, bool)
        )  # fmt: skip
        if not ok:
            expected = (
                "true or false" if kind is bool else "a whole number" if kind is int else "a number"
            )
            raise InputError(f"{name} must be {expected}, given {value!r:.40}")


@dataclass(frozen=True, slots=True)
class PlanConstraints:
    """Constraints on a plan. ``None`` means "no constraint" or "the stated default".

    - ``usage_hours_per_month``: how many hours a month the GPUs are needed (serving; also the
      use assumed for the buy-vs-rent break-even). At most 730 (a month).
    - ``months``: the planning horizon.
    - ``tokens``: for inference, a token volume to generate instead of serving by the hour.
    - ``images``: for image generation, how many images.
    - ``only``: the tiers to consider (``None``: all four).
    - ``spot``: also price rentals at spot rates (interruptible).
    - ``private``: on-premises only (buy, mac): the data never leaves your hardware.
    - ``allow_quantization``: lower the precision until it fits (``None``: on for inference).
    - ``colocation``: servers pay colocation rent (``None``: servers yes, workstations/Macs no).
    - ``min_decode_tokens_per_s``: serving only: the decode speed one user must see; slower
      options are listed as too slow and not recommended (``None``: 10, roughly reading speed;
      ``0``: no minimum).
    - ``max_ttft_s``: serving only: the longest wait for the first token when all ``users``
      send a prompt at once; longer waits are too slow (``None``: 10 s; ``0``: no limit).
    - ``value_of_time_usd_per_hour``: what an hour of waiting for a job is worth; the
      recommendation minimises cost + value x calendar hours (``0``: the pure cheapest).
    - ``users``: serving only: concurrent users, the batch each option serves; the speed floor
      applies to the decode speed each of them sees.
    """

    usage_hours_per_month: float | None = None
    deadline_hours: float | None = None
    budget_usd: float | None = None
    months: float | None = None
    tokens: float | None = None
    images: int | None = None
    only: frozenset[Tier] | None = None
    spot: bool = False
    private: bool = False
    allow_quantization: bool | None = None
    colocation: bool | None = None
    min_decode_tokens_per_s: float | None = None
    max_ttft_s: float | None = None
    value_of_time_usd_per_hour: float = DEFAULT_VALUE_OF_TIME_USD_PER_HOUR
    users: int = 1

    def __post_init__(self) -> None:
        _check_types(self)
        _check_positive("usage_hours_per_month", self.usage_hours_per_month, HOURS_PER_MONTH)
        _check_positive("deadline_hours", self.deadline_hours)
        _check_positive("months", self.months, MAX_MONTHS)
        _check_positive("tokens", self.tokens, 1e18)
        speed = self.min_decode_tokens_per_s
        if speed is not None and (not math.isfinite(speed) or speed < 0 or speed > 1e6):
            raise InputError(
                f"min_decode_tokens_per_s must be between 0 (no minimum) and 1e6, got {speed:g}"
            )
        wait = self.max_ttft_s
        if wait is not None and (not math.isfinite(wait) or wait < 0 or wait > 1e6):
            raise InputError(f"max_ttft_s must be between 0 (no limit) and 1e6, got {wait:g}")
        value = self.value_of_time_usd_per_hour
        if not math.isfinite(value) or value < 0 or value > 1e6:
            raise InputError(f"value_of_time_usd_per_hour must be between 0 and 1e6, got {value:g}")
        if isinstance(self.users, bool) or not 1 <= self.users <= MAX_USERS:
            raise InputError(f"users must be between 1 and {MAX_USERS:,}, got {self.users}")
        if self.images is not None and self.images < 1:
            raise InputError(f"images must be at least 1, got {self.images}")
        if self.budget_usd is not None and (
            not math.isfinite(self.budget_usd) or self.budget_usd < 0
        ):
            raise InputError(f"budget_usd must be zero or more, got {self.budget_usd:g}")
        if self.only is not None:
            if not self.only:
                raise InputError("only names no tier; accepted: buy, free, mac, rent")
            if not self.only <= CHOOSABLE_TIERS:
                raise InputError("only accepts the tiers buy, free, mac, rent")
        if self.private and self.only is not None and not self.only & ON_PREM_TIERS:
            chosen = ",".join(sorted(t.value for t in self.only))
            raise InputError(
                f"--private keeps the work on your own hardware (buy, mac) but --only {chosen} "
                "allows none of them; drop --private or choose buy/mac"
            )
        if self.spot and Tier.RENT not in self.tiers:
            raise InputError(
                "--spot prices rentals, but renting is excluded (--private or --only); "
                "drop --spot or allow the rent tier"
            )

    @property
    def tiers(self) -> frozenset[Tier]:
        """The choosable tiers left after ``only`` and ``private``."""
        tiers = CHOOSABLE_TIERS if self.only is None else self.only
        return tiers & ON_PREM_TIERS if self.private else tiers

    @classmethod
    def of(cls, only: str | Iterable[str] | None = None, **kw: object) -> PlanConstraints:
        """Build from loose keyword values (``only="buy,rent"`` or a list of names; numbers
        and yes/no given as text are read as such, anything else raises InputError)."""
        names = {f.name for f in fields(cls)} - {"only"}
        unknown = sorted(set(kw) - names)
        if unknown:
            raise InputError(
                f"unknown plan constraint(s) {', '.join(unknown)}; accepted: only, "
                + ", ".join(sorted(names))
            )
        kw = coerce_keywords(get_type_hints(cls), kw)  # "8" -> 8.0, "yes" -> True
        tiers: frozenset[Tier] | None
        if only is None:
            tiers = None
        elif isinstance(only, str):
            tiers = parse_tiers(only)
        elif isinstance(only, Iterable):
            tiers = parse_tiers(",".join(str(t) for t in only))
        else:
            raise InputError(f"only takes tier names (buy, mac, rent, free), given {only!r}")
        return cls(only=tiers, **kw)  # type: ignore[arg-type]


_KINDS: dict[str, type | tuple[type, ...]] = {
    "usage_hours_per_month": (int, float), "deadline_hours": (int, float),
    "budget_usd": (int, float), "months": (int, float), "tokens": (int, float), "images": int,
    "spot": bool, "private": bool, "allow_quantization": bool, "colocation": bool,
    "min_decode_tokens_per_s": (int, float), "value_of_time_usd_per_hour": (int, float),
    "users": int, "max_ttft_s": (int, float),
}  # fmt: skip
