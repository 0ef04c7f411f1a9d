"""Keep docs/examples.md true: run every ``$ spice plan ...`` command in it through the CLI entry
point and check the invariants the document states for it (not the exact figures, which move
with prices and calibration)."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from spicetrader.catalog.load import load_catalog
from spicetrader.cli.app import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "examples.md"
runner = CliRunner()
Plan = dict[str, Any]
MIN_DECODE = 10.0
HOURS_PER_MONTH = 730.0
WINDOW_HOURS = 30 * 24.0


def commands() -> list[list[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    return [
        shlex.split(line.removeprefix("$ "))[1:]
        for line in lines
        if line.startswith("$ spice plan ")
    ]


def _options(plan: Plan) -> dict[str, Plan]:
    return {o["id"]: o for o in plan["options"]}


def _recommended(plan: Plan) -> Plan:
    return _options(plan)[plan["recommendation"]["option"]]


def _every_plan(plan: Plan) -> None:
    """What the doc's preamble promises for every plan."""
    options = _options(plan)
    assert plan["picks"]["recommended"]["option"] == plan["recommendation"]["option"]
    serving = plan["job"]["kind"] == "serving"
    for option in plan["options"]:
        if option["status"] == "ok" and not serving:
            assert (option["calendar_hours"] or option["hours"]) <= WINDOW_HOURS
        if serving and option["tier"] == "free" and option["fits"]:
            assert option["status"] == "try_only"
        own = option["ownership"]
        if own is None:
            continue
        hours = own["break_even_hours_per_month"]
        assert hours is None or hours <= HOURS_PER_MONTH
        if hours is not None or own["break_even_months"] is not None:
            assert options[own["versus_rent_option"]]["status"] == "ok"
        if own["break_even_months"] is None and own["purchase_usd"] > 0:
            assert own["break_even_never_reason"]


def _serves_fast_enough(plan: Plan) -> None:
    best = _recommended(plan)
    assert best["tier"] != "free"
    assert best["per_user_tokens_per_s"] >= MIN_DECODE


def _chat(plan: Plan) -> None:
    _serves_fast_enough(plan)
    assert _options(plan)[plan["picks"]["free_to_try"]["option"]]["status"] == "try_only"


def _team(plan: Plan) -> None:
    _serves_fast_enough(plan)
    assert plan["workload"]["inference"]["batch"] == 10
    assert _recommended(plan)["estimate"]["inference"]["batch"] == 10


def _free_if_you_can_wait(plan: Plan) -> None:
    free = _options(plan)[plan["picks"]["free_to_try"]["option"]]
    assert free["tier"] == "free"
    assert "if you can wait" in plan["picks"]["free_to_try"]["reason"]


def _qlora(plan: Plan) -> None:
    best = _recommended(plan)
    assert best["hours"] <= 24
    assert best["cost_usd"] < 20
    _free_if_you_can_wait(plan)


def _pretrain(deadline: float) -> Callable[[Plan], None]:
    def check(plan: Plan) -> None:
        best = _recommended(plan)
        assert best["hours"] <= deadline
        # 6ND FLOPs at 40 % of the devices' dense peak, priced at the option's rate
        flops = 6 * 1.311e9 * best["estimate"]["training"]["tokens"]  # MPT-1B: 1.311 B params
        peak = load_catalog().accelerators[best["hardware"]].fp16_tflops  # dense BF16/FP16
        hand_hours = flops / (best["devices"] * peak * 1e12 * 0.4) / 3600
        hand_cost = hand_hours * best["price_usd_per_hour"]
        assert hand_cost / 3 <= best["cost_usd"] <= hand_cost * 3

    return check


def _images(plan: Plan) -> None:
    best = _recommended(plan)
    assert best["tier"] in ("rent", "free")
    if best["tier"] == "free":  # free credits win only when they finish in one sitting
        assert best["free_use"]["sessions"] == 1
    assert (best["calendar_hours"] or best["hours"]) <= 24
    assert best["cost_usd"] < 20
    _free_if_you_can_wait(plan)


def _big(plan: Plan) -> None:
    _serves_fast_enough(plan)
    best = _recommended(plan)
    memory = best["estimate"]["memory"]["capacity_gb"] * best["devices"]
    assert memory >= 405e9 * 4 / 8 / 1e9  # 4-bit weights of 405 B parameters


INVARIANTS: list[Callable[[Plan], None]] = [
    _chat,
    _team,
    _qlora,
    _pretrain(WINDOW_HOURS),
    _pretrain(8.0),
    _images,
    _big,
]


def test_the_doc_has_six_personas_and_a_command_each() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert sum(1 for line in text.splitlines() if line.startswith("## ")) >= 6
    assert len(commands()) == len(INVARIANTS)


@pytest.mark.parametrize(("index", "args"), list(enumerate(commands())))
def test_each_example_keeps_its_invariants(index: int, args: list[str]) -> None:
    human = runner.invoke(app, args)
    assert human.exit_code == 0, human.output
    assert "Picks" in human.stdout
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    _every_plan(plan)
    INVARIANTS[index](plan)
