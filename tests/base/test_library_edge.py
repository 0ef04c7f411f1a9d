"""The library's own front door: ``spicetrader.estimate()`` and ``spicetrader.plan()`` take a
model name alone, turn every bad input into the package's own error (field, value given, what is
accepted), say which model a name resolved to, and give results that read well in a notebook."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from pydantic import ValidationError

import spicetrader
from spicetrader import Context, InputError, SpiceError, UnknownNameError
from spicetrader.catalog.load import load_catalog

BUNDLED = Context.of(load_catalog())
SPEC = {"model": "llama-3-8b", "hardware": "rtx-4090", "precision": "q4_k_m"}


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({**SPEC, "hardwre": "t4"}, ["unknown field 'hardwre'", "did you mean hardware?"]),
        ({**SPEC, "task": "finetuning"}, ["task:", "'finetune'", "given 'finetuning'"]),
        ({**SPEC, "devices": -1}, ["devices:", "greater than or equal to 1", "given -1"]),
        ({**SPEC, "inference": {"batchsize": 4}}, ["'inference.batchsize'", "batch"]),
        ({**SPEC, "inference": {"batch": "lots"}}, ["inference.batch:", "'max'", "given 'lots'"]),
        ({"hardware": "t4"}, ["model is required"]),
        ({**SPEC, "devices": 4, "nodes": 3}, ["must spread evenly over nodes"]),
        (42, ["a workload is a mapping", "got int"]),
    ],
)
def test_bad_workloads_raise_input_error_in_words(spec: Any, words: list[str]) -> None:
    for call in (spicetrader.estimate, spicetrader.plan):
        with pytest.raises(InputError) as caught:
            call(spec, BUNDLED)
        assert not isinstance(caught.value, ValidationError)
        message = str(caught.value)
        assert message.count("\n") == 0
        for word in words:
            assert word in message, message


def test_a_model_name_alone_is_a_workload() -> None:
    plan = spicetrader.plan("llama-3-8b", BUNDLED, only="rent")
    assert plan.workload.model == "llama-3-8b"
    assert plan.recommendation.option is not None
    with pytest.raises(InputError, match="hardware is required"):
        spicetrader.estimate("llama-3-8b", BUNDLED)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"usage_hours_per_month": "8"}, 8.0),
        ({"usage_hours_per_month": 8}, 8.0),
        ({"usage_hours_per_month": " 12.5 "}, 12.5),
    ],
)
def test_numbers_given_as_text_are_read_as_numbers(kw: dict[str, Any], expected: float) -> None:
    plan = spicetrader.plan("llama-3-8b", BUNDLED, only="rent", **kw)
    assert plan.job.usage_hours_per_month == expected


@pytest.mark.parametrize(
    ("kw", "words"),
    [
        ({"usage_hours_per_month": "eight"}, "usage_hours_per_month must be a number, given"),
        ({"usage_hours_per_month": "-3"}, "usage_hours_per_month must be a positive number"),
        ({"spot": "maybe"}, "spot must be true or false"),
        ({"images": 2.5}, "images must be a whole number"),
        ({"only": 3}, "only takes tier names"),
        ({"only": "rnet"}, "unknown tier 'rnet'"),
        ({"deadline": 24}, "unknown plan constraint(s) deadline"),
    ],
)
def test_bad_constraints_raise_input_error(kw: dict[str, Any], words: str) -> None:
    with pytest.raises(InputError) as caught:
        spicetrader.plan("llama-3-8b", BUNDLED, **kw)
    assert words in str(caught.value)


def test_a_context_of_the_wrong_type_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"context must be a spicetrader\.Context"):
        spicetrader.plan("llama-3-8b", "my-home")  # type: ignore[arg-type]


def test_unknown_model_is_the_packages_error() -> None:
    with pytest.raises(UnknownNameError, match="unknown model 'no-such-model-zz'"):
        spicetrader.estimate({**SPEC, "model": "no-such-model-zz"}, BUNDLED)


# --- say what was resolved --------------------------------------------------------------------


@pytest.mark.parametrize("given", ["llama3", "Llama3-8B", "meta-llama/Meta-Llama-3-8B-Instruct"])
def test_an_alias_resolves_and_both_names_are_kept(given: str) -> None:
    est = spicetrader.estimate({**SPEC, "model": given}, BUNDLED)
    assert (est.workload.model, est.model_input) == ("llama-3-8b", given)
    assert est.to_dict()["workload"]["model"] == "llama-3-8b"  # type: ignore[index]
    assert est.to_dict()["model_input"] == given
    plan = spicetrader.plan(given, BUNDLED, only="rent")
    assert (plan.workload.model, plan.model_input) == ("llama-3-8b", given)
    assert f"{given} → llama-3-8b (Llama 3 8B)" in plan._repr_html_()


def test_an_exact_id_is_its_own_input() -> None:
    est = spicetrader.estimate(SPEC, BUNDLED)
    assert (est.workload.model, est.model_input) == ("llama-3-8b", "llama-3-8b")
    assert "→" not in est._repr_html_()


def test_a_folder_named_like_a_model_does_not_shadow_it(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "llama-3-8b").mkdir()
    assert spicetrader.estimate(SPEC, BUNDLED).workload.model == "llama-3-8b"
    with pytest.raises(InputError, match=r"has no config\.json"):  # written as a path: a path
        spicetrader.estimate({**SPEC, "model": "./llama-3-8b"}, BUNDLED)


# --- results in a notebook --------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan() -> spicetrader.Plan:
    return spicetrader.plan("llama3", BUNDLED, only="rent,mac")


def test_short_reprs(plan: spicetrader.Plan) -> None:
    text = repr(plan)
    assert len(text) < 200
    assert str(plan) == text
    assert f"recommended {plan.recommendation.option}" in text
    assert f"{len(plan.options)} options" in text
    option = repr(plan.options[0])
    assert len(option) < 200
    assert plan.options[0].id in option
    est = spicetrader.estimate(SPEC, BUNDLED)
    assert len(repr(est)) < 200
    assert "fits" in repr(est)
    assert "rtx-4090" in repr(est)
    too_big = spicetrader.estimate({**SPEC, "model": "llama-3-70b", "precision": "bf16"}, BUNDLED)
    assert "does not fit" in repr(too_big)


def test_html_shows_the_picks_and_escapes(plan: spicetrader.Plan) -> None:
    html = plan._repr_html_()
    best = plan.recommendation.option
    assert best is not None
    assert "<table" in html
    assert best in html
    assert "prices as of" in html
    assert len(html) < 20_000
    inline = {"name": "<script>x</script>", "layers": 2, "hidden": 64, "heads": 2}
    est = spicetrader.estimate({**SPEC, "model": inline, "precision": "fp16"}, BUNDLED)
    assert "<script>" not in est._repr_html_()
    assert "&lt;script&gt;" in est._repr_html_()


def test_records_are_one_flat_row_per_option(plan: spicetrader.Plan) -> None:
    rows = plan.to_records()
    assert [r["id"] for r in rows] == [o.id for o in plan.options]
    assert [r["id"] for r in rows if r["recommended"]] == [plan.recommendation.option]
    for row, option in zip(rows, plan.options, strict=True):
        assert row["cost_usd"] == option.cost_usd
        assert all(not isinstance(v, dict | list) for v in row.values())
    (one,) = spicetrader.estimate(SPEC, BUNDLED).to_records()
    assert (one["model"], one["hardware"], one["fits"]) == ("llama-3-8b", "rtx-4090", True)


def test_to_pandas(plan: spicetrader.Plan) -> None:
    pytest.importorskip("pandas")
    frame = plan.to_pandas()
    assert frame.index.name == "id"
    assert list(frame.index) == [o.id for o in plan.options]
    best = plan.recommendation.option
    assert frame.loc[best, "recommended"]
    assert len(spicetrader.estimate(SPEC, BUNDLED).to_pandas()) == 1


def test_to_pandas_without_pandas_says_what_to_install(
    plan: spicetrader.Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(ImportError, match=r"pip install pandas .*to_records\(\)"):
        plan.to_pandas()


def test_no_pydantic_error_escapes_for_odd_values() -> None:
    odd: list[Any] = [None, "", [], {"model": None}, {"model": ""}, {"model": 5}, {"model": []}]
    for spec in odd:
        with pytest.raises(SpiceError):
            spicetrader.estimate(spec, BUNDLED)


def test_other_public_names_refuse_odd_values_in_words(tmp_path: Any) -> None:
    with pytest.raises(InputError, match="usage_hours_per_month must be a number, given '8'"):
        spicetrader.PlanConstraints(usage_hours_per_month="8")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="a model is a name"):
        spicetrader.resolve_model(5)  # type: ignore[arg-type]
    assert spicetrader.load_catalog(user_dir=str(tmp_path)) is load_catalog()  # a str path works
