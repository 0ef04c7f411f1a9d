"""Free-tier arithmetic by hand: sessions, weekly quota, compute-unit months."""

from __future__ import annotations

import pytest
from planner_fakes import FREE_TIERS

from spicetrader.planner.free import WEEKS_PER_MONTH, free_tier_use
from spicetrader.planner.models import JobKind

COLAB_FREE, KAGGLE, COLAB_PRO = FREE_TIERS  # 12 h sessions; +30 h/week; 100 units at 12.5/h


def test_a_short_job_fits_one_session() -> None:
    use = free_tier_use(KAGGLE, JobKind.TRAINING, hours=5, months=12)
    assert use.within_one_session
    assert (use.sessions, use.weeks, use.months_billed) == (1, 1, 1)
    assert use.within_quota is True


def test_a_long_job_needs_sessions_and_weeks_of_quota() -> None:
    # 70 h on Kaggle: ceil(70 / 12) = 6 sessions, ceil(70 / 30) = 3 weeks of quota
    use = free_tier_use(KAGGLE, JobKind.TRAINING, hours=70, months=12)
    assert (use.sessions, use.weeks) == (6, 3)
    assert use.within_quota is False
    assert use.monthly_hours_cap == pytest.approx(30 * WEEKS_PER_MONTH)
    assert use.months_billed == 1  # 70 h < 130 h a month


def test_compute_units_cap_the_hours_a_month() -> None:
    # Colab Pro: 100 units / 12.5 units per hour = 8 h a month; 20 h need 3 months of units
    use = free_tier_use(COLAB_PRO, JobKind.TRAINING, hours=20, months=1)
    assert use.monthly_hours_cap == pytest.approx(8)
    assert use.months_billed == 3
    assert use.sessions == 1  # 24 h sessions


def test_serving_within_or_over_the_allowance() -> None:
    assert free_tier_use(KAGGLE, JobKind.SERVING, hours=100, months=2).within_quota is True
    over = free_tier_use(KAGGLE, JobKind.SERVING, hours=160, months=2)
    assert over.within_quota is False
    assert over.sessions == -(-160 * 2 // 12)
    # no published allowance: unknown, never assumed
    assert free_tier_use(COLAB_FREE, JobKind.SERVING, hours=10, months=1).within_quota is None
