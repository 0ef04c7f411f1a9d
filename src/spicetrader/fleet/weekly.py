"""A typical week: when each serving workload runs, grouped into blocks of hours alike.

Serving demand is placed on the 168 hours of a week: a weekly ``profile`` as given, or
``hours_per_month`` spread over weekdays from 09:00 (over all seven days when weekdays alone
cannot hold it). Hours in which the same workloads run at the same intensity form one *block*;
owned capacity is checked block by block, so two workloads served at the same time of day cannot
share one machine, while one served by day and one by night can. Hours a month = hours a week
x (730 / 168) weeks a month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spicetrader.fleet.team import WEEKDAYS, Day, ServingDemand
from spicetrader.units import HOURS_PER_MONTH

__all__ = ["HOURS_PER_WEEK", "WEEKS_PER_MONTH", "Block", "activity", "blocks"]

HOURS_PER_WEEK = 168
WEEKS_PER_MONTH = HOURS_PER_MONTH / HOURS_PER_WEEK
DEFAULT_START_HOUR = 9
_DAY_INDEX = {day: i for i, day in enumerate(Day)}


@dataclass(frozen=True, slots=True)
class Block:
    """Hours of the week with the same serving activity: ``demand[i]`` is workload i's share
    of each hour (0 to 1); ``hours_per_month`` the block's length in a month."""

    hours_of_week: tuple[int, ...]
    demand: tuple[float, ...]

    @property
    def hours_per_month(self) -> float:
        return len(self.hours_of_week) * WEEKS_PER_MONTH

    def demand_hours_per_month(self, index: int) -> float:
        """Instance-hours a month that serving workload ``index`` needs in this block."""
        return self.demand[index] * self.hours_per_month


def activity(serving: ServingDemand) -> tuple[float, ...]:
    """The share (0 to 1) of each of the 168 hours of the week that the service runs."""
    week = [0.0] * HOURS_PER_WEEK
    if serving.profile is not None:
        for slot in serving.profile:
            for day in slot.days:
                base = _DAY_INDEX[day] * 24
                for hour in range(slot.start_hour, slot.end_hour):
                    week[base + hour] = 1.0
        return tuple(week)
    hours = serving.hours_per_month or 0.0
    days: Sequence[Day] = WEEKDAYS
    per_day = hours / (len(days) * WEEKS_PER_MONTH)
    if per_day > 24:
        days = tuple(Day)
        per_day = hours / (len(days) * WEEKS_PER_MONTH)
    for day in days:
        left = min(per_day, 24.0)
        hour = DEFAULT_START_HOUR
        base = _DAY_INDEX[day] * 24
        while left > 1e-12:
            share = min(1.0, left)
            week[(base + hour) % HOURS_PER_WEEK] += share
            left -= share
            hour += 1
    return tuple(min(1.0, h) for h in week)


def blocks(activities: Sequence[tuple[float, ...]]) -> tuple[Block, ...]:
    """Group the hours of the week by the serving workloads' activity (idle hours included,
    as the block with all zeros, so that the blocks cover the whole week)."""
    groups: dict[tuple[float, ...], list[int]] = {}
    for hour in range(HOURS_PER_WEEK):
        key = tuple(round(a[hour], 9) for a in activities)
        groups.setdefault(key, []).append(hour)
    return tuple(Block(hours_of_week=tuple(h), demand=key) for key, h in groups.items())
