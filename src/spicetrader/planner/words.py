"""How a plan words money and time (one place, so every reason reads the same)."""

from __future__ import annotations

from spicetrader.planner.models import PlanOption

__all__ = ["money", "speed_words"]


def money(usd: float) -> str:
    return f"${usd:,.0f}" if usd >= 100 else f"${usd:,.2f}"


def speed_words(option: PlanOption) -> str:
    if option.request_s is not None:
        return f"{option.request_s:,.1f} s per request"
    hours = option.finish_hours or 0.0
    return f"{hours:,.1f} h" if hours < 48 else f"{hours / 24:,.1f} days"
