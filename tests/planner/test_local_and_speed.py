""" "This machine" (``plan(local=...)``) and the serving speed minimum
(``min_decode_tokens_per_s``), over the hand-made catalog with the fake estimator (see
planner_fakes): expected numbers are derived from its rows and formulas (decode = bandwidth x
devices / weights x 0.7)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from planner_fakes import (
    ACCELERATORS,
    ECONOMICS,
    SERVING_HOURS,
    run_plan,
)

from spicetrader.errors import InputError
from spicetrader.planner import LocalMachine, Plan, Tier
from spicetrader.planner.constraints import DEFAULT_MIN_DECODE_TOKENS_PER_S
from spicetrader.planner.models import OptionStatus
from spicetrader.units import WATTS_PER_KW

RTX_4090 = next(a for a in ACCELERATORS if a.id == "rtx-4090")
M2_ULTRA = next(a for a in ACCELERATORS if a.id == "m2-ultra-76c")
PROBED = "2026-11-20T09:30:00+00:00"


def decode(p: Plan, option_id: str) -> float:
    speed = p.option(option_id).estimate.inference
    assert speed is not None
    assert speed.decode_tokens_per_s is not None
    return speed.decode_tokens_per_s


# --- this machine ---------------------------------------------------------------------------


def test_this_machine_is_a_buy_option_that_costs_the_electricity_only() -> None:
    machine = LocalMachine(
        hardware="rtx-4090", devices=1, probed_at=PROBED, efficiency={"mem_bw": 0.81}
    )
    p = run_plan({"model": "toy-7b"}, local=machine)
    mine = p.option("local:this-machine")
    assert mine.tier is Tier.BUY
    assert mine.fits
    assert mine.feasible
    assert mine.as_of == "2026-11-20"
    # already owned: no purchase, no depreciation; energy = TDP kW x hours x $/kWh x office PUE
    energy = (
        RTX_4090.tdp_w
        / WATTS_PER_KW
        * SERVING_HOURS
        * ECONOMICS.electricity.value
        * ECONOMICS.office_pue.value
    )
    own = mine.ownership
    assert own is not None
    assert (own.purchase_usd, own.depreciation_usd_per_month) == (0.0, 0.0)
    assert mine.cost_usd == pytest.approx(energy)
    assert own.break_even_months is None  # nothing to pay back
    assert any("memory bandwidth 81%" in n for n in mine.notes)
    assert p.recommendation.option == "local:this-machine"  # the cheapest way that fits
    assert any("local:this-machine" in a for a in p.assumptions)


def test_this_machine_that_does_not_fit_is_listed_as_such_and_not_recommended() -> None:
    machine = LocalMachine(hardware="rtx-4090", devices=1, probed_at=PROBED)
    p = run_plan({"model": "toy-70b"}, local=machine, allow_quantization=False)
    mine = p.option("local:this-machine")
    assert not mine.fits
    assert mine.cost_usd is None
    assert p.recommendation.option != "local:this-machine"
    assert any("not benchmarked" in n for n in mine.notes)


def test_this_machine_keeps_its_apple_memory_configuration() -> None:
    machine = LocalMachine(hardware="m2-ultra-76c", devices=1, probed_at=PROBED, memory_gb=64)
    p = run_plan({"model": "toy-70b"}, local=machine)
    mine = p.option("local:this-machine")
    assert mine.memory_gb == 64
    assert mine.estimate.memory.capacity_gb == 64
    assert mine.cost_usd == pytest.approx(
        M2_ULTRA.tdp_w / WATTS_PER_KW * SERVING_HOURS * ECONOMICS.electricity.value
    )


@pytest.mark.parametrize(
    ("machine", "kw", "note"),
    [
        (LocalMachine(hardware="gpu-9000", devices=1, probed_at=PROBED), {}, "not in the catalog"),
        (LocalMachine(hardware="m2-ultra-76c", devices=1, probed_at=PROBED, memory_gb=100), {},
         "not listed"),
        (LocalMachine(hardware="rtx-4090", devices=1, probed_at=PROBED), {"only": "rent"}, None),
    ],
)  # fmt: skip
def test_this_machine_left_out(machine: LocalMachine, kw: dict[str, Any], note: str | None) -> None:
    p = run_plan({"model": "toy-7b"}, local=machine, **kw)
    assert "local:this-machine" not in {o.id for o in p.options}
    if note is not None:
        assert any(note in a for a in p.assumptions)


def test_a_bad_local_machine_is_an_input_error() -> None:
    with pytest.raises(InputError, match="devices"):
        LocalMachine(hardware="rtx-4090", devices=0, probed_at=PROBED)


# --- serving speed minimum ------------------------------------------------------------------


def test_a_cheap_but_slow_mac_is_listed_too_slow_and_not_recommended() -> None:
    # toy-120b at q4_k_m on the M2 Ultra: 800 GB/s / 72.75 GB x 0.7 = 7.7 tokens/s < 10
    p = run_plan({"model": "toy-120b"})
    mac = p.option("mac:mac-m2u-128")
    assert decode(p, mac.id) == pytest.approx(800 / (120 * 4.85 / 8) * 0.7)
    assert mac.fits
    assert mac.fast_enough is False
    assert not mac.feasible
    assert any("too slow" in n for n in mac.notes)
    assert mac.id not in p.pareto
    best = p.option(p.recommendation.option or "")
    assert decode(p, best.id) >= DEFAULT_MIN_DECODE_TOKENS_PER_S
    assert (best.cost_usd or 0) > (mac.cost_usd or 0)  # the mac was the cheapest
    assert mac.status is OptionStatus.TOO_SLOW
    assert "below the 10 needed" in (mac.status_reason or "")
    assert "fast enough to serve" in p.recommendation.why
    assert any("roughly reading speed" in a for a in p.assumptions)


def test_zero_disables_the_minimum() -> None:
    p = run_plan({"model": "toy-120b"}, min_decode_tokens_per_s=0)
    assert p.recommendation.option == "mac:mac-m2u-128"
    assert p.option("mac:mac-m2u-128").fast_enough is True  # the first-token limit still holds
    p = run_plan({"model": "toy-120b"}, min_decode_tokens_per_s=0, max_ttft_s=0)
    assert all(o.fast_enough is None for o in p.options)


# --- serving: the wait for the first token --------------------------------------------------
# The fake estimator's TTFT is the batch's prompts over its prefill speed (50x decode): toy-120b
# on the M2 Ultra prefills 7.7 x 50 = 385 tokens/s, so 10 users x 512 tokens wait 13.3 s.


def test_a_long_wait_for_the_first_token_is_too_slow() -> None:
    p = run_plan({"model": "toy-120b"}, users=10, min_decode_tokens_per_s=0)
    mac = p.option("mac:mac-m2u-128")
    speed = mac.estimate.inference
    assert speed is not None
    assert speed.ttft_s is not None
    assert speed.ttft_s == pytest.approx(10 * 512 / (decode(p, mac.id) * 50))
    assert speed.ttft_s > 10
    assert mac.status is OptionStatus.TOO_SLOW
    assert f"after {speed.ttft_s:,.1f} s when all 10 users ask at once" in (mac.status_reason or "")
    assert p.recommendation.option != mac.id
    assert any("first token must come within 10 s" in a for a in p.assumptions)
    # one user waits 1.3 s: the same Mac serves one user
    alone = run_plan({"model": "toy-120b"}, min_decode_tokens_per_s=0)
    assert alone.option(mac.id).status is OptionStatus.OK


def test_the_first_token_limit_is_the_users_choice() -> None:
    p = run_plan({"model": "toy-120b"}, users=10, min_decode_tokens_per_s=0, max_ttft_s=20)
    assert p.option("mac:mac-m2u-128").status is OptionStatus.OK
    with pytest.raises(InputError, match="max_ttft_s"):
        run_plan({"model": "toy-7b"}, max_ttft_s=-1.0)
    with pytest.raises(InputError, match="applies to serving"):
        run_plan({"model": "toy-7b", "task": "finetune"}, max_ttft_s=5)


@settings(max_examples=25, deadline=None)
@given(users=st.integers(1, 64), limit=st.floats(0.5, 60))
def test_fast_enough_is_exactly_both_serving_limits(users: int, limit: float) -> None:
    p = run_plan({"model": "toy-120b"}, users=users, max_ttft_s=limit)
    for o in p.options:
        speed = o.estimate.inference
        if not o.fits or speed is None or o.tier is Tier.FREE:
            continue
        assert speed.decode_tokens_per_s is not None
        assert speed.ttft_s is not None
        fast = (
            speed.decode_tokens_per_s >= DEFAULT_MIN_DECODE_TOKENS_PER_S and speed.ttft_s <= limit
        )
        assert o.fast_enough is fast
        assert (o.status is OptionStatus.TOO_SLOW) is (not fast)


def test_nothing_fast_enough_says_why() -> None:
    p = run_plan({"model": "toy-120b"}, only="mac")
    assert p.recommendation.option is None
    assert "too slow to serve" in p.recommendation.why
    assert "7.7 tokens/s" in p.recommendation.why


def test_the_minimum_does_not_apply_to_jobs_with_an_end() -> None:
    # a token volume: throughput matters, not latency
    p = run_plan({"model": "toy-120b"}, tokens=1e6)
    assert all(o.fast_enough is None for o in p.options)
    with pytest.raises(InputError, match="applies to serving"):
        run_plan({"model": "toy-7b", "task": "finetune"}, min_decode_tokens_per_s=20)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_minimum_is_an_input_error(bad: float) -> None:
    with pytest.raises(InputError, match="min_decode_tokens_per_s"):
        run_plan({"model": "toy-7b"}, min_decode_tokens_per_s=bad)


@settings(max_examples=25, deadline=None)
@given(
    minimum=st.floats(min_value=0.5, max_value=120),
    model=st.sampled_from(["toy-7b", "toy-70b", "toy-120b"]),
)
def test_fast_enough_is_exactly_decode_at_or_above_the_minimum(minimum: float, model: str) -> None:
    p = run_plan({"model": model}, min_decode_tokens_per_s=minimum)
    for option in p.options:
        if not option.fits:
            assert option.fast_enough is None
            continue
        assert option.fast_enough == (decode(p, option.id) >= minimum)
        if option.fast_enough is False:
            assert not option.feasible
    if p.recommendation.option is not None:
        assert decode(p, p.recommendation.option) >= minimum
