"""Precision chosen for the job: the highest that fits *and* meets the speed floor (or the
deadline), and the option says when it was quantized for speed rather than fit.

toy-70b on one H100 (80 GB) with the fake estimator: bf16 (140 GB) does not fit, fp8 (77 GB with
10 % overhead) fits and decodes 3350 GB/s / 70 GB x 0.7 = 33.5 tokens/s; int8 is no lower than
fp8 (8 bits), int4 (35 GB) decodes 3350 / 35 x 0.7 = 67 tokens/s.
"""

from __future__ import annotations

import pytest
from planner_fakes import run_plan

from spicetrader.planner.models import OptionStatus

H100 = "rent:lambda:h100x1"
FP8_DECODE = 3350 / 70 * 0.7
INT4_DECODE = 3350 / 35 * 0.7


@pytest.mark.parametrize("floor", [None, 10.0, 30.0])
def test_the_highest_that_fits_when_it_is_fast_enough(floor: float | None) -> None:
    option = run_plan({"model": "toy-70b"}, min_decode_tokens_per_s=floor).option(H100)
    assert option.precision == "fp8"
    assert option.per_user_tokens_per_s == pytest.approx(FP8_DECODE)
    assert option.quantized
    assert not option.quantized_for_speed
    assert any("to fit" in n for n in option.notes)


def test_a_lower_precision_when_the_one_that_fits_is_too_slow() -> None:
    option = run_plan({"model": "toy-70b"}, min_decode_tokens_per_s=40).option(H100)
    assert FP8_DECODE < 40 <= INT4_DECODE
    assert option.precision == "int4"
    assert option.per_user_tokens_per_s == pytest.approx(INT4_DECODE)
    assert option.quantized_for_speed
    assert option.status is OptionStatus.OK
    assert any("int4 for speed: fp8 fits but is too slow" in n for n in option.notes)


def test_when_no_precision_is_fast_enough_the_fastest_is_kept_and_marked_too_slow() -> None:
    option = run_plan({"model": "toy-70b"}, min_decode_tokens_per_s=100).option(H100)
    assert option.precision == "int4"
    assert option.status is OptionStatus.TOO_SLOW
    assert "below the 100 needed" in (option.status_reason or "")


def test_without_quantization_the_precision_stays() -> None:
    p = run_plan({"model": "toy-70b"}, min_decode_tokens_per_s=40, allow_quantization=False)
    assert all(not o.quantized and not o.quantized_for_speed for o in p.options)
